/// A command line that cannot be run: an unknown command or flag, a missing
/// or malformed value. The CLI prints `message` and a pointer to `--help` for
/// `path`, and exits with status 2.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case code: `unknown_command`, `missing_command`,
    /// `unknown_flag`, `missing_value`, `missing_flag`, `repeated_flag`,
    /// `unexpected_argument`, `invalid_value`.
    public let reason: String
    public let message: String
    /// The command the error belongs to (e.g. `["wallet", "fund"]`), for the help hint.
    public let path: [String]

    /// A usage error with a stable reason, its message and the command it belongs to.
    public init(reason: String, _ message: String, path: [String]) {
        self.reason = reason
        self.message = message
        self.path = path
    }

    public var description: String { message }
}
