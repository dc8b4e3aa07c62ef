import CLinux
import Glibc
import PurserKit
import PurserMetrics
import PurserRPC
import Synchronization

/// An HTTP/1.1 server on the `purser/1` event loops and TLS session (ALPN
/// `http/1.1`, TLS 1.3 unless `allowTLS12`); handlers run as Swift tasks.
///
/// Guarantees: requests of one connection are answered in order (pipelined
/// ones too); a malformed request is answered 4xx/5xx with a stable `reason`
/// and its connection closed; a slow or hostile connection (slow headers,
/// a huge body, not reading) only affects itself. Call `shutdown()` before
/// dropping the server.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let shared: HTTPServerShared
    private let registry: MetricsRegistry?
    private let running = Mutex<Running?>(nil)

    struct Running: @unchecked Sendable {
        var loops: [EventLoop]
        var listenFD: Int32
        var acceptors: [HTTPAcceptor]
    }

    /// - Parameter metrics: where the server's open connections and its
    ///   event loops' lag are exported; none when nil.
    public init(configuration: HTTPServerConfiguration, router: HTTPRouter, logger: Logger, metrics: MetricsRegistry? = nil) {
        self.configuration = configuration
        self.shared = HTTPServerShared(router: router, limits: configuration.limits, logger: logger)
        self.registry = metrics
        if let metrics {
            let shared = self.shared
            metrics.collect("purser_http_server_connections", help: "HTTP connections open.", kind: .gauge) {
                [MetricSample([], Double(shared.openConnections.load(ordering: .relaxed)))]
            }
        }
    }

    /// Binds, starts the event loops and returns the bound port. Throws
    /// `HTTPError` 500 `plaintext_not_allowed` for plain HTTP on a non-loopback
    /// address or without the setting (unless `allowPlaintextOnAnyAddress`),
    /// and the RPC layer's `tls_configuration` or `bind_failed` errors.
    @discardableResult
    public func start() throws -> Int {
        guard running.withLock({ $0 == nil }) else {
            throw RPCError(.failedPrecondition, "the server is already running", reason: "already_started")
        }
        if let tls = configuration.tls {
            shared.install(tls: try TLSContext(tls, role: .server, applicationProtocol: .http11, allowTLS12: configuration.allowTLS12),
                           handshakeTimeout: tls.handshakeTimeout)
        } else {
            guard configuration.allowPlaintextOnAnyAddress
                    || (configuration.allowPlaintextOnLoopback && HTTPServerConfiguration.isLoopback(configuration.host)) else {
                throw HTTPError(.internalServerError, reason: "plaintext_not_allowed",
                                detail: "plain HTTP is served only on a loopback address with allowPlaintextOnLoopback")
            }
        }
        var boundPort: Int32 = 0
        let fd = purser_tcp_listen(configuration.host, Int32(configuration.port), 1024, 0, &boundPort)
        guard fd >= 0 else {
            throw RPCError(.unavailable, "cannot listen on \(configuration.host):\(configuration.port): \(String(cString: strerror(-fd)))", reason: "bind_failed")
        }
        var loops: [EventLoop] = []
        var acceptors: [HTTPAcceptor] = []
        do {
            for index in 0..<configuration.eventLoops {
                let loop = try EventLoop(name: "purser-http-\(index)")
                loops.append(loop)
                acceptors.append(HTTPAcceptor(loop: loop, listenFD: fd, shared: shared))
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
        shared.logger.info("http server listening", ["port": "\(boundPort)", "tls": configuration.tls == nil ? "off" : "on"])
        return Int(boundPort)
    }

    /// Connections currently open.
    public var openConnectionCount: Int { shared.openConnections.load(ordering: .acquiring) }

    /// Graceful drain: stops accepting; closes connections waiting for a
    /// request; lets requests in progress finish (their responses carry
    /// `Connection: close`) for up to `gracePeriod`; then closes whatever is
    /// left (cancelling its handlers) and stops the loops. Safe to call more than once.
    public func shutdown(gracePeriod: Duration = .zero) async {
        guard let current = running.withLock({ running -> Running? in
            defer { running = nil }
            return running
        }) else { return }
        await EventLoop.onEach(current.loops, current.acceptors) { $0.drain() }
        let deadline = ContinuousClock.now.advanced(by: gracePeriod)
        while openConnectionCount > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        await EventLoop.onEach(current.loops, current.acceptors) { $0.closeAll() }
        Glibc.close(current.listenFD)
        for loop in current.loops { loop.stopAndWait() }
        shared.logger.info("http server stopped")
    }
}

/// What every connection of one server reads: routes, TLS, limits, and the
/// count of connections per client address.
final class HTTPServerShared: @unchecked Sendable {
    let router: HTTPRouter
    let limits: HTTPServerLimits
    let logger: Logger
    let openConnections = Atomic<Int>(0)
    private let perAddress = Mutex<[String: Int]>([:])
    // Written once by `install` before any loop starts, read-only afterwards.
    private(set) var tls: TLSContext?
    private(set) var handshakeTimeout: Duration = .seconds(10)

    init(router: HTTPRouter, limits: HTTPServerLimits, logger: Logger) {
        self.router = router
        self.limits = limits
        self.logger = logger
    }

    func install(tls: TLSContext, handshakeTimeout: Duration) {
        self.tls = tls
        self.handshakeTimeout = handshakeTimeout
    }

    /// Counts a connection from `address`; false (nothing counted) when it already has the maximum.
    func admit(_ address: String) -> Bool {
        perAddress.withLock { counts in
            let count = counts[address, default: 0]
            guard count < limits.maximumConnectionsPerAddress else { return false }
            counts[address] = count + 1
            return true
        }
    }

    func release(_ address: String) {
        perAddress.withLock { counts in
            let count = counts[address, default: 1] - 1
            counts[address] = count > 0 ? count : nil
        }
    }

    /// The IP address of `address:port` or `[v6]:port`.
    static func host(of remote: String) -> String {
        if remote.hasPrefix("["), let close = remote.firstIndex(of: "]") {
            return String(remote[remote.index(after: remote.startIndex)..<close])
        }
        guard let colon = remote.lastIndex(of: ":") else { return remote }
        return String(remote[..<colon])
    }
}

/// Accepts connections on one loop from the listening socket shared by all
/// loops, and keeps that loop's live connections.
final class HTTPAcceptor: EventHandler, @unchecked Sendable {
    let loop: EventLoop
    let listenFD: Int32
    let shared: HTTPServerShared
    private var listening = false
    private var connections: [ObjectIdentifier: HTTPServerConnection] = [:]

    init(loop: EventLoop, listenFD: Int32, shared: HTTPServerShared) {
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
                if -fd != EAGAIN && -fd != EWOULDBLOCK { shared.logger.warning("accept failed", ["errno": "\(-fd)"]) }
                return
            }
            let remote = String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            accepted(fd: fd, remoteAddress: remote)
        }
    }

    private func accepted(fd: Int32, remoteAddress: String) {
        let host = HTTPServerShared.host(of: remoteAddress)
        guard shared.admit(host) else {
            Glibc.close(fd)
            return
        }
        let transport: StreamTransport
        if let context = shared.tls {
            guard let session = try? TLSSession(context: context, fd: fd, serverName: nil) else {
                shared.release(host)
                Glibc.close(fd)
                return
            }
            transport = session
        } else {
            transport = PlainTransport(fd: fd)
        }
        shared.openConnections.add(1, ordering: .relaxed)
        let connection = HTTPServerConnection(loop: loop, fd: fd, transport: transport, shared: shared, remoteAddress: remoteAddress)
        connections[ObjectIdentifier(connection)] = connection
        connection.onClose = { [unowned self] connection in
            connections[ObjectIdentifier(connection)] = nil
            shared.openConnections.subtract(1, ordering: .releasing)
            shared.release(host)
        }
        connection.begin()
    }

    /// Stops accepting here and asks every connection to finish its request in progress, then close.
    func drain() {
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
