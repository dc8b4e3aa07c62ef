/// A pure HTTP/1.1 response parser for the client side: status line, header
/// fields, then a body delimited by `Content-Length`, the chunked coding or
/// the connection's close (RFC 9112 §6.3). No I/O. Interim (1xx) responses
/// are reported as heads followed directly by the final response's head.
public struct HTTPResponseParser: Sendable {
    public enum Event: Sendable, Equatable {
        case head(HTTPResponseHead)
        /// A non-empty piece of the body.
        case body([UInt8])
        /// The final response is complete.
        case end(trailers: HTTPHeaders)
    }

    private enum State: Sendable {
        case head(HTTPHeadReader)
        case body(HTTPBodyDecoder)
        case failed(HTTPParseError)
    }

    public let maximumHeadSize: Int
    private var buffer = HTTPByteBuffer()
    private var state: State
    /// The response answers a HEAD request: it has no body whatever it announces.
    private var answersHead = false

    public init(maximumHeadSize: Int = 64 * 1024) {
        self.maximumHeadSize = maximumHeadSize
        self.state = .head(HTTPResponseParser.headReader(maximumHeadSize))
    }

    private static func headReader(_ maximumHeadSize: Int) -> HTTPHeadReader {
        HTTPHeadReader(maximumSize: maximumHeadSize,
                       firstLineTooLong: .bad("status_line_too_long"), headTooLarge: .bad("header_block_too_large"),
                       skipsLeadingEmptyLines: false)
    }

    /// Declares the method of the request the next response answers (call before it arrives).
    public mutating func expectResponse(toMethod method: String) { answersHead = method == "HEAD" }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(bytes) }
    public mutating func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 { buffer.append(contentsOf: bytes) }

    /// The next event, or nil until more bytes are appended. Errors are final.
    public mutating func next() throws(HTTPParseError) -> Event? {
        switch state {
        case .failed(let error):
            throw error
        case .head(var reader):
            do {
                guard let lines = try reader.read(from: &buffer) else {
                    state = .head(reader)
                    return nil
                }
                let head = try responseHead(lines)
                if head.status.isInformational {
                    state = .head(Self.headReader(maximumHeadSize))
                } else {
                    state = .body(HTTPBodyDecoder(framing: head.framing, maximumTrailerSize: maximumHeadSize))
                }
                return .head(head)
            } catch {
                state = .failed(error)
                throw error
            }
        case .body(var decoder):
            do {
                guard let output = try decoder.next(from: &buffer) else {
                    state = .body(decoder)
                    return nil
                }
                return finishing(output, decoder: decoder)
            } catch {
                state = .failed(error)
                throw error
            }
        }
    }

    /// The server closed the connection: ends a close-delimited body; throws
    /// `truncated_response` when a response was partly received.
    public mutating func finish() throws(HTTPParseError) -> Event? {
        switch state {
        case .failed(let error):
            throw error
        case .head:
            guard buffer.count == 0 else {
                state = .failed(.bad("truncated_response"))
                throw .bad("truncated_response")
            }
            return nil
        case .body(var decoder):
            do {
                guard let output = try decoder.finish() else { return nil }
                return finishing(output, decoder: decoder)
            } catch {
                state = .failed(.bad("truncated_response"))
                throw .bad("truncated_response")
            }
        }
    }

    private mutating func finishing(_ output: HTTPBodyDecoder.Output, decoder: HTTPBodyDecoder) -> Event {
        switch output {
        case .body(let bytes):
            state = .body(decoder)
            return .body(bytes)
        case .end(let trailers):
            state = .head(Self.headReader(maximumHeadSize))
            answersHead = false
            return .end(trailers: trailers)
        }
    }

    /// `HTTP-version SP status-code SP [ reason-phrase ]`, then field lines and framing.
    private func responseHead(_ lines: [ArraySlice<UInt8>]) throws(HTTPParseError) -> HTTPResponseHead {
        guard let statusLine = lines.first else { throw .bad("invalid_status_line") }
        let parts = statusLine.split(separator: HTTPSyntax.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let version = HTTPSyntax.version(parts[0]), parts[1].count == 3 else {
            throw .bad("invalid_status_line")
        }
        guard version.major == 1 else { throw .bad("unsupported_http_version") }
        var code = 0
        for byte in parts[1] {
            guard let digit = HTTPSyntax.digit(byte) else { throw .bad("invalid_status_line") }
            code = code * 10 + digit
        }
        guard code >= 100 else { throw .bad("invalid_status_line") }
        let phrase = parts.count == 3 ? String(decoding: parts[2], as: UTF8.self) : ""
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            let field = try HTTPSyntax.fieldLine(line)
            headers.add(name: field.name, value: field.value)
        }
        let status = HTTPStatus(code: code, reasonPhrase: phrase)
        let framing: HTTPBodyFraming
        if status.isInformational || code == 204 || code == 304 || answersHead {
            framing = .none
        } else {
            framing = try HTTPBodyFraming.parse(headers, allowsUntilClose: true)
        }
        let persistent = version.minor >= 1
            ? !headers.contains("Connection", token: "close")
            : headers.contains("Connection", token: "keep-alive")
        return HTTPResponseHead(version: version, status: status, headers: headers, framing: framing,
                                keepAlive: persistent && framing != .untilClose)
    }
}
