/// Limits and identity of one SMTP listener. Every limit protects the service
/// from a hostile or broken client; the defaults suit an inbound MX.
package struct SMTPConfiguration: Sendable, Hashable {
    /// Name the server announces in its greeting and EHLO reply.
    package var hostname: String
    /// Largest message accepted, in bytes after dot-unstuffing; advertised as `SIZE`.
    package var maxMessageSize: Int
    /// Most recipients in one transaction (RFC 5321 requires at least 100).
    package var maxRecipients: Int
    /// Longest command line, including CRLF.
    package var maxCommandLineLength: Int
    /// Error replies (5xx) tolerated on one connection before it is closed with 421.
    package var maxErrors: Int
    /// Most bytes buffered while a recipient lookup or delivery is pending
    /// (pipelined commands); beyond it the connection is closed with 421.
    package var maxPendingInput: Int
    /// Whether STARTTLS is offered (the listener has a certificate).
    package var startTLSAvailable: Bool
    /// Idle time allowed while waiting for a command. The session is pure:
    /// the listener enforces this and calls `SMTPSession.timedOut()`.
    package var commandTimeout: Duration
    /// Idle time allowed between chunks of message data, enforced like `commandTimeout`.
    package var dataTimeout: Duration
    /// Commands that move no message forward (NOOP, RSET, HELP, VRFY, EXPN, EHLO, HELO) allowed
    /// since the connection opened or the last accepted message; one more closes it with 421.
    /// Without it a client could keep a connection slot for ever with NOOPs that reset the idle timer.
    package var maxJunkCommands: Int
    /// Longest a connection may stay open, however active; the listener enforces it and calls
    /// `SMTPSession.lifetimeReached()` (421 and close once no lookup or delivery is in flight).
    package var maxSessionDuration: Duration

    /// Creates a configuration; every limit has a default suited to an inbound MX.
    package init(
        hostname: String, maxMessageSize: Int = 10 * 1024 * 1024, maxRecipients: Int = 100,
        maxCommandLineLength: Int = 1000, maxErrors: Int = 10, maxPendingInput: Int = 64 * 1024,
        startTLSAvailable: Bool = false, commandTimeout: Duration = .seconds(300), dataTimeout: Duration = .seconds(180),
        maxJunkCommands: Int = 100, maxSessionDuration: Duration = .seconds(1_800)
    ) {
        self.hostname = hostname
        self.maxMessageSize = maxMessageSize
        self.maxRecipients = maxRecipients
        self.maxCommandLineLength = maxCommandLineLength
        self.maxErrors = maxErrors
        self.maxPendingInput = maxPendingInput
        self.startTLSAvailable = startTLSAvailable
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
        self.maxJunkCommands = maxJunkCommands
        self.maxSessionDuration = maxSessionDuration
    }
}
