/// What the service keeps of a header value: text on one line with no control characters.
///
/// Header values come from outside senders, and RFC 2047 encoded words can
/// carry any character once decoded. A CR or LF kept in a stored subject would
/// forge rows in an agent's inbox listing or hand an agent a header-injection
/// string; escape sequences would drive the terminal that prints a listing.
/// The service strips rather than refuses, so the mail is still delivered:
/// every run of control characters becomes one space, and the value is trimmed.
enum HeaderText {
    /// `value` with each run of control characters — C0 (CR, LF, TAB, NUL, ESC …),
    /// DEL, C1 (U+0080–U+009F) and the Unicode line and paragraph separators
    /// (U+2028, U+2029) — replaced by one space, and leading and trailing
    /// whitespace removed. Printable text is kept exactly.
    static func sanitized(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: isControl) else { return value.trimmingWhitespace() }
        var scalars = String.UnicodeScalarView()
        var inRun = false
        for scalar in value.unicodeScalars {
            if isControl(scalar) {
                if !inRun { scalars.append(" ") }
                inRun = true
            } else {
                scalars.append(scalar)
                inRun = false
            }
        }
        return String(scalars).trimmingWhitespace()
    }

    /// Whether `scalar` must not appear in a stored header value.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
