/// What the Email-alias service stores about a received message besides its
/// raw bytes: the headers, the decoded summary fields and the plain-text body.
public struct MailMessage: Sendable, Hashable {
    /// Header fields of the top-level entity, unfolded, values as sent.
    public var headers: [MailHeader]
    /// `From`, with RFC 2047 encoded words decoded.
    public var from: String?
    /// `To`, with RFC 2047 encoded words decoded.
    public var to: String?
    /// `Subject`, with RFC 2047 encoded words decoded.
    public var subject: String?
    /// `Date` as sent.
    public var date: String?
    /// `Message-ID` as sent.
    public var messageID: String?
    /// The plain-text body: the message itself when it is `text/plain` (or
    /// untyped), else the first inline `text/plain` part of a multipart
    /// message, searched depth-first; transfer encoding and charset decoded,
    /// line endings normalised to LF. `nil` when there is no plain-text part.
    public var plainText: String?
    /// Size of the raw message in bytes.
    public var size: Int
}
