import PurserWire

/// The lifecycle state of a settlement batch (`purser.settlement.v1.BatchState`):
/// open → closed → paid.
public struct BatchState: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = BatchState(rawValue: 0)
    /// The batch's period has not ended; each run may add entries.
    public static let open = BatchState(rawValue: 1)
    /// The period has ended and was settled; the batch never changes again.
    public static let closed = BatchState(rawValue: 2)
    /// The payout was made; the batch carries its external reference.
    public static let paid = BatchState(rawValue: 3)

    /// `open`, `closed`, `paid`, or the raw number.
    public var description: String {
        switch self {
        case .open: "open"
        case .closed: "closed"
        case .paid: "paid"
        default: "state_\(rawValue)"
        }
    }

    /// The state named `open`, `closed` or `paid`.
    public init?(name: String) {
        switch name {
        case "open": self = .open
        case "closed": self = .closed
        case "paid": self = .paid
        default: return nil
        }
    }
}

/// Which report `ExportReport` renders (`purser.settlement.v1.ReportKind`).
public struct ReportKind: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = ReportKind(rawValue: 0)
    /// A tenant statement.
    public static let statement = ReportKind(rawValue: 1)
    /// A provider payout.
    public static let payout = ReportKind(rawValue: 2)

    /// `statement`, `payout`, or the raw number.
    public var description: String {
        switch self {
        case .statement: "statement"
        case .payout: "payout"
        default: "kind_\(rawValue)"
        }
    }
}

/// The file format of an export (`purser.settlement.v1.ReportFormat`).
public struct ReportFormat: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = ReportFormat(rawValue: 0)
    /// RFC 4180 CSV with a header row.
    public static let csv = ReportFormat(rawValue: 1)
    /// One JSON document.
    public static let json = ReportFormat(rawValue: 2)

    /// `csv`, `json`, or the raw number.
    public var description: String {
        switch self {
        case .csv: "csv"
        case .json: "json"
        default: "format_\(rawValue)"
        }
    }
}
