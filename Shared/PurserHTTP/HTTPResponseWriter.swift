/// Serialises response heads and body framing (RFC 9112): the status line,
/// header fields (with the framing fields the server owns), chunk framing.
enum HTTPResponseWriter {
    /// `HTTP/1.1 100 Continue` and its empty line.
    static let continueHead: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The response head. `Content-Length`, `Transfer-Encoding` and
    /// `Connection` from the handler are replaced by what `framing` and
    /// `close` say, so a handler cannot desynchronise the connection.
    /// Header names or values with CR, LF or other bytes not allowed in a
    /// field are dropped (no response splitting).
    /// `date`, when given and the handler set none, is sent as `Date` (RFC 9110 §6.6.1).
    static func head(status: HTTPStatus, headers: HTTPHeaders, framing: HTTPBodyFraming, close: Bool, date: String? = nil,
                     into output: inout [UInt8]) {
        output.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        if let date, headers["Date"] == nil { append(field: "Date", value: date, into: &output) }
        for field in headers {
            let name = field.name
            if name.asciiCaseInsensitiveEquals("Content-Length") || name.asciiCaseInsensitiveEquals("Transfer-Encoding")
                || name.asciiCaseInsensitiveEquals("Connection") { continue }
            guard HTTPSyntax.isToken(name.utf8), field.value.utf8.allSatisfy(HTTPSyntax.isFieldValueByte) else { continue }
            append(field: name, value: field.value, into: &output)
        }
        switch framing {
        case .length(let length): append(field: "Content-Length", value: "\(length)", into: &output)
        case .chunked: append(field: "Transfer-Encoding", value: "chunked", into: &output)
        case .none, .untilClose: break
        }
        if close { append(field: "Connection", value: "close", into: &output) }
        output.append(contentsOf: [HTTPSyntax.cr, HTTPSyntax.lf])
    }

    /// One chunk of a chunked body (`bytes` must not be empty).
    static func chunk(_ bytes: [UInt8], into output: inout [UInt8]) {
        output.append(contentsOf: String(bytes.count, radix: 16).utf8)
        output.append(contentsOf: [HTTPSyntax.cr, HTTPSyntax.lf])
        output.append(contentsOf: bytes)
        output.append(contentsOf: [HTTPSyntax.cr, HTTPSyntax.lf])
    }

    /// The last chunk and an empty trailer section.
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    private static func append(field name: String, value: String, into output: inout [UInt8]) {
        output.append(contentsOf: name.utf8)
        output.append(contentsOf: ": ".utf8)
        output.append(contentsOf: value.utf8)
        output.append(contentsOf: [HTTPSyntax.cr, HTTPSyntax.lf])
    }
}
