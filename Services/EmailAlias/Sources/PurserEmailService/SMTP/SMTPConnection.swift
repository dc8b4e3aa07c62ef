import CLinux
import Glibc
import PurserEmail
import PurserKit
import PurserRPC

/// One inbound SMTP connection: feeds received bytes to its `SMTPSession`
/// and carries out the session's actions — writes replies, runs recipient
/// lookups and deliveries off the loop (the session holds further input until
/// they answer), switches to TLS after STARTTLS, closes.
///
/// Confined to its event loop's thread; completions from other threads come
/// back through `EventLoop.execute`, which is why it is `@unchecked Sendable`.
final class SMTPConnection: EventHandler, @unchecked Sendable {
    let fd: Int32
    let remoteAddress: String
    /// The IP address the listener's admission counted this connection under.
    let peerAddress: String
    private let loop: EventLoop
    private let shared: SMTPListener.Shared
    private var session: SMTPSession
    private var tls: TLSSession?
    private var handshaking = false
    /// STARTTLS was answered: read nothing more in plaintext, start TLS once the reply is out.
    private var tlsRequested = false
    private var closeRequested = false
    private var closed = false
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var interest: UInt32 = 0
    private var tlsWantsWrite = false
    /// When the client's idle time runs out (monotonic nanoseconds); moved by `touch()`.
    private var deadline: UInt64 = 0
    /// Fires at or before `deadline`; re-armed, not rescheduled, when the deadline moves later.
    private var deadlineTimer: LoopTimer?
    /// Lookups and deliveries in flight: the client is waiting on the service, so its idle timer is paused.
    private var awaiting = 0
    /// Fires `maxSessionDuration` after the connection opened, whatever the client does.
    private var lifetimeTimer: LoopTimer?

    /// Most bytes read per readiness event, so one fast client cannot starve the others.
    private static let readBudget = 256 * 1024

    init(fd: Int32, remoteAddress: String, peerAddress: String, loop: EventLoop, shared: SMTPListener.Shared) {
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.peerAddress = peerAddress
        self.loop = loop
        self.shared = shared
        self.session = SMTPSession(configuration: shared.configuration)
    }

    /// Registers with the loop and sends the greeting.
    func begin() {
        interest = EpollEvents.readable
        guard loop.register(fd, events: interest, handler: self) else {
            shutDownSocket()
            return
        }
        touch()
        lifetimeTimer = loop.schedule(afterNanoseconds: shared.configuration.maxSessionDuration.unsignedNanoseconds) {
            [weak self] in self?.lifetimeReached()
        }
        perform(session.start())
        settle()
    }

    // MARK: Events

    func handleEvent(_ events: UInt32) {
        guard !closed else { return }
        if handshaking {
            continueHandshake()
        } else {
            if events & EpollEvents.readable != 0 || events & (EpollEvents.error | EpollEvents.hangUp) != 0 {
                readAvailable()
            }
            if !closed, events & EpollEvents.writable != 0 {
                if tlsWantsWrite {
                    // A TLS read that needed to write (e.g. a key update) can go on now.
                    tlsWantsWrite = false
                    readAvailable()
                }
                if !closed { flush() }
            }
        }
        settle()
    }

    /// The deadline timer fired: a client idle past its timeout is told so
    /// (or closed); one that was active since is checked again at its new
    /// deadline. While a lookup or delivery is in flight the client waits on
    /// the service, so the timer lapses and `resume` arms it again.
    private func deadlineReached() {
        deadlineTimer = nil
        guard !closed, awaiting == 0 else { return }
        let now = purser_monotonic_ns()
        guard now >= deadline else {
            armDeadline(now: now)
            return
        }
        shared.logger.debug("smtp client timed out", ["remote": remoteAddress])
        // A handshake that stalls, or final replies the client never reads, end the connection outright.
        if handshaking || closeRequested || session.isClosed {
            close()
            return
        }
        perform(session.timedOut())
        touch()
        settle()
    }

    /// The session's lifetime ran out: 421 and close, however active the client
    /// is (after the answer to a lookup or delivery in flight, see `SMTPSession.lifetimeReached()`).
    private func lifetimeReached() {
        lifetimeTimer = nil
        guard !closed else { return }
        shared.logger.debug("smtp session lifetime reached", ["remote": remoteAddress])
        if handshaking {
            close()
            return
        }
        perform(session.lifetimeReached())
        settle()
    }

    /// The service is draining: 421 and close.
    func shutDown() {
        guard !closed else { return }
        if handshaking {
            close()
            return
        }
        perform(session.shutDown())
        settle()
    }

    // MARK: Reading

    private func readAvailable() {
        var budget = Self.readBudget
        while !closed, !tlsRequested, !closeRequested, !session.isClosed, budget > 0 {
            let buffer = loop.readBuffer
            let count: Int
            if let tls {
                switch tls.read(into: buffer) {
                case .done(let read):
                    count = read
                case .wantRead:
                    return
                case .wantWrite:
                    tlsWantsWrite = true
                    return
                case .closed, .failed:
                    close()
                    return
                }
            } else {
                let result = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if result < 0 {
                    let error = purser_errno()
                    if error == EAGAIN || error == EWOULDBLOCK || error == EINTR { return }
                    close()
                    return
                }
                if result == 0 {
                    close()
                    return
                }
                count = result
            }
            budget -= count
            touch()
            perform(session.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<count])))
        }
        if budget <= 0, !closed {
            // Yield to the other connections; bytes OpenSSL already decrypted would raise no
            // further epoll event, so the next read is queued explicitly.
            loop.execute {
                guard !self.closed else { return }
                self.readAvailable()
                self.settle()
            }
        }
    }

    // MARK: Actions

    private func perform(_ actions: [SMTPSession.Action]) {
        for action in actions {
            switch action {
            case .reply(let reply):
                outbound.append(contentsOf: reply.bytes)
            case .checkRecipient(let address):
                let mailbox = shared.mailbox, loop = self.loop
                awaiting += 1
                Task {
                    let verdict = await mailbox.checkRecipient(address)
                    loop.execute { self.resume { $0.recipientChecked(verdict) } }
                }
            case .deliver(let envelope, let message):
                let mailbox = shared.mailbox, loop = self.loop
                awaiting += 1
                Task {
                    let outcome = await mailbox.deliver(envelope, message: message)
                    loop.execute { self.resume { $0.deliveryFinished(outcome) } }
                }
            case .startTLS:
                tlsRequested = true
            case .close:
                closeRequested = true
            }
        }
    }

    /// Applies an asynchronous answer on the loop thread.
    private func resume(_ step: (inout SMTPSession) -> [SMTPSession.Action]) {
        awaiting -= 1
        guard !closed else { return }
        touch()
        // The session also processes input that arrived while the answer was pending.
        perform(step(&session))
        settle()
    }

    /// Writes what can be written, starts TLS or closes when the replies are out, updates epoll interest.
    private func settle() {
        guard !closed else { return }
        if !handshaking { flush() }
        guard !closed else { return }
        // Nothing more is read once the connection is closing, nor in plaintext once STARTTLS was answered
        // (the client's TLS handshake must stay in the socket for OpenSSL).
        var wanted: UInt32 = closeRequested || (tlsRequested && tls == nil) ? 0 : EpollEvents.readable
        if outboundOffset < outbound.count || tlsWantsWrite { wanted |= EpollEvents.writable }
        if wanted != interest {
            interest = wanted
            loop.modify(fd, events: wanted)
        }
    }

    // MARK: Writing

    private func flush() {
        while outboundOffset < outbound.count {
            let written: Int = outbound.withUnsafeBytes { bytes in
                let pending = UnsafeRawBufferPointer(rebasing: bytes[outboundOffset...])
                if let tls {
                    switch tls.write(pending) {
                    case .done(let written): return written
                    case .wantRead, .wantWrite: return 0
                    case .closed, .failed: return -1
                    }
                }
                let result = send(fd, pending.baseAddress, pending.count, Int32(MSG_NOSIGNAL))
                if result >= 0 { return result }
                let error = purser_errno()
                return error == EAGAIN || error == EWOULDBLOCK || error == EINTR ? 0 : -1
            }
            if written < 0 {
                close()
                return
            }
            if written == 0 { return }
            outboundOffset += written
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 16 * 1024)
        outboundOffset = 0
        if closeRequested {
            close()
        } else if tlsRequested, tls == nil {
            startTLS()
        }
    }

    // MARK: TLS

    private func startTLS() {
        guard let context = shared.tls, let session = try? TLSSession(context: context, fd: fd, serverName: nil) else {
            close()
            return
        }
        tls = session
        handshaking = true
        continueHandshake()
    }

    private func continueHandshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            handshaking = false
            tlsWantsWrite = false
            tlsRequested = false
            touch()
            readAvailable()
        case .wantRead:
            tlsWantsWrite = false
        case .wantWrite:
            tlsWantsWrite = true
        case .closed, .failed:
            shared.logger.debug("smtp TLS handshake failed", ["remote": remoteAddress])
            close()
        }
    }

    // MARK: Closing

    private func touch() {
        let timeout = session.isReadingData ? shared.configuration.dataTimeout : shared.configuration.commandTimeout
        let now = purser_monotonic_ns()
        deadline = now &+ timeout.unsignedNanoseconds
        if deadlineTimer == nil { armDeadline(now: now) }
    }

    private func armDeadline(now: UInt64) {
        deadlineTimer = loop.schedule(afterNanoseconds: deadline > now ? deadline - now : 0) { [weak self] in
            self?.deadlineReached()
        }
    }

    private func close() {
        guard !closed else { return }
        closed = true
        if let deadlineTimer {
            loop.cancel(deadlineTimer)
            self.deadlineTimer = nil
        }
        if let lifetimeTimer {
            loop.cancel(lifetimeTimer)
            self.lifetimeTimer = nil
        }
        if let tls, !handshaking { tls.shutdown() }
        tls = nil
        loop.unregister(fd)
        shutDownSocket()
    }

    private func shutDownSocket() {
        closed = true
        Glibc.close(fd)
        shared.connectionClosed(address: peerAddress)
    }
}
