/// The SMTP envelope of one delivered message: who the client said it is,
/// the reverse path and the accepted recipients.
package struct SMTPEnvelope: Sendable, Hashable {
    /// The name the client gave in EHLO/HELO.
    package var clientName: String
    /// Reverse path; `nil` for the null sender `<>` (bounces).
    package var sender: MailAddress?
    /// Accepted recipients, in the order given, without duplicates.
    package var recipients: [MailAddress]
    /// `SIZE` declared on MAIL FROM, if any.
    package var declaredSize: Int?
    /// Whether the client declared `BODY=8BITMIME`.
    package var eightBitMIME: Bool
    /// Whether the message arrived over TLS (after STARTTLS).
    package var overTLS: Bool

    /// Creates an envelope as the session reports it with `.deliver`.
    package init(
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
