extension MailMessage {
    /// Deepest nesting of multipart entities searched for a text part.
    static let maxDepth = 8
    /// Most parts read from one multipart entity.
    static let maxParts = 256

    /// Parses a raw message (as delivered by `SMTPSession`). Never fails and
    /// never traps: malformed MIME falls back to treating the body as text.
    /// No header value it returns holds a control character (see `HeaderText`).
    package init(parsing raw: [UInt8]) {
        let (headers, body) = MailHeader.split(raw[...])
        self.headers = headers
        // Decoding can bring control characters back (an encoded CR LF), so the decoded text is sanitized again.
        from = headers.first(named: "From").map { HeaderText.sanitized(EncodedWords.decode($0)) }
        to = headers.first(named: "To").map { HeaderText.sanitized(EncodedWords.decode($0)) }
        subject = headers.first(named: "Subject").map { HeaderText.sanitized(EncodedWords.decode($0)) }
        date = headers.first(named: "Date")
        messageID = headers.first(named: "Message-ID")
        plainText = Self.plainText(headers: headers, body: body, depth: 0)
        size = raw.count
    }

    private static func plainText(headers: [MailHeader], body: ArraySlice<UInt8>, depth: Int) -> String? {
        let contentType = headers.first(named: "Content-Type").flatMap(MIMEContentType.init)
        guard let contentType else { return decodeText(headers: headers, body: body, charset: nil) }
        if contentType.type == "multipart" {
            guard depth < maxDepth, let boundary = contentType.parameters["boundary"], !boundary.isEmpty,
                boundary.utf8.count <= 200
            else { return decodeText(headers: headers, body: body, charset: nil) }
            let parts = splitMultipart(body, boundary: Array(boundary.utf8))
            guard !parts.isEmpty else { return decodeText(headers: headers, body: body, charset: nil) }
            for part in parts.prefix(maxParts) {
                let (partHeaders, partBody) = MailHeader.split(part)
                let disposition = partHeaders.first(named: "Content-Disposition")?.lowercased() ?? ""
                if disposition.hasPrefix("attachment") { continue }
                if let text = plainText(headers: partHeaders, body: partBody, depth: depth + 1) { return text }
            }
            return nil
        }
        guard contentType.type == "text", contentType.subtype == "plain" else { return nil }
        return decodeText(headers: headers, body: body, charset: contentType.parameters["charset"])
    }

    private static func decodeText(headers: [MailHeader], body: ArraySlice<UInt8>, charset: String?) -> String {
        let bytes: [UInt8]
        switch headers.first(named: "Content-Transfer-Encoding")?.lowercased() {
        case "quoted-printable": bytes = TransferEncoding.decodeQuotedPrintable(body)
        case "base64": bytes = TransferEncoding.decodeBase64(body)
        default: bytes = Array(body)
        }
        let text = charset.flatMap { Charset.decode(bytes[...], charset: $0) } ?? Charset.decodeUnlabelled(bytes[...])
        return text.replacing("\r\n", with: "\n")
    }

    /// The parts of a multipart body: the content between `--boundary`
    /// delimiter lines, without the line break before each delimiter. An
    /// unterminated last part runs to the end of the body.
    static func splitMultipart(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        let delimiter = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let newline = body[lineStart...].firstIndex(of: .lf) ?? body.endIndex
            var lineEnd = newline
            if lineEnd > lineStart, body[lineEnd - 1] == .cr { lineEnd -= 1 }
            let line = body[lineStart..<lineEnd]
            let next = newline == body.endIndex ? newline : newline + 1
            if line.starts(with: delimiter) {
                var rest = line.dropFirst(delimiter.count)
                let closing = rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
                if closing { rest = rest.dropFirst(2) }
                if rest.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                    if let start = partStart {
                        var end = lineStart
                        if end > start, body[end - 1] == .lf { end -= 1 }
                        if end > start, body[end - 1] == .cr { end -= 1 }
                        parts.append(body[start..<max(start, end)])
                    }
                    if closing || parts.count >= maxParts { return parts }
                    partStart = next
                }
            }
            lineStart = next
        }
        if let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        return parts
    }
}
