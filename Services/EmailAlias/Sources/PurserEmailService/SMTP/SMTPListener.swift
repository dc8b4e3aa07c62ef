import CLinux
import Foundation
import Glibc
import PurserEmail
import PurserKit
import PurserRPC
import Synchronization

/// The inbound SMTP server: a non-blocking listening socket and a few epoll
/// event loops (PurserRPC's `EventLoop`) driving `SMTPConnection`s. No database work runs on a
/// loop: recipient lookups and deliveries go to the `SMTPMailbox` in tasks
/// and come back through the loop's queue.
///
/// Limits: `maxConnections` open at once and `maxConnectionsPerAddress` from
/// one remote IP address (beyond either a client gets 421 and is closed, see
/// `SMTPAdmission`), the session's line, recipient, size, error and junk-command
/// limits, the command/data timeouts and the session lifetime of `configuration`.
///
/// As a `Service`, `run()` waits until cancelled and then drains: it stops
/// accepting, answers every open session 421, and closes them.
package final class SMTPListener: Service {
    /// What every connection of this listener shares.
    final class Shared: Sendable {
        let configuration: SMTPConfiguration
        let tls: TLSContext?
        let mailbox: any SMTPMailbox
        let logger: Logger
        /// Taken by the acceptor, released by connections closing on any loop.
        let admission: Mutex<SMTPAdmission>

        init(
            configuration: SMTPConfiguration, tls: TLSContext?, mailbox: any SMTPMailbox, logger: Logger,
            admission: SMTPAdmission
        ) {
            self.configuration = configuration
            self.tls = tls
            self.mailbox = mailbox
            self.logger = logger
            self.admission = Mutex(admission)
        }

        var openConnections: Int { admission.withLock { $0.openConnections } }

        /// An admitted connection from `address` closed.
        func connectionClosed(address: String) {
            admission.withLock { $0.release(address) }
        }
    }

    package let endpoint: Endpoint
    package let maxConnections: Int
    package let maxConnectionsPerAddress: Int
    private let shared: Shared
    private let loopCount: Int
    private let state = Mutex<State>(State())

    private struct State: Sendable {
        var loops: [EventLoop] = []
        var acceptor: SMTPAcceptor?
        var stopped = false
    }

    /// A listener for `endpoint`; nothing is bound until `start()`.
    package init(
        endpoint: Endpoint, configuration: SMTPConfiguration, tls: TLSContext?, maxConnections: Int,
        maxConnectionsPerAddress: Int, eventLoops: Int, mailbox: any SMTPMailbox, logger: Logger
    ) {
        self.endpoint = endpoint
        self.maxConnections = max(1, maxConnections)
        self.maxConnectionsPerAddress = max(1, maxConnectionsPerAddress)
        self.loopCount = max(1, eventLoops)
        var configuration = configuration
        configuration.startTLSAvailable = tls != nil
        self.shared = Shared(
            configuration: configuration, tls: tls, mailbox: mailbox, logger: logger,
            admission: SMTPAdmission(maxConnections: maxConnections, maxPerAddress: maxConnectionsPerAddress))
    }

    /// SMTP connections open now.
    package var openConnections: Int { shared.openConnections }

    /// Binds the socket, starts the loops and returns the bound port (useful with port 0).
    package func start() throws(SMTPListenerError) -> Int {
        var loops: [EventLoop] = []
        for index in 0..<loopCount {
            do {
                loops.append(try EventLoop(name: "smtp-\(index)"))
            } catch {
                throw SMTPListenerError(reason: "event_loop_failed", error.message)
            }
        }
        var port: Int32 = 0
        let fd = purser_tcp_listen(endpoint.host, Int32(endpoint.port), 1024, 0, &port)
        guard fd >= 0 else {
            throw SMTPListenerError(reason: "bind_failed", "cannot listen on \(endpoint): errno \(-fd)")
        }
        let acceptor = SMTPAcceptor(fd: fd, loops: loops, shared: shared)
        state.withLock { state in
            state.loops = loops
            state.acceptor = acceptor
        }
        for loop in loops { loop.start() }
        let first = loops[0]
        first.execute { acceptor.register(on: first) }
        return Int(port)
    }

    /// Serves until cancelled, then drains (see `shutdown(grace:)`).
    package func run() async throws {
        await untilCancelled()
        await shutdown()
    }

    /// Stops accepting, answers every open session 421 and closes it, waits
    /// up to `grace` for the replies to leave, then stops the loops.
    package func shutdown(grace: Duration = .seconds(2)) async {
        let (loops, acceptor) = state.withLock { state -> ([EventLoop], SMTPAcceptor?) in
            guard !state.stopped else { return ([], nil) }
            state.stopped = true
            return (state.loops, state.acceptor)
        }
        guard let acceptor, let first = loops.first else { return }
        first.execute { acceptor.stop(on: first) }
        for loop in loops {
            loop.execute {
                for case let connection as SMTPConnection in loop.registeredHandlers { connection.shutDown() }
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while shared.openConnections > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for loop in loops { loop.stopAndWait() }
    }
}

/// Accepts connections on the listening socket (on the first loop) and hands
/// each to a loop, round robin. Loop-confined.
final class SMTPAcceptor: EventHandler, @unchecked Sendable {
    private let fd: Int32
    private let loops: [EventLoop]
    private let shared: SMTPListener.Shared
    private var next = 0
    private var stopped = false

    init(fd: Int32, loops: [EventLoop], shared: SMTPListener.Shared) {
        self.fd = fd
        self.loops = loops
        self.shared = shared
    }

    func register(on loop: EventLoop) {
        guard !stopped else { return }
        if !loop.register(fd, events: EpollEvents.readable, handler: self) {
            shared.logger.error("smtp listener could not be registered", ["errno": "\(purser_errno())"])
        }
    }

    func stop(on loop: EventLoop) {
        guard !stopped else { return }
        stopped = true
        loop.unregister(fd)
        Glibc.close(fd)
    }

    /// Sends `reply` on a fresh socket (its send buffer is empty, so it goes out at once) and closes it.
    /// Input the client already sent (a pipelined EHLO) is read and dropped first: closing a socket
    /// with unread input resets the connection, and the client could lose the reply.
    private static func refuse(_ client: Int32, with reply: SMTPReply) {
        reply.bytes.withUnsafeBytes { _ = send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var discard = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<16 {
            let count = discard.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count <= 0 { break }
        }
        shutdown(client, Int32(SHUT_WR))
        Glibc.close(client)
    }

    func handleEvent(_ events: UInt32) {
        var address = [CChar](repeating: 0, count: 64)
        while !stopped {
            let client = purser_tcp_accept(fd, &address, Int32(address.count))
            if client < 0 {
                if -client != EAGAIN && -client != EWOULDBLOCK && -client != EINTR && -client != ECONNABORTED {
                    shared.logger.warning("smtp accept failed", ["errno": "\(-client)"])
                }
                return
            }
            let remote = String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let peerAddress = SMTPAdmission.address(ofPeer: remote)
            let verdict = shared.admission.withLock { $0.admit(peerAddress) }
            if let refusal = verdict.refusal {
                Self.refuse(client, with: refusal)
                shared.logger.debug("smtp connection refused", ["remote": remote, "verdict": "\(verdict)"])
                continue
            }
            let loop = loops[next % loops.count]
            next &+= 1
            let connection = SMTPConnection(
                fd: client, remoteAddress: remote, peerAddress: peerAddress, loop: loop, shared: shared)
            if loop === loops[0] {
                connection.begin()
            } else {
                loop.execute { connection.begin() }
            }
        }
    }
}
