import Synchronization

/// Maps full method names to handlers. Register every method before
/// `RPCServer.start()`; the server takes a snapshot then.
///
/// Handlers run as Swift tasks, never on an event-loop thread. A handler that
/// throws `RPCError` answers with that status (plus `reason` metadata); any
/// other error answers `INTERNAL` with a generic message and is logged.
public final class RPCRouter: Sendable {
    /// A handler over raw message bytes.
    public typealias Handler = @Sendable ([UInt8], ServerContext) async throws -> [UInt8]

    private let routes = Mutex<[String: Handler]>([:])

    public init() {}

    /// Registers (or replaces) the handler of `fullName`.
    public func register(_ fullName: String, _ handler: @escaping Handler) {
        routes.withLock { $0[fullName] = handler }
    }

    /// Registered method names, sorted.
    public var methods: [String] { routes.withLock { $0.keys.sorted() } }

    func snapshot() -> [String: Handler] { routes.withLock { $0 } }
}
