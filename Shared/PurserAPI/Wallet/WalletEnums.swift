import PurserWire

/// `purser.wallet.v1.LedgerEntryKind`.
public struct LedgerEntryKind: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = LedgerEntryKind(rawValue: 0)
    public static let fund = LedgerEntryKind(rawValue: 1)
    public static let allocate = LedgerEntryKind(rawValue: 2)
    public static let reclaim = LedgerEntryKind(rawValue: 3)
    public static let capture = LedgerEntryKind(rawValue: 4)
    public static let refund = LedgerEntryKind(rawValue: 5)

    /// The lowercase name (`fund`…), or the raw number.
    public var description: String {
        switch self {
        case .fund: "fund"
        case .allocate: "allocate"
        case .reclaim: "reclaim"
        case .capture: "capture"
        case .refund: "refund"
        default: "\(rawValue)"
        }
    }
}

/// `purser.wallet.v1.AccountStatus`.
public struct AccountStatus: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = AccountStatus(rawValue: 0)
    public static let active = AccountStatus(rawValue: 1)
    public static let frozen = AccountStatus(rawValue: 2)
    public static let revoked = AccountStatus(rawValue: 3)

    /// The lowercase name (`active`…), or the raw number.
    public var description: String {
        switch self {
        case .active: "active"
        case .frozen: "frozen"
        case .revoked: "revoked"
        default: "\(rawValue)"
        }
    }
}
