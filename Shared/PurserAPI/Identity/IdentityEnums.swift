import PurserWire

/// The role of a tenant API key (`purser.identity.v1.ApiKeyRole`).
public struct ApiKeyRole: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = ApiKeyRole(rawValue: 0)
    /// Everything inside its own tenant.
    public static let admin = ApiKeyRole(rawValue: 1)
    /// Reads ledgers, statements and reports of its own tenant.
    public static let finance = ApiKeyRole(rawValue: 2)

    /// The token `role` claim of this key role (`admin`, `finance`), or the raw number.
    public var description: String {
        switch self {
        case .admin: "admin"
        case .finance: "finance"
        default: "role_\(rawValue)"
        }
    }
}

/// The lifecycle state of an agent (`purser.identity.v1.AgentStatus`):
/// active ⇄ suspended, either → revoked (terminal).
public struct AgentStatus: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = AgentStatus(rawValue: 0)
    public static let active = AgentStatus(rawValue: 1)
    public static let suspended = AgentStatus(rawValue: 2)
    public static let revoked = AgentStatus(rawValue: 3)

    /// `active`, `suspended`, `revoked`, or the raw number.
    public var description: String {
        switch self {
        case .active: "active"
        case .suspended: "suspended"
        case .revoked: "revoked"
        default: "status_\(rawValue)"
        }
    }
}
