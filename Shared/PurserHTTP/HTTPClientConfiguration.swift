import PurserRPC

/// Where an `HTTPClient` connects and how.
public struct HTTPClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Trust roots (and optionally a client certificate); nil speaks plain
    /// HTTP, allowed only to a loopback host.
    public var tls: TLSConfiguration?
    /// The name the server certificate must carry (default: `host`).
    public var serverName: String?
    /// Accept a TLS 1.2 server as well as TLS 1.3.
    public var allowTLS12: Bool
    /// Longest a request may take, from sending to the response's end.
    public var requestTimeout: Duration
    /// Idle connections kept for reuse.
    public var maximumIdleConnections: Int
    /// Largest response body collected; a larger one fails the request (`response_too_large`).
    public var maximumResponseBodySize: Int

    public init(host: String, port: Int, tls: TLSConfiguration?, serverName: String? = nil, allowTLS12: Bool = false,
                requestTimeout: Duration = .seconds(30), maximumIdleConnections: Int = 8, maximumResponseBodySize: Int = 16 << 20) {
        self.host = host
        self.port = port
        self.tls = tls
        self.serverName = serverName
        self.allowTLS12 = allowTLS12
        self.requestTimeout = requestTimeout
        self.maximumIdleConnections = maximumIdleConnections
        self.maximumResponseBodySize = maximumResponseBodySize
    }
}

/// A request an `HTTPClient` sends.
public struct HTTPClientRequest: Sendable {
    /// How the body is sent.
    public enum Body: Sendable {
        case none
        /// With `Content-Length`.
        case bytes([UInt8])
        /// With `Transfer-Encoding: chunked`, one chunk per element (empty elements skipped).
        case chunked([[UInt8]])
    }

    public var method: String
    public var target: String
    public var headers: HTTPHeaders
    public var body: Body

    public init(method: String = "GET", target: String, headers: HTTPHeaders = HTTPHeaders(), body: Body = .none) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The request's bytes: request line, `Host` (unless given), the framing
    /// fields the body needs (replacing any given), then the body.
    func encoded(host: String) -> [UInt8] {
        var output = Array("\(method) \(target) HTTP/1.1\r\n".utf8)
        func field(_ name: String, _ value: String) { output.append(contentsOf: "\(name): \(value)\r\n".utf8) }
        if headers["Host"] == nil { field("Host", host) }
        for header in headers where !header.name.asciiCaseInsensitiveEquals("Content-Length")
            && !header.name.asciiCaseInsensitiveEquals("Transfer-Encoding") {
            field(header.name, header.value)
        }
        switch body {
        case .none:
            output.append(contentsOf: "\r\n".utf8)
        case .bytes(let bytes):
            field("Content-Length", "\(bytes.count)")
            output.append(contentsOf: "\r\n".utf8)
            output.append(contentsOf: bytes)
        case .chunked(let chunks):
            field("Transfer-Encoding", "chunked")
            output.append(contentsOf: "\r\n".utf8)
            for chunk in chunks where !chunk.isEmpty { HTTPResponseWriter.chunk(chunk, into: &output) }
            output.append(contentsOf: HTTPResponseWriter.lastChunk)
        }
        return output
    }
}

/// A complete response, body collected.
public struct HTTPClientResponse: Sendable, Equatable {
    public var head: HTTPResponseHead
    public var body: [UInt8]
    public var trailers: HTTPHeaders

    public var status: HTTPStatus { head.status }
    public var headers: HTTPHeaders { head.headers }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
