/// Why the SMTP listener could not start: a stable `reason` and a readable message.
package struct SMTPListenerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `bind_failed` or `event_loop_failed`.
    package let reason: String
    package let message: String

    /// An error with its reason and message.
    package init(reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    package var description: String { "\(message) (\(reason))" }
}
