import CLinux
import Glibc
import PurserKit

/// What a `StreamConnection` tells the protocol that sits on it. Called on
/// the connection's loop thread only.
package protocol StreamConnectionDelegate: AnyObject {
    /// The handshake completed; bytes may flow.
    func streamOpened()
    /// Bytes arrived; they are valid only during the call.
    func streamReceived(_ bytes: UnsafeRawBufferPointer)
    /// The connection closed (`reason` is nil for an orderly close by the peer).
    func streamClosed(reason: String?)
}

/// A non-blocking socket and its transport (TLS or plain) on one event loop:
/// connect and handshake with a deadline, reads delivered to a delegate, an
/// output buffer flushed once per loop round, and read back-pressure
/// (reading stops while more than `maximumBufferedBytes` wait to be sent).
/// Protocols (`purser/1` frames, HTTP/1.1) sit on it by composition.
///
/// Keeps its delegate alive until the connection closes. Confined to its loop.
package final class StreamConnection: EventHandler {
    package enum State { case connecting, handshaking, open, closed }

    package let loop: EventLoop
    package let fd: Int32
    package let transport: StreamTransport
    package private(set) var state: State
    /// The state the connection was in when it closed (`connecting`: the
    /// socket never connected; `handshaking`: the handshake did not finish).
    package private(set) var closedFrom: State?
    package let maximumBufferedBytes: Int
    /// Strong until the connection closes, so the protocol lives as long as its socket.
    private var delegate: StreamConnectionDelegate?
    private var output: [UInt8] = []
    private var outputIndex = 0
    private var flushScheduled = false
    private var readingPaused = false
    private var readingHeld = false
    private var wantsWritable = false
    private var interest: UInt32 = 0
    private var handshakeTimer: LoopTimer?
    /// Called each time the output buffer has been written out completely
    /// (a producer waiting for room may go on).
    package var onOutputDrained: (() -> Void)?
    /// Set by `closeAfterFlush`: nothing more is read or dispatched.
    package private(set) var isClosing = false
    private var readDeferred = false
    /// Set by `closeAfterFlush(lingering:)`: how long, and how many bytes, to
    /// read and drop after the output is written and the write side shut.
    private var lingerLimits: (time: Duration, bytes: Int)?
    /// True once the write side is shut and what the peer still sends is dropped.
    private var lingering = false
    private var lingerTimer: LoopTimer?
    /// The transport's close (close_notify) has been sent.
    private var transportShutDown = false

    package init(loop: EventLoop, fd: Int32, transport: StreamTransport, connecting: Bool, maximumBufferedBytes: Int) {
        self.loop = loop
        self.fd = fd
        self.transport = transport
        self.state = connecting ? .connecting : .handshaking
        self.maximumBufferedBytes = maximumBufferedBytes
    }

    /// Registers with the loop and starts connecting or handshaking, with a
    /// deadline for the whole handshake; events go to `delegate` from now on.
    package func begin(delegate: StreamConnectionDelegate, handshakeTimeout: Duration) {
        self.delegate = delegate
        interest = state == .connecting ? EpollEvents.writable : EpollEvents.readable
        guard loop.register(fd, events: interest, handler: self) else {
            close(because: "cannot register the socket with epoll")
            return
        }
        handshakeTimer = loop.schedule(afterNanoseconds: handshakeTimeout.unsignedNanoseconds) { [weak self] in
            guard let self, self.state == .connecting || self.state == .handshaking else { return }
            self.close(because: "TLS handshake timed out")
        }
        if state == .handshaking { continueHandshake() }
    }

    // MARK: Output

    /// Appends bytes produced by `body` to the output buffer, to be sent in
    /// this loop round's flush. Nothing is appended once the connection closed.
    package func write<E: Error>(_ body: (inout [UInt8]) throws(E) -> Void) throws(E) {
        guard state != .closed else { return }
        try body(&output)
        scheduleFlush()
    }

    /// Appends `bytes` to the output buffer (see `write(_:)`).
    package func write(_ bytes: [UInt8]) {
        write { (output: inout [UInt8]) in output.append(contentsOf: bytes) }
    }

    /// Closes the connection once everything buffered has been written.
    /// Nothing more is delivered meanwhile.
    ///
    /// With `lingering`, the close is graceful for a peer still sending (e.g.
    /// the rest of a refused request body): once the output is written the
    /// write side is shut (TLS close_notify, then FIN) and what the peer sends
    /// is read and dropped until it closes, or for at most `time` and
    /// `bytes`. Closing a socket with unread input would reset it, and the
    /// peer could lose the answer just written.
    package func closeAfterFlush(lingering: (time: Duration, bytes: Int)? = nil) {
        if let lingering { lingerLimits = lingering }
        isClosing = true
        guard state == .open else {
            close(because: nil)
            return
        }
        pauseReading()
        flush()
    }

    /// Encoded bytes waiting to be written.
    package var bufferedOutputBytes: Int { output.count - outputIndex }

    /// Stops delivering bytes until `resumeReceiving()`, whatever the output
    /// buffer holds: the protocol's own back-pressure (e.g. a handler not yet
    /// ready for more of a request body).
    package func holdReceiving() {
        readingHeld = true
        pauseReading()
    }

    /// Undoes `holdReceiving()`; bytes already in the socket are read at once.
    package func resumeReceiving() {
        guard readingHeld else { return }
        readingHeld = false
        if bufferedOutputBytes <= maximumBufferedBytes { resumeReading() }
    }

    private func scheduleFlush() {
        if bufferedOutputBytes > maximumBufferedBytes { pauseReading() }
        guard !flushScheduled, state == .open else { return }
        flushScheduled = true
        loop.enqueueFlush { [self] in
            flushScheduled = false
            flush()
        }
    }

    /// Writes as much buffered output as the socket takes.
    package func flush() {
        guard state == .open, !lingering else { return }
        while outputIndex < output.count {
            let progress = output.withUnsafeBytes { raw in transport.write(UnsafeRawBufferPointer(rebasing: raw[outputIndex...])) }
            switch progress {
            case .done(let written):
                outputIndex += written
            case .wantWrite, .wantRead:
                setWantsWritable(true)
                compactOutput()
                return
            case .closed:
                close(because: nil)
                return
            case .failed(let message):
                close(because: "write failed: \(message)")
                return
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= 1 << 20)
        outputIndex = 0
        onOutputDrained?()
        if isClosing {
            if let limits = lingerLimits { linger(limits) } else { close(because: nil) }
            return
        }
        setWantsWritable(false)
        if readingPaused { resumeReading() }
    }

    /// Shuts the write side and reads-and-drops until the peer closes or a limit is reached.
    private func linger(_ limits: (time: Duration, bytes: Int)) {
        lingering = true
        lingerLimits = (limits.time, limits.bytes)
        transport.shutdown()
        transportShutDown = true
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        lingerTimer = loop.schedule(afterNanoseconds: limits.time.unsignedNanoseconds) { [weak self] in
            self?.lingerTimer = nil
            self?.close(because: nil)
        }
        readingHeld = false
        readingPaused = false
        wantsWritable = false
        updateInterest()
        readAvailable()
    }

    private func compactOutput() {
        if outputIndex > 64 * 1024 && outputIndex > output.count / 2 {
            output.removeSubrange(0..<outputIndex)
            outputIndex = 0
        }
        if readingPaused && bufferedOutputBytes <= maximumBufferedBytes / 2 { resumeReading() }
    }

    // MARK: Events

    package func handleEvent(_ events: UInt32) {
        switch state {
        case .connecting:
            let error = purser_socket_error(fd)
            guard error == 0 else {
                close(because: "connect failed: \(String(cString: strerror(error)))")
                return
            }
            state = .handshaking
            continueHandshake()
        case .handshaking:
            continueHandshake()
        case .open:
            if readingPaused && events & (EpollEvents.error | EpollEvents.hangUp) != 0 {
                // Level-triggered errors would fire forever while reads are paused; nothing more can be delivered.
                close(because: "peer hung up")
                return
            }
            if events & EpollEvents.writable != 0 { flush() }
            if events & (EpollEvents.readable | EpollEvents.error | EpollEvents.hangUp) != 0 && !readingPaused {
                readAvailable()
            }
        case .closed:
            break
        }
    }

    private func continueHandshake() {
        switch transport.handshake() {
        case .done:
            state = .open
            if let timer = handshakeTimer { loop.cancel(timer) }
            handshakeTimer = nil
            updateInterest()
            delegate?.streamOpened()
            guard state == .open else { return }
            flush()
            readAvailable()
        case .wantRead:
            setInterest(EpollEvents.readable)
        case .wantWrite:
            setInterest(EpollEvents.writable)
        case .closed:
            close(because: "peer closed the connection during the TLS handshake")
        case .failed(let message):
            close(because: "TLS handshake failed: \(message)")
        }
    }

    /// Reads until the socket is drained, back-pressure pauses reading, or the
    /// per-round budget is spent (then the rest waits one round so a fast
    /// sender cannot monopolise the loop).
    private func readAvailable() {
        var budget = 16
        while state == .open && !readingPaused {
            guard budget > 0 else {
                guard !readDeferred else { return }
                readDeferred = true
                loop.deferToNextRound { [self] in
                    readDeferred = false
                    readAvailable()
                }
                return
            }
            budget -= 1
            switch transport.read(into: loop.readBuffer) {
            case .done(let count):
                if lingering {
                    let left = (lingerLimits?.bytes ?? 0) - count
                    lingerLimits?.bytes = left
                    if left <= 0 {
                        close(because: nil)
                        return
                    }
                    continue
                }
                delegate?.streamReceived(UnsafeRawBufferPointer(rebasing: loop.readBuffer[..<count]))
            case .wantRead:
                return
            case .wantWrite:
                setWantsWritable(true)
                return
            case .closed:
                close(because: nil)
                return
            case .failed(let message):
                close(because: "read failed: \(message)")
                return
            }
        }
    }

    private func pauseReading() {
        guard !readingPaused else { return }
        readingPaused = true
        updateInterest()
    }

    private func resumeReading() {
        guard readingPaused, state == .open, !isClosing, !readingHeld else { return }
        readingPaused = false
        updateInterest()
        readAvailable()
    }

    private func setWantsWritable(_ wants: Bool) {
        guard wantsWritable != wants else { return }
        wantsWritable = wants
        updateInterest()
    }

    private func updateInterest() {
        guard state == .open else { return }
        var events: UInt32 = readingPaused ? 0 : EpollEvents.readable
        if wantsWritable { events |= EpollEvents.writable }
        setInterest(events)
    }

    private func setInterest(_ events: UInt32) {
        guard events != interest, state != .closed else { return }
        interest = events
        loop.modify(fd, events: events)
    }

    /// Closes the socket now and tells the delegate, once; `reason` nil means an orderly close.
    package func close(because reason: String?) {
        guard state != .closed else { return }
        let wasOpen = state == .open
        closedFrom = state
        state = .closed
        if let timer = handshakeTimer { loop.cancel(timer) }
        handshakeTimer = nil
        if let timer = lingerTimer { loop.cancel(timer) }
        lingerTimer = nil
        if wasOpen && !transportShutDown { transport.shutdown() }
        loop.unregister(fd)
        Glibc.close(fd)
        output = []
        outputIndex = 0
        onOutputDrained = nil
        let delegate = self.delegate
        self.delegate = nil
        withExtendedLifetime(self) { delegate?.streamClosed(reason: reason) }
    }
}
