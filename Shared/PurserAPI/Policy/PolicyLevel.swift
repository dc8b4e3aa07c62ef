import PurserWire

/// `purser.policy.v1.PolicyLevel`: the tenant default or an agent override.
/// Open like every proto3 enum: unnamed numbers are kept.
public struct PolicyLevel: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = PolicyLevel(rawValue: 0)
    public static let tenant = PolicyLevel(rawValue: 1)
    public static let agent = PolicyLevel(rawValue: 2)

    public var description: String {
        switch rawValue {
        case 0: "POLICY_LEVEL_UNSPECIFIED"
        case 1: "POLICY_LEVEL_TENANT"
        case 2: "POLICY_LEVEL_AGENT"
        default: "PolicyLevel(\(rawValue))"
        }
    }
}
