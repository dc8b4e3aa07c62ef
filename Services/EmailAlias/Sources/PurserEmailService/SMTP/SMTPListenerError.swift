/// Why the SMTP listener could not start: a stable `reason` and a readable message.
public struct SMTPListenerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `bind_failed`, `event_loop_failed` or `tls_configuration`.
    public let reason: String
    public let message: String

    /// An error with its reason and message.
    public init(reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(message) (\(reason))" }
}
