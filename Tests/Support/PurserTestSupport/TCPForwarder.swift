import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP relay for tests that need a peer to be unreachable, then
/// reachable, or a connection to break at a chosen moment: it relays each
/// connection accepted on `port` to `127.0.0.1:targetPort`, byte for byte, on
/// threads of its own (never the Swift concurrency pool).
///
/// The port is bound when the forwarder is made but refuses connections until
/// `start()` (nothing listens yet), so a test can hand the address out first
/// and make it reachable later without racing another process for the port.
public final class TCPForwarder: Sendable {
    /// Why the socket could not be set up.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The loopback port connections are accepted on.
    public let port: Int
    /// Where accepted connections are relayed.
    public let targetPort: Int
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var listening = false
        var stopped = false
        var accepted = 0
        var closeNext = 0
        var relays: [ObjectIdentifier: Relay] = [:]
    }

    /// Binds a free loopback port without listening on it (connections to it are refused).
    public init(targetPort: Int) throws {
        self.targetPort = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw Failure(description: "bind failed: errno \(errno)")
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { stop() }

    /// Starts listening: from now on connections are accepted and relayed.
    public func start() throws {
        let start = state.withLock { state -> Bool in
            guard !state.listening, !state.stopped else { return false }
            state.listening = true
            return true
        }
        guard start else { return }
        guard listen(listener, 128) == 0 else { throw Failure(description: "listen failed: errno \(errno)") }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "tcp-forwarder-\(port)"
        thread.start()
    }

    /// The next `count` connections accepted are closed at once, before a byte
    /// is relayed (the peer sees its connection end during the TLS handshake).
    public func closeNextConnections(_ count: Int) {
        state.withLock { $0.closeNext += count }
    }

    /// Connections accepted so far (closed at once or relayed).
    public var acceptedConnections: Int { state.withLock { $0.accepted } }

    /// Cuts every relayed connection now, both sides.
    public func dropConnections() {
        for relay in state.withLock({ Array($0.relays.values) }) { relay.cut() }
    }

    /// Stops accepting and cuts every relayed connection.
    public func stop() {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard wasRunning else { return }
        _ = shutdown(listener, Int32(SHUT_RDWR))
        dropConnections()
        if !state.withLock({ $0.listening }) { close(listener) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let closeAtOnce = state.withLock { state -> Bool in
                state.accepted += 1
                guard state.closeNext > 0 else { return state.stopped }
                state.closeNext -= 1
                return true
            }
            if closeAtOnce {
                close(client)
                continue
            }
            let upstream = Self.connectToLoopback(port: targetPort)
            guard upstream >= 0 else {
                close(client)
                continue
            }
            let relay = Relay(client: client, upstream: upstream)
            let key = ObjectIdentifier(relay)
            state.withLock { $0.relays[key] = relay }
            relay.run { [weak self] in _ = self?.state.withLock { $0.relays.removeValue(forKey: key) } }
        }
        close(listener)
    }

    private static func connectToLoopback(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            return -1
        }
        return fd
    }

    /// One relayed connection: a thread per direction; the socket pair is
    /// closed once both have ended.
    private final class Relay: Sendable {
        let client: Int32
        let upstream: Int32
        private let running = Atomic<Int>(2)

        init(client: Int32, upstream: Int32) {
            self.client = client
            self.upstream = upstream
        }

        func run(onEnd: @escaping @Sendable () -> Void) {
            for (from, to) in [(client, upstream), (upstream, client)] {
                let thread = Thread { [self] in
                    Self.pump(from: from, to: to)
                    cut()
                    if running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                        close(client)
                        close(upstream)
                        onEnd()
                    }
                }
                thread.start()
            }
        }

        /// Ends both directions; the threads then close the sockets.
        func cut() {
            _ = shutdown(client, Int32(SHUT_RDWR))
            _ = shutdown(upstream, Int32(SHUT_RDWR))
        }

        private static func pump(from: Int32, to: Int32) {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                var offset = 0
                while offset < count {
                    let written = buffer.withUnsafeBytes { send(to, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
