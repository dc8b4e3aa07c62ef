/// A pure HTTP/1.1 request parser (RFC 9112), fed bytes in any split and
/// pulled for events: a head, body pieces, the end of the body (with any
/// trailers), then the next pipelined request. No I/O.
///
/// Strict by design, because a lenient parser behind or in front of another
/// one is how requests are smuggled: bare LF or CR, obs-fold, invalid field
/// names or values, `Content-Length` beside `Transfer-Encoding`, differing
/// `Content-Length`s, malformed chunk sizes or terminators, a missing or
/// repeated `Host` are 400; a `Content-Length` beyond Int64 413; an
/// unsupported transfer coding 501; an over-long request line 414; an
/// over-large header block or trailer section 431; an `Expect` other than
/// `100-continue` 417; a version other than 1.x 505. The first error is
/// final: every later `next()` throws it again.
///
/// Guarantee: the sequence of events and the error (concatenating body
/// pieces) depends only on the bytes, never on how `append` calls split them.
public struct HTTPRequestParser: Sendable {
    /// What the parser found.
    public enum Event: Sendable, Equatable {
        case head(HTTPRequestHead)
        /// A non-empty piece of the body.
        case body([UInt8])
        /// The body (possibly empty) is complete; trailers of a chunked body, else empty.
        case end(trailers: HTTPHeaders)
    }

    private enum State: Sendable {
        case head(HTTPHeadReader)
        case body(HTTPBodyDecoder)
        case failed(HTTPParseError)
    }

    /// Largest request line, and largest request line plus header fields (16 KiB by default).
    public let maximumHeadSize: Int
    private var buffer = HTTPByteBuffer()
    private var state: State

    public init(maximumHeadSize: Int = 16 * 1024) {
        self.maximumHeadSize = maximumHeadSize
        self.state = .head(HTTPRequestParser.headReader(maximumHeadSize))
    }

    private static func headReader(_ maximumHeadSize: Int) -> HTTPHeadReader {
        HTTPHeadReader(maximumSize: maximumHeadSize,
                       firstLineTooLong: HTTPParseError(.uriTooLong, "request_line_too_long"),
                       headTooLarge: HTTPParseError(.requestHeaderFieldsTooLarge, "header_block_too_large"),
                       skipsLeadingEmptyLines: true)
    }

    /// Buffers received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(bytes) }

    /// Buffers received bytes.
    public mutating func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 { buffer.append(contentsOf: bytes) }

    /// Bytes buffered and not yet returned in an event.
    public var bufferedByteCount: Int { buffer.count }

    /// Whether the parser is between requests (no head or body partly read).
    public var isAtMessageBoundary: Bool {
        if case .head = state { return buffer.count == 0 }
        return false
    }

    /// The next event, or nil until more bytes are appended.
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
                let head = try Self.requestHead(lines)
                state = .body(HTTPBodyDecoder(framing: head.framing, maximumTrailerSize: maximumHeadSize))
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
                switch output {
                case .body(let bytes):
                    state = .body(decoder)
                    return .body(bytes)
                case .end(let trailers):
                    state = .head(Self.headReader(maximumHeadSize))
                    return .end(trailers: trailers)
                }
            } catch {
                state = .failed(error)
                throw error
            }
        }
    }

    /// Builds the head from its lines: `method SP request-target SP HTTP-version`,
    /// then field lines; checks Host, framing and Expect.
    static func requestHead(_ lines: [ArraySlice<UInt8>]) throws(HTTPParseError) -> HTTPRequestHead {
        guard let requestLine = lines.first else { throw .bad("invalid_request_line") }
        let parts = requestLine.split(separator: HTTPSyntax.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, HTTPSyntax.isToken(parts[0]), !parts[1].isEmpty, parts[1].allSatisfy(HTTPSyntax.isTargetByte) else {
            throw .bad("invalid_request_line")
        }
        guard let version = HTTPSyntax.version(parts[2]) else { throw .bad("invalid_request_line") }
        guard version.major == 1 else { throw HTTPParseError(.httpVersionNotSupported, "unsupported_http_version") }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            let field = try HTTPSyntax.fieldLine(line)
            headers.add(name: field.name, value: field.value)
        }
        if version.minor >= 1 {
            let hosts = headers.values(for: "Host")
            guard !hosts.isEmpty else { throw .bad("missing_host") }
            guard hosts.count == 1 else { throw .bad("duplicate_host") }
        }
        if version.minor == 0 && !headers.values(for: "Transfer-Encoding").isEmpty {
            throw .bad("transfer_encoding_in_http10")
        }
        let framing = try HTTPBodyFraming.parse(headers, allowsUntilClose: false)
        var expectsContinue = false
        let expectations = headers.listValues(for: "Expect")
        if !expectations.isEmpty {
            guard expectations.allSatisfy({ String($0).asciiCaseInsensitiveEquals("100-continue") }) else {
                throw HTTPParseError(.expectationFailed, "unsupported_expectation")
            }
            expectsContinue = version.minor >= 1
        }
        let keepAlive = version.minor >= 1
            ? !headers.contains("Connection", token: "close")
            : headers.contains("Connection", token: "keep-alive")
        return HTTPRequestHead(method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
                               version: version, headers: headers, framing: framing, expectsContinue: expectsContinue,
                               keepAlive: keepAlive)
    }
}
