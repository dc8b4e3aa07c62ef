/// Maps a method and path to a handler. Path patterns are literal segments
/// and `{name}` segments, which match one non-empty segment and appear in
/// `HTTPRequest.parameters`. Each route says how large a body it accepts.
public struct HTTPRouter: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    /// One registered route.
    public struct Route: Sendable {
        public let method: String
        public let pattern: String
        /// Largest body accepted; a larger `Content-Length` is refused with 413 before the body is read.
        public let maximumBodySize: Int64
        public let handler: Handler
        let segments: [Substring]
        /// For each segment, the parameter it binds (`{name}`), or nil for literal text.
        let parameterNames: [String?]
    }

    /// The body size a route accepts unless it says otherwise (1 MiB).
    public static let defaultMaximumBodySize: Int64 = 1 << 20
    private var routes: [Route] = []

    public init() {}

    /// Adds a route for `method` on `pattern` (e.g. `/v1/agents/{agent}/balance`).
    public mutating func add(_ method: String, _ pattern: String, maximumBodySize: Int64 = HTTPRouter.defaultMaximumBodySize,
                             _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let names = segments.map { $0.hasPrefix("{") && $0.hasSuffix("}") && $0.count > 2 ? String($0.dropFirst().dropLast()) : nil }
        routes.append(Route(method: method, pattern: pattern, maximumBodySize: maximumBodySize, handler: handler,
                            segments: segments, parameterNames: names))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add("GET", pattern, handler) }

    public mutating func post(_ pattern: String, maximumBodySize: Int64 = HTTPRouter.defaultMaximumBodySize,
                              _ handler: @escaping Handler) {
        add("POST", pattern, maximumBodySize: maximumBodySize, handler)
    }

    /// What a request resolves to.
    public enum Match: Sendable {
        case route(Route, parameters: [String: String])
        /// The path exists for other methods: these (for the `Allow` header).
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// The first route whose method and pattern match the request's path; a
    /// `HEAD` request without a route of its own is served by the `GET` route
    /// (the server sends its head without the body).
    public func match(method: String, path: Substring) -> Match {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var allowed: [String] = []
        var getRoute: (Route, [String: String])?
        for route in routes {
            guard let parameters = Self.parameters(route, segments) else { continue }
            if route.method == method { return .route(route, parameters: parameters) }
            if method == "HEAD" && route.method == "GET" && getRoute == nil { getRoute = (route, parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if let (route, parameters) = getRoute { return .route(route, parameters: parameters) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func parameters(_ route: Route, _ path: [Substring]) -> [String: String]? {
        guard route.segments.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for index in path.indices {
            let actual = path[index]
            if let name = route.parameterNames[index] {
                guard !actual.isEmpty else { return nil }
                parameters[name] = String(actual)
            } else if route.segments[index] != actual {
                return nil
            }
        }
        return parameters
    }
}
