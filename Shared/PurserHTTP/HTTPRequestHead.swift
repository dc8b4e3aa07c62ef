/// The request line and header fields of one request, with what the parser
/// derived from them.
public struct HTTPRequestHead: Sendable, Equatable {
    /// The method token, case-sensitive (`GET`, `POST`…).
    public var method: String
    /// The request target as sent (`/v1/x?y=z`, `*`, an absolute URI…).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// How the body is delimited: `.none`, `.length` or `.chunked`.
    public var framing: HTTPBodyFraming
    /// The client sent `Expect: 100-continue` (HTTP/1.1) and waits before sending the body.
    public var expectsContinue: Bool
    /// The connection may carry another request after this one.
    public var keepAlive: Bool

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
                framing: HTTPBodyFraming = .none, expectsContinue: Bool = false, keepAlive: Bool = true) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = framing
        self.expectsContinue = expectsContinue
        self.keepAlive = keepAlive
    }

    /// The path part of the target (before `?`).
    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    /// The query part of the target (after `?`), if any.
    public var query: Substring? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: mark)...]
    }
}

/// The status line and header fields of one response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    /// How the body is delimited.
    public var framing: HTTPBodyFraming
    /// The connection may carry another request after this response.
    public var keepAlive: Bool

    public init(version: HTTPVersion = .http1_1, status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(),
                framing: HTTPBodyFraming = .none, keepAlive: Bool = true) {
        self.version = version
        self.status = status
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
    }
}
