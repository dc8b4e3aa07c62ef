import CLinux
import Glibc
import PurserRPC
import Synchronization

/// An HTTP/1.1 client over TLS (ALPN `http/1.1`; plain HTTP only to a
/// loopback host) with keep-alive: a connection whose response allows it is
/// kept and reused by the next request. One request at a time per connection.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let context: TLSContext?
    private let loop: EventLoop
    private let idle = Mutex<[HTTPClientConnection]>([])

    /// Starts the client's event loop. Throws `tls_configuration` for bad TLS
    /// files and `HTTPError` 500 `plaintext_not_allowed` for plain HTTP to a
    /// host that is not loopback.
    public init(configuration: HTTPClientConfiguration) throws {
        self.configuration = configuration
        if let tls = configuration.tls {
            context = try TLSContext(tls, role: .client, applicationProtocol: .http11, allowTLS12: configuration.allowTLS12)
        } else {
            guard HTTPServerConfiguration.isLoopback(configuration.host) else {
                throw HTTPError(.internalServerError, reason: "plaintext_not_allowed", detail: "plain HTTP only to a loopback host")
            }
            context = nil
        }
        loop = try EventLoop(name: "purser-http-client")
        loop.start()
    }

    /// Closes idle connections and stops the loop; later requests fail.
    public func shutdown() {
        let connections = idle.withLock { idle -> [HTTPClientConnection] in
            defer { idle = [] }
            return idle
        }
        for connection in connections { connection.close() }
        loop.stopAndWait()
    }

    /// Sends `request` and returns its response with the body collected.
    /// Reuses an idle keep-alive connection when one is open. Throws
    /// `HTTPError` 502 `connection_lost` when the connection ends before the
    /// response, `connect_failed` when it cannot be opened, `tls_failed` when its
    /// TLS handshake does not finish.
    ///
    /// A kept connection the server closed meanwhile (its idle timeout) fails
    /// the request; a `GET`, `HEAD` or `OPTIONS` is then sent once more on a
    /// new connection, other methods are not (the server may have acted on them).
    public func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let bytes = request.encoded(host: hostHeader)
        let response: HTTPClientResponse
        let connection: HTTPClientConnection
        if let kept = reusableConnection() {
            do {
                response = try await kept.exchange(bytes, methods: [request.method], timeout: configuration.requestTimeout)[0]
                connection = kept
            } catch let error as HTTPError where error.reason == "connection_lost" && ["GET", "HEAD", "OPTIONS"].contains(request.method) {
                connection = try connect()
                response = try await connection.exchange(bytes, methods: [request.method], timeout: configuration.requestTimeout)[0]
            }
        } else {
            connection = try connect()
            response = try await connection.exchange(bytes, methods: [request.method], timeout: configuration.requestTimeout)[0]
        }
        if connection.isUsable {
            let kept = idle.withLock { idle -> Bool in
                guard idle.count < configuration.maximumIdleConnections else { return false }
                idle.append(connection)
                return true
            }
            if !kept { connection.close() }
        } else {
            connection.close()
        }
        return response
    }

    /// A new connection of its own, for sending raw bytes (pipelining and hostile-input tests).
    package func rawConnection() throws -> HTTPClientConnection { try connect() }

    /// Idle connections kept for reuse.
    public var idleConnectionCount: Int { idle.withLock { $0.count } }

    private var hostHeader: String {
        configuration.host.contains(":") ? "[\(configuration.host)]:\(configuration.port)" : "\(configuration.host):\(configuration.port)"
    }

    private func reusableConnection() -> HTTPClientConnection? {
        idle.withLock { idle in
            while let connection = idle.popLast() {
                if connection.isUsable { return connection }
            }
            return nil
        }
    }

    private func connect() throws -> HTTPClientConnection {
        let fd = purser_tcp_connect(configuration.host, Int32(configuration.port))
        guard fd >= 0 else {
            throw HTTPError(.badGateway, reason: "connect_failed",
                            detail: "cannot connect to \(hostHeader): \(String(cString: strerror(-fd)))")
        }
        let transport: StreamTransport
        if let context {
            do {
                transport = try TLSSession(context: context, fd: fd, serverName: configuration.serverName ?? configuration.host)
            } catch {
                Glibc.close(fd)
                throw error
            }
        } else {
            transport = PlainTransport(fd: fd)
        }
        let stream = StreamConnection(loop: loop, fd: fd, transport: transport, connecting: true, maximumBufferedBytes: 8 << 20)
        let connection = HTTPClientConnection(stream: stream, maximumBodySize: configuration.maximumResponseBodySize)
        let handshakeTimeout = configuration.tls?.handshakeTimeout ?? .seconds(10)
        loop.execute { connection.begin(handshakeTimeout: handshakeTimeout) }
        return connection
    }
}
