import CLinux
import Glibc
import PurserKit

/// The part of a `purser/1` connection shared by servers and clients: a
/// non-blocking socket, its TLS session, a frame decoder, an output buffer
/// flushed once per loop round, and read back-pressure (reading stops while
/// more than `maximumBufferedBytes` wait to be sent).
///
/// Confined to its event loop; subclasses react to frames and closure.
class FramedConnection: EventHandler, @unchecked Sendable {
    enum State { case connecting, handshaking, open, closed }

    let loop: EventLoop
    let fd: Int32
    let tls: TLSSession
    private(set) var state: State
    private var decoder: FrameDecoder
    let maximumFrameSize: Int
    let maximumBufferedBytes: Int
    private var output: [UInt8] = []
    private var outputIndex = 0
    private var flushScheduled = false
    private var readingPaused = false
    private var wantsWritable = false
    private var interest: UInt32 = 0
    private var handshakeTimer: LoopTimer?
    private var closeWhenFlushed = false
    private var readDeferred = false

    init(loop: EventLoop, fd: Int32, tls: TLSSession, connecting: Bool, maximumFrameSize: Int, maximumBufferedBytes: Int) {
        self.loop = loop
        self.fd = fd
        self.tls = tls
        self.state = connecting ? .connecting : .handshaking
        self.decoder = FrameDecoder(maximumFrameSize: maximumFrameSize)
        self.maximumFrameSize = maximumFrameSize
        self.maximumBufferedBytes = maximumBufferedBytes
    }

    /// Registers with the loop and starts connecting or handshaking, with a
    /// deadline for the whole TLS handshake.
    func begin(handshakeTimeout: Duration) {
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

    // MARK: Hooks for subclasses

    /// The handshake completed; frames may flow.
    func connectionOpened() {}
    /// A frame arrived.
    func received(_ frame: Frame) {}
    /// The peer sent bytes that are not a valid frame; the connection closes after this.
    func receivedMalformed(_ error: FrameError) {}
    /// The connection closed (`reason` is nil for an orderly close by the peer).
    func connectionClosed(reason: String?) {}

    // MARK: Output

    /// Buffers one frame built by this module (fixed, valid fields) for sending
    /// in this loop round's flush. A frame that cannot be encoded is replaced by
    /// an INTERNAL response on its stream, so the peer is never left waiting.
    func send(_ frame: Frame) {
        guard state != .closed else { return }
        do {
            try frame.encode(into: &output, maximumSize: maximumFrameSize)
        } catch {
            guard frame.stream != 0 else { return }
            let fallback = Frame.response(stream: frame.stream, status: .internal, statusMessage: "response could not be encoded: \(error.reason)", metadata: [:], message: [])
            try? fallback.encode(into: &output, maximumSize: maximumFrameSize)
        }
        scheduleFlush()
    }

    /// Buffers one frame, reporting frames that cannot be encoded (bad metadata, too long).
    func trySend(_ frame: Frame) throws(FrameError) {
        guard state != .closed else { return }
        try frame.encode(into: &output, maximumSize: maximumFrameSize)
        scheduleFlush()
    }

    /// Buffers already-encoded frame bytes.
    func sendEncoded(_ bytes: [UInt8]) {
        guard state != .closed else { return }
        output.append(contentsOf: bytes)
        scheduleFlush()
    }

    /// Closes the connection once everything buffered has been written.
    /// Nothing more is read or dispatched meanwhile.
    func closeAfterFlush() {
        closeWhenFlushed = true
        guard state == .open else {
            close(because: nil)
            return
        }
        pauseReading()
        flush()
    }

    /// Encoded bytes waiting to be written.
    var bufferedOutputBytes: Int { output.count - outputIndex }

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
    func flush() {
        guard state == .open else { return }
        while outputIndex < output.count {
            let progress = output.withUnsafeBytes { raw in tls.write(UnsafeRawBufferPointer(rebasing: raw[outputIndex...])) }
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
        if closeWhenFlushed {
            close(because: nil)
            return
        }
        setWantsWritable(false)
        if readingPaused { resumeReading() }
    }

    private func compactOutput() {
        if outputIndex > 64 * 1024 && outputIndex > output.count / 2 {
            output.removeSubrange(0..<outputIndex)
            outputIndex = 0
        }
        if readingPaused && bufferedOutputBytes <= maximumBufferedBytes / 2 { resumeReading() }
    }

    // MARK: Events

    func handleEvent(_ events: UInt32) {
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
        switch tls.handshake() {
        case .done:
            state = .open
            if let timer = handshakeTimer { loop.cancel(timer) }
            handshakeTimer = nil
            updateInterest()
            connectionOpened()
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
            switch tls.read(into: loop.readBuffer) {
            case .done(let count):
                decoder.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[..<count]))
                drainFrames()
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

    private func drainFrames() {
        while state == .open && !closeWhenFlushed {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                receivedMalformed(error)
                flush()
                close(because: "malformed frame: \(error)")
                return
            }
            guard let frame else { return }
            received(frame)
        }
    }

    private func pauseReading() {
        guard !readingPaused else { return }
        readingPaused = true
        updateInterest()
    }

    private func resumeReading() {
        guard readingPaused, state == .open, !closeWhenFlushed else { return }
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

    /// Closes the socket now; `reason` nil means an orderly close.
    func close(because reason: String?) {
        guard state != .closed else { return }
        let wasOpen = state == .open
        state = .closed
        if let timer = handshakeTimer { loop.cancel(timer) }
        handshakeTimer = nil
        if wasOpen { tls.shutdown() }
        loop.unregister(fd)
        Glibc.close(fd)
        output = []
        outputIndex = 0
        connectionClosed(reason: reason)
    }
}
