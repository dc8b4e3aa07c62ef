import PurserWire

/// How an alias came to be (`purser.email.v1.AliasKind`).
public struct AliasKind: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = AliasKind(rawValue: 0)
    /// `<agent handle>@<tenant email domain or default domain>`, one per agent.
    public static let primary = AliasKind(rawValue: 1)
    /// A local part the caller chose.
    public static let custom = AliasKind(rawValue: 2)
    /// An unguessable local part drawn by the service.
    public static let random = AliasKind(rawValue: 3)

    public var description: String {
        switch self {
        case .primary: "primary"
        case .custom: "custom"
        case .random: "random"
        default: "kind_\(rawValue)"
        }
    }
}

/// Whether an alias takes mail (`purser.email.v1.AliasStatus`).
public struct AliasStatus: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = AliasStatus(rawValue: 0)
    public static let enabled = AliasStatus(rawValue: 1)
    /// Mail to it is refused with 550 5.1.1.
    public static let disabled = AliasStatus(rawValue: 2)

    public var description: String {
        switch self {
        case .enabled: "enabled"
        case .disabled: "disabled"
        default: "status_\(rawValue)"
        }
    }
}
