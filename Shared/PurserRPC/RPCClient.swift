import CLinux
import Glibc
import PurserKit
import PurserWire
import Synchronization

/// A `purser/1` client: TLS 1.3 connections to one endpoint, many concurrent
/// calls multiplexed per connection, spread round robin over a small pool.
///
/// Guarantees: connections are made lazily and replaced after a failure or a
/// GOAWAY; a call's deadline and its task's cancellation both stop the wait
/// and send CANCEL.
///
/// Which failed attempts are repeated, within the call's deadline:
/// - **Provably never taken** — the connection was refused or closed before
///   its TLS handshake completed (requests wait for the handshake, so none was
///   sent), the call reached a connection already closing, or the server's
///   GOAWAY names a `last_stream` below the call (the server refuses such
///   streams unread). Repeated for every call, idempotent or not, on a fresh
///   connection: up to `maximumTransparentRetries` times, first at once, then
///   after 20, 40, 80, 160 ms (a restarting peer has about 0.3 s to come back).
///   These do not use up `maximumAttempts`; each counts as a transparent
///   retry, never as a failure.
/// - **Unknown** — the connection broke after the request was sent: the server
///   may have executed it. Repeated only for idempotent methods and calls
///   carrying an `idempotency-key` (a replay answers the original outcome),
///   while fewer than `maximumAttempts` attempts of this kind were made; any
///   other call fails `UNAVAILABLE` / `connection_lost`.
/// - **Answered** — any status from the server, and a wrong peer
///   (`wrong_peer`), a deadline or a cancellation: never repeated here.
///
/// `statistics` counts calls, attempts, both kinds of retry and the calls
/// that failed (threw to the caller).
public final class RPCClient: Sendable {
    public let configuration: ClientConfiguration
    private let logger: Logger
    private let context: TLSContext
    private let loops: [EventLoop]
    private let slots: Mutex<Pool>
    private let roundRobin = Atomic<Int>(0)
    private let counters = Counters()

    /// What the client did with the calls made through it, since it was made.
    public struct Statistics: Sendable, Equatable {
        /// Calls made (`call` invocations).
        public var calls = 0
        /// Attempts: requests handed to a connection, or connections tried for one.
        public var attempts = 0
        /// Attempts repeated because the server provably never took the previous one.
        public var transparentRetries = 0
        /// Attempts repeated after a connection broke with the call in flight
        /// (idempotent calls, or calls carrying an `idempotency-key`, only).
        public var idempotentRetries = 0
        /// Calls that ended with an error thrown to the caller.
        public var failures = 0

        public init() {}
    }

    private final class Counters: Sendable {
        let calls = Atomic<Int>(0)
        let attempts = Atomic<Int>(0)
        let transparentRetries = Atomic<Int>(0)
        let idempotentRetries = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
    }

    /// The counters so far.
    public var statistics: Statistics {
        var statistics = Statistics()
        statistics.calls = counters.calls.load(ordering: .relaxed)
        statistics.attempts = counters.attempts.load(ordering: .relaxed)
        statistics.transparentRetries = counters.transparentRetries.load(ordering: .relaxed)
        statistics.idempotentRetries = counters.idempotentRetries.load(ordering: .relaxed)
        statistics.failures = counters.failures.load(ordering: .relaxed)
        return statistics
    }

    /// Connection slots; `closed` is kept under the same lock so no connection is made after `close()`.
    struct Pool {
        var connections: [ClientConnection?]
        var closed = false
    }

    /// Loads the TLS material and starts the client's event loop(s); connects
    /// lazily on the first call. Throws `RPCError` with reason `tls_configuration`
    /// when a certificate, key or trust root cannot be loaded.
    public init(configuration: ClientConfiguration, logger: Logger) throws(RPCError) {
        self.configuration = configuration
        self.logger = logger
        self.context = try TLSContext(configuration.tls, role: .client)
        var loops: [EventLoop] = []
        for index in 0..<configuration.eventLoops {
            let loop = try EventLoop(name: "purser-rpc-client-\(index)")
            loop.start()
            loops.append(loop)
        }
        self.loops = loops
        self.slots = Mutex(Pool(connections: Array(repeating: nil, count: configuration.connections)))
    }

    deinit { close() }

    /// Calls `method` with raw message bytes. Non-OK statuses and transport
    /// failures throw `RPCError` (`reason` taken from the response metadata).
    public func call(
        _ method: String, _ request: [UInt8], metadata: Metadata = [:], timeout: Duration? = nil, idempotent: Bool = false
    ) async throws(RPCError) -> RPCResponse {
        counters.calls.add(1, ordering: .relaxed)
        do {
            return try await callWithRetries(method, request, metadata: metadata, timeout: timeout, idempotent: idempotent)
        } catch {
            counters.failures.add(1, ordering: .relaxed)
            throw error
        }
    }

    private func callWithRetries(
        _ method: String, _ request: [UInt8], metadata: Metadata, timeout: Duration?, idempotent: Bool
    ) async throws(RPCError) -> RPCResponse {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        let retriable = idempotent || metadata["idempotency-key"] != nil
        var attempt = 1
        var transparentRetries = 0
        while true {
            var remaining: Duration?
            if let deadline {
                remaining = deadline - clock.now
                if let left = remaining, left <= .zero { throw RPCError(.deadlineExceeded, "deadline exceeded") }
            }
            counters.attempts.add(1, ordering: .relaxed)
            switch await attemptCall(method, request, metadata: metadata, timeout: remaining) {
            case .response(let status, let message, let responseMetadata, let body):
                guard status == .ok else {
                    throw RPCError(status, message, reason: responseMetadata["reason"], metadata: responseMetadata)
                }
                return RPCResponse(body: body, metadata: responseMetadata)
            case .failed(let error, let retry):
                guard !Task.isCancelled else { throw error }
                switch retry {
                case .never:
                    throw error
                case .safe:
                    guard transparentRetries < configuration.maximumTransparentRetries else { throw error }
                    if transparentRetries > 0 { try? await Task.sleep(for: .milliseconds(10 << transparentRetries)) }
                    transparentRetries += 1
                    counters.transparentRetries.add(1, ordering: .relaxed)
                case .ifIdempotent:
                    guard retriable, attempt < configuration.maximumAttempts else { throw error }
                    if attempt > 1 { try? await Task.sleep(for: .milliseconds(20 * attempt)) }
                    attempt += 1
                    counters.idempotentRetries.add(1, ordering: .relaxed)
                }
            }
        }
    }

    /// Calls a typed method; idempotency comes from the descriptor.
    public func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, metadata: Metadata = [:], timeout: Duration? = nil
    ) async throws(RPCError) -> Response {
        let response = try await call(method.fullName, request.serializedBytes(), metadata: metadata, timeout: timeout,
                                      idempotent: method.idempotent)
        do {
            return try Response(serializedBytes: response.body)
        } catch {
            throw RPCError(.internal, "response message could not be decoded: \(error)", reason: "invalid_response")
        }
    }

    /// Closes every connection (in-flight calls fail with `UNAVAILABLE`) and stops the loops.
    /// Must not be called from inside a call's continuation on a loop thread.
    public func close() {
        let connections = slots.withLock { pool -> [ClientConnection]? in
            guard !pool.closed else { return nil }
            pool.closed = true
            defer { pool.connections = Array(repeating: nil, count: pool.connections.count) }
            return pool.connections.compactMap { $0 }
        }
        guard let connections else { return }
        for connection in connections {
            connection.loop.execute { connection.close(because: "client closed") }
        }
        for loop in loops { loop.stopAndWait() }
    }

    private func attemptCall(_ method: String, _ request: [UInt8], metadata: Metadata, timeout: Duration?) async -> CallOutcome {
        if Task.isCancelled { return .failed(RPCError(.cancelled, "call cancelled"), .never) }
        let connection: ClientConnection
        switch pickConnection() {
        case .success(let picked): connection = picked
        case .failure(let error): return .failed(error, error.reason == "client_closed" ? .never : .safe)
        }
        let stream = connection.allocateStream()
        var milliseconds: UInt32 = 0
        if let timeout {
            milliseconds = UInt32(clamping: max(1, timeout.microseconds / 1_000))
        }
        let frame = Frame.request(stream: stream, method: method, timeoutMilliseconds: milliseconds, metadata: metadata, message: request)
        let cancellation = CallCancellation()
        let loop = connection.loop
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CallOutcome, Never>) in
                loop.execute {
                    connection.start(stream: stream, frame: frame, timeout: timeout, cancellation: cancellation, continuation: continuation)
                }
            }
        } onCancel: {
            cancellation.cancelled.store(true, ordering: .releasing)
            loop.execute { connection.cancel(stream: stream) }
        }
    }

    private func pickConnection() -> Result<ClientConnection, RPCError> {
        let index = roundRobin.add(1, ordering: .relaxed).oldValue % configuration.connections
        return slots.withLock { pool in
            guard !pool.closed else { return .failure(RPCError(.unavailable, "client is closed", reason: "client_closed")) }
            if let existing = pool.connections[index], existing.isUsable { return .success(existing) }
            switch connect(loop: loops[index % loops.count]) {
            case .success(let connection):
                pool.connections[index] = connection
                return .success(connection)
            case .failure(let error):
                return .failure(error)
            }
        }
    }

    private func connect(loop: EventLoop) -> Result<ClientConnection, RPCError> {
        let fd = purser_tcp_connect(configuration.host, Int32(configuration.port))
        guard fd >= 0 else {
            return .failure(RPCError(.unavailable, "cannot connect to \(configuration.host):\(configuration.port): \(String(cString: strerror(-fd)))", reason: "connect_failed"))
        }
        let session: TLSSession
        do {
            session = try TLSSession(context: context, fd: fd, serverName: configuration.serverName,
                                     expectedPeer: configuration.expectedPeer)
        } catch {
            Glibc.close(fd)
            return .failure(error)
        }
        let connection = ClientConnection(loop: loop, fd: fd, tls: session, connecting: true,
                                          maximumFrameSize: configuration.maximumFrameSize,
                                          maximumBufferedBytes: configuration.maximumBufferedBytes)
        let handshakeTimeout = configuration.tls.handshakeTimeout
        let logger = self.logger
        let endpoint = "\(configuration.host):\(configuration.port)"
        loop.execute {
            connection.onFailure = { reason in logger.debug("rpc client connection closed", ["endpoint": endpoint, "reason": reason]) }
            connection.begin(handshakeTimeout: handshakeTimeout)
        }
        return .success(connection)
    }
}
