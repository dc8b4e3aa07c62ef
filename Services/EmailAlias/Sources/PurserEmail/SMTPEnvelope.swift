/// The SMTP envelope of one delivered message: who the client said it is,
/// the reverse path and the accepted recipients.
public struct SMTPEnvelope: Sendable, Hashable {
    /// The name the client gave in EHLO/HELO.
    public var clientName: String
    /// Reverse path; `nil` for the null sender `<>` (bounces).
    public var sender: MailAddress?
    /// Accepted recipients, in the order given, without duplicates.
    public var recipients: [MailAddress]
    /// `SIZE` declared on MAIL FROM, if any.
    public var declaredSize: Int?
    /// Whether the client declared `BODY=8BITMIME`.
    public var eightBitMIME: Bool
    /// Whether the message arrived over TLS (after STARTTLS).
    public var overTLS: Bool

    /// Creates an envelope as the session reports it with `.deliver`.
    public init(
        clientName: String, sender: MailAddress?, recipients: [MailAddress], declaredSize: Int? = nil,
        eightBitMIME: Bool = false, overTLS: Bool = false
    ) {
        self.clientName = clientName
        self.sender = sender
        self.recipients = recipients
        self.declaredSize = declaredSize
        self.eightBitMIME = eightBitMIME
        self.overTLS = overTLS
    }
}
