/// One request as a handler sees it: the head, the route's path
/// parameters, the client's address, and the body as an async sequence of
/// pieces (read it, or `collect(upTo:)` it).
public struct HTTPRequest: Sendable {
    public let head: HTTPRequestHead
    /// Values of the route's `{name}` segments.
    public let parameters: [String: String]
    /// The client's `address:port`.
    public let remoteAddress: String
    public let body: HTTPRequestBody

    public init(head: HTTPRequestHead, parameters: [String: String] = [:], remoteAddress: String = "", body: HTTPRequestBody) {
        self.head = head
        self.parameters = parameters
        self.remoteAddress = remoteAddress
        self.body = body
    }

    public var method: String { head.method }
    public var target: String { head.target }
    public var path: Substring { head.path }
    public var headers: HTTPHeaders { head.headers }
}

/// A request body, read piece by piece as the client sends it. The first
/// read is what accepts the body: a client that sent `Expect: 100-continue`
/// gets `100 Continue` then, and not before. Reading past the route's
/// `maximumBodySize` throws `HTTPError` 413 `content_too_large`; a malformed
/// body throws the parser's error as `HTTPError`. One reader at a time.
public struct HTTPRequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let source: HTTPRequestBodySource

    init(source: HTTPRequestBodySource) { self.source = source }

    /// A body already complete (tests, or handlers called directly).
    public init(bytes: [UInt8]) { source = .complete(bytes) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: HTTPRequestBodySource

        public mutating func next() async throws -> [UInt8]? { try await source.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }

    /// The whole body; throws `HTTPError` 413 `content_too_large` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await piece in self {
            guard bytes.count + piece.count <= limit else {
                throw HTTPError(.contentTooLarge, reason: "content_too_large")
            }
            bytes.append(contentsOf: piece)
        }
        return bytes
    }
}
