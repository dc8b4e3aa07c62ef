/// A setting that is missing or cannot be read. The description names the
/// variable, the rejected value and what was expected, e.g.
/// `PURSER_WALLET_HOLD_TTL: "5x" is not a duration (e.g. 250ms, 5s, 15m)`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case code: `missing_setting` or `invalid_setting`.
    public let reason: String
    /// The full environment variable name.
    public let variable: String
    /// The rejected value (`nil` when missing).
    public let value: String?
    /// What the value should have been.
    public let expected: String

    public var description: String {
        guard let value else { return "\(variable): required but not set (\(expected))" }
        return "\(variable): \"\(value)\" is not \(expected)"
    }

    static func missing(variable: String) -> ConfigurationError {
        ConfigurationError(reason: "missing_setting", variable: variable, value: nil, expected: "set it in the environment")
    }

    /// `variable` is set to `value`, which is not `expected` (reason `invalid_setting`);
    /// for readers of setting types defined outside PurserKit.
    public static func invalid(variable: String, value: String, expected: String) -> ConfigurationError {
        ConfigurationError(reason: "invalid_setting", variable: variable, value: value, expected: expected)
    }
}
