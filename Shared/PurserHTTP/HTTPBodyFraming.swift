/// How a message body is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    /// No body.
    case none
    /// Exactly this many bytes (`Content-Length`).
    case length(Int64)
    /// The chunked transfer coding.
    case chunked
    /// Until the connection closes (responses only).
    case untilClose

    /// Reads a message's framing from its `Transfer-Encoding` and
    /// `Content-Length` fields, strictly: both together, a coding other than
    /// a final single `chunked`, or differing or malformed lengths are errors.
    /// `allowsUntilClose` (responses) turns a non-chunked coding into
    /// `.untilClose` instead of an error.
    static func parse(_ headers: HTTPHeaders, allowsUntilClose: Bool) throws(HTTPParseError) -> HTTPBodyFraming {
        let hasTransferEncoding = !headers.values(for: "Transfer-Encoding").isEmpty
        let lengths = headers.values(for: "Content-Length")
        if hasTransferEncoding {
            guard lengths.isEmpty else { throw .bad("content_length_with_transfer_encoding") }
            let codings = headers.listValues(for: "Transfer-Encoding").map { $0.lowercased() }
            guard let last = codings.last else { throw .bad("invalid_transfer_encoding") }
            guard codings.allSatisfy({ HTTPSyntax.isToken($0.utf8) }) else { throw .bad("invalid_transfer_encoding") }
            guard last == "chunked" else {
                if allowsUntilClose { return .untilClose }
                throw .bad("chunked_not_final")
            }
            guard codings.filter({ $0 == "chunked" }).count == 1 else { throw .bad("chunked_applied_twice") }
            guard codings.count == 1 else {
                if allowsUntilClose { return .untilClose }
                throw HTTPParseError(.notImplemented, "unsupported_transfer_coding")
            }
            return .chunked
        }
        guard !lengths.isEmpty else { return allowsUntilClose ? .untilClose : .none }
        var length: Int64?
        for value in lengths {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = element.trimmingHTTPWhitespace()
                guard !digits.isEmpty, digits.utf8.allSatisfy({ HTTPSyntax.digit($0) != nil }) else {
                    throw .bad("invalid_content_length")
                }
                guard digits.utf8.count <= 18, let parsed = Int64(digits) else {
                    throw HTTPParseError(.contentTooLarge, "content_too_large")
                }
                if let length, length != parsed { throw .bad("conflicting_content_length") }
                length = parsed
            }
        }
        return .length(length ?? 0)
    }
}
