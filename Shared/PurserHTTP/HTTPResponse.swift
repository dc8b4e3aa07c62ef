import PurserJSON
/// What a handler answers: a status, header fields and a body that is
/// either buffered or streamed.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: HTTPResponseBody

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: HTTPResponseBody = HTTPResponseBody()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response body: bytes known up front (sent with `Content-Length`), or a
/// producer that writes pieces as they are ready (sent with
/// `Content-Length` when the length is given, else chunked).
public struct HTTPResponseBody: Sendable {
    enum Content: Sendable {
        case bytes([UInt8])
        case stream(length: Int64?, produce: @Sendable (HTTPBodyWriter) async throws -> Void)
    }

    let content: Content

    /// An empty body.
    public init() { content = .bytes([]) }

    /// A buffered body.
    public init(bytes: [UInt8]) { content = .bytes(bytes) }

    /// A buffered UTF-8 body.
    public init(string: String) { content = .bytes(Array(string.utf8)) }

    /// A streamed body: `produce` writes its pieces. With `length`, exactly that
    /// many bytes must be written (else the connection is closed, as the
    /// response is broken); without, the body is sent chunked.
    public init(length: Int64? = nil, _ produce: @escaping @Sendable (HTTPBodyWriter) async throws -> Void) {
        content = .stream(length: length, produce: produce)
    }
}

/// Writes the pieces of a streamed response body to the connection.
public struct HTTPBodyWriter: Sendable {
    let send: @Sendable ([UInt8]) async throws -> Void

    /// Sends `bytes` (an empty piece is skipped: it would end a chunked body).
    /// Throws when the connection closed.
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await send(bytes)
    }

    /// Sends the UTF-8 of `string`.
    public func write(_ string: String) async throws { try await write(Array(string.utf8)) }
}

/// An error a handler throws to answer with `status` and a stable `reason`
/// (sent as `application/problem+json`).
public struct HTTPError: Error, Sendable, Equatable {
    public let status: HTTPStatus
    public let reason: String
    public let detail: String

    public init(_ status: HTTPStatus, reason: String, detail: String = "") {
        self.status = status
        self.reason = reason
        self.detail = detail
    }

    /// Errors are the same when their status and reason are; the detail is prose.
    public static func == (a: HTTPError, b: HTTPError) -> Bool { a.status == b.status && a.reason == b.reason }

    /// The problem document (RFC 9457) for this error.
    public var response: HTTPResponse {
        var document = JSONObject()
        document["type"] = .string("about:blank")
        document["status"] = .integer(status.code)
        document["title"] = .string(status.reasonPhrase)
        document["reason"] = .string(reason)
        if !detail.isEmpty { document["detail"] = .string(detail) }
        return HTTPResponse(status: status, headers: ["Content-Type": "application/problem+json"],
                            body: HTTPResponseBody(bytes: JSONValue.object(document).serialized()))
    }
}

