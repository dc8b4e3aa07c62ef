/// What the Email-alias service stores about a received message besides its
/// raw bytes: the headers, the decoded summary fields and the plain-text body.
/// Header values and summary fields are single-line text: every run of control
/// characters (CR, LF, TAB, NUL, ESC, DEL, C1, U+2028/U+2029) is one space.
package struct MailMessage: Sendable, Hashable {
    /// Header fields of the top-level entity, unfolded, values as sent but for control characters.
    package var headers: [MailHeader]
    /// `From`, with RFC 2047 encoded words decoded.
    package var from: String?
    /// `To`, with RFC 2047 encoded words decoded.
    package var to: String?
    /// `Subject`, with RFC 2047 encoded words decoded.
    package var subject: String?
    /// `Date` as sent but for control characters.
    package var date: String?
    /// `Message-ID` as sent but for control characters.
    package var messageID: String?
    /// The plain-text body: the message itself when it is `text/plain` (or
    /// untyped), else the first inline `text/plain` part of a multipart
    /// message, searched depth-first; transfer encoding and charset decoded,
    /// line endings normalised to LF. `nil` when there is no plain-text part.
    package var plainText: String?
    /// Size of the raw message in bytes.
    package var size: Int
}
