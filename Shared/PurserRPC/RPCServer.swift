import CLinux
import Glibc
import PurserKit
import PurserMetrics
import Synchronization

/// A `purser/1` server: TLS 1.3 on epoll event loops, handlers run as Swift tasks.
///
/// Guarantees: a slow handler never stalls a loop; a misbehaving connection
/// (garbage, no handshake, not reading) only ever affects itself;
/// `shutdown(gracePeriod:)` stops accepting, sends GOAWAY, lets in-flight
/// calls finish within the grace period and then closes everything.
/// Every server answers `purser.health.v1.Health/Check`. Its loop threads run
/// until `shutdown(gracePeriod:)`; call it before dropping the server.
public final class RPCServer: Sendable {
    public let configuration: ServerConfiguration
    let shared: ServerShared
    private let router: RPCRouter
    private let registry: MetricsRegistry?
    private let running = Mutex<Running?>(nil)

    struct Running: @unchecked Sendable {
        var loops: [EventLoop]
        var listenFD: Int32
        var acceptors: [Acceptor]
    }

    /// - Parameter healthCheck: consulted by `Health/Check`; `false` answers `NOT_SERVING`
    ///   (e.g. "PostgreSQL unreachable"). The server also answers `NOT_SERVING` while draining.
    /// - Parameter metrics: where the server's series go (calls by method and
    ///   code, latency, connections, event-loop lag); none when nil.
    public init(configuration: ServerConfiguration, router: RPCRouter, logger: Logger,
                healthCheck: (@Sendable () async -> Bool)? = nil, metrics: MetricsRegistry? = nil) {
        self.configuration = configuration
        self.router = router
        self.registry = metrics
        self.shared = ServerShared(limits: configuration.limits, logger: logger, healthCheck: healthCheck)
    }

    /// Binds, starts the event loops and returns the bound port.
    /// Throws `RPCError` with reason `tls_configuration`, `bind_failed` or `already_started`.
    @discardableResult
    public func start() throws -> Int {
        guard running.withLock({ $0 == nil }) else {
            throw RPCError(.failedPrecondition, "the server is already running", reason: "already_started")
        }
        let tls = try TLSContext(configuration.tls, role: .server)
        var handlers = router.snapshot()
        handlers[Health.check.fullName] = Health.handler(server: shared)
        let series = registry.map { RPCServerMetrics.register(in: $0, methods: Array(handlers.keys), shared: shared) } ?? [:]
        var routes: [String: ServedMethod] = [:]
        for (method, handler) in handlers { routes[method] = ServedMethod(handler: handler, metrics: series[method]) }
        shared.install(routes: routes, tls: tls, handshakeTimeout: configuration.tls.handshakeTimeout)

        var boundPort: Int32 = 0
        let fd = purser_tcp_listen(configuration.host, Int32(configuration.port), 1024, configuration.reusePort ? 1 : 0, &boundPort)
        guard fd >= 0 else {
            throw RPCError(.unavailable, "cannot listen on \(configuration.host):\(configuration.port): \(String(cString: strerror(-fd)))", reason: "bind_failed")
        }
        var loops: [EventLoop] = []
        var acceptors: [Acceptor] = []
        do {
            for index in 0..<configuration.eventLoops {
                let loop = try EventLoop(name: "purser-rpc-\(index)")
                loops.append(loop)
                acceptors.append(Acceptor(loop: loop, listenFD: fd, shared: shared))
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        for (loop, acceptor) in zip(loops, acceptors) {
            loop.start()
            loop.execute { acceptor.listen() }
        }
        if let registry { EventLoopLagProbe.start(on: loops, registry: registry) }
        running.withLock { $0 = Running(loops: loops, listenFD: fd, acceptors: acceptors) }
        shared.logger.info("rpc server listening", ["port": "\(boundPort)", "event_loops": "\(loops.count)"])
        return Int(boundPort)
    }

    /// Whether `shutdown` has begun.
    public var isDraining: Bool { shared.draining.load(ordering: .acquiring) }

    /// Connections currently open (including those still handshaking).
    public var openConnectionCount: Int { shared.openConnections.load(ordering: .acquiring) }

    /// What `Health/Check` answers right now.
    public func healthStatus() async -> ServingStatus { await shared.servingStatus() }

    /// Graceful drain: stop accepting, GOAWAY every connection (streams above
    /// its last stream are refused with `UNAVAILABLE`), wait up to
    /// `gracePeriod` for in-flight calls, then close whatever is left and stop
    /// the loops. Safe to call more than once.
    public func shutdown(gracePeriod: Duration) async {
        guard let current = running.withLock({ state -> Running? in defer { state = nil }; return state }) else { return }
        shared.draining.store(true, ordering: .releasing)
        shared.logger.info("rpc server draining", ["grace": "\(gracePeriod)"])
        await EventLoop.onEach(current.loops, current.acceptors) { acceptor in acceptor.drain() }
        Glibc.close(current.listenFD)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: gracePeriod)
        while shared.openConnections.load(ordering: .acquiring) > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        await EventLoop.onEach(current.loops, current.acceptors) { acceptor in acceptor.closeAll() }
        for loop in current.loops { loop.stopAndWait() }
        shared.logger.info("rpc server stopped")
    }
}

/// A registered method as connections see it: its handler and, when the
/// server exports metrics, its series.
struct ServedMethod: Sendable {
    let handler: RPCRouter.Handler
    let metrics: RPCMethodSeries?
}

/// State every connection of one server reads: routes, TLS context, limits.
final class ServerShared: @unchecked Sendable {
    let limits: ServerLimits
    let logger: Logger
    let healthCheck: (@Sendable () async -> Bool)?
    let draining = Atomic<Bool>(false)
    let openConnections = Atomic<Int>(0)
    let acceptedConnections = Atomic<Int>(0)
    // Written once by `install` before any loop starts, read-only afterwards.
    private(set) var routes: [String: ServedMethod] = [:]
    private(set) var tls: TLSContext?
    private(set) var handshakeTimeout: Duration = .seconds(10)

    init(limits: ServerLimits, logger: Logger, healthCheck: (@Sendable () async -> Bool)?) {
        self.limits = limits
        self.logger = logger
        self.healthCheck = healthCheck
    }

    func install(routes: [String: ServedMethod], tls: TLSContext, handshakeTimeout: Duration) {
        self.routes = routes
        self.tls = tls
        self.handshakeTimeout = handshakeTimeout
    }

    func servingStatus() async -> ServingStatus {
        if draining.load(ordering: .acquiring) { return .notServing }
        if let healthCheck, await !healthCheck() { return .notServing }
        return .serving
    }
}

/// Accepts connections on one loop from the listening socket shared by all
/// loops (EPOLLEXCLUSIVE wakes one loop per connection). Also the loop's
/// registry of live connections, for drain and forced close.
final class Acceptor: EventHandler, @unchecked Sendable {
    let loop: EventLoop
    let listenFD: Int32
    let shared: ServerShared
    private var listening = false
    private var draining = false
    private var connections: [ObjectIdentifier: ServerConnection] = [:]

    init(loop: EventLoop, listenFD: Int32, shared: ServerShared) {
        self.loop = loop
        self.listenFD = listenFD
        self.shared = shared
    }

    func listen() {
        listening = loop.register(listenFD, events: EpollEvents.readable | EpollEvents.exclusive, handler: self)
    }

    func handleEvent(_ events: UInt32) {
        var address = [CChar](repeating: 0, count: 64)
        for _ in 0..<64 {
            let fd = purser_tcp_accept(listenFD, &address, Int32(address.count))
            if fd < 0 {
                if -fd == EAGAIN || -fd == EWOULDBLOCK { return }
                shared.logger.warning("accept failed", ["errno": "\(-fd)"])
                return
            }
            let remote = String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            accepted(fd: fd, remoteAddress: remote)
        }
    }

    private func accepted(fd: Int32, remoteAddress: String) {
        guard let context = shared.tls, let session = try? TLSSession(context: context, fd: fd, serverName: nil) else {
            Glibc.close(fd)
            return
        }
        shared.openConnections.add(1, ordering: .relaxed)
        shared.acceptedConnections.add(1, ordering: .relaxed)
        let connection = ServerConnection(loop: loop, fd: fd, tls: session, shared: shared, remoteAddress: remoteAddress)
        connections[ObjectIdentifier(connection)] = connection
        connection.onClose = { [unowned self] connection in
            connections[ObjectIdentifier(connection)] = nil
            shared.openConnections.subtract(1, ordering: .releasing)
        }
        connection.begin(handshakeTimeout: shared.handshakeTimeout)
    }

    func drain() {
        draining = true
        if listening {
            loop.unregister(listenFD)
            listening = false
        }
        for connection in Array(connections.values) { connection.beginDrain() }
    }

    func closeAll() {
        for connection in Array(connections.values) { connection.close(because: "server shut down") }
    }
}
