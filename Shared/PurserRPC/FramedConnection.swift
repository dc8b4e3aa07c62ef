import PurserKit

/// The part of a `purser/1` connection shared by servers and clients: a
/// frame decoder and encoder on a `StreamConnection` (socket, TLS session,
/// output buffer flushed once per loop round, read back-pressure).
///
/// Confined to its event loop; subclasses react to frames and closure.
class FramedConnection: StreamConnectionDelegate, @unchecked Sendable {
    typealias State = StreamConnection.State

    let stream: StreamConnection
    let tls: TLSSession
    private var decoder: FrameDecoder
    let maximumFrameSize: Int

    var loop: EventLoop { stream.loop }
    var fd: Int32 { stream.fd }
    var state: State { stream.state }
    var maximumBufferedBytes: Int { stream.maximumBufferedBytes }

    init(loop: EventLoop, fd: Int32, tls: TLSSession, connecting: Bool, maximumFrameSize: Int, maximumBufferedBytes: Int) {
        self.stream = StreamConnection(loop: loop, fd: fd, transport: tls, connecting: connecting,
                                       maximumBufferedBytes: maximumBufferedBytes)
        self.tls = tls
        self.decoder = FrameDecoder(maximumFrameSize: maximumFrameSize)
        self.maximumFrameSize = maximumFrameSize
    }

    /// Registers with the loop and starts connecting or handshaking, with a
    /// deadline for the whole TLS handshake.
    func begin(handshakeTimeout: Duration) {
        stream.begin(delegate: self, handshakeTimeout: handshakeTimeout)
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

    // MARK: Stream events

    func streamOpened() { connectionOpened() }

    func streamReceived(_ bytes: UnsafeRawBufferPointer) {
        decoder.append(bytes)
        drainFrames()
    }

    func streamClosed(reason: String?) { connectionClosed(reason: reason) }

    private func drainFrames() {
        while state == .open && !stream.isClosing {
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

    // MARK: Output

    /// Buffers one frame built by this module (fixed, valid fields) for sending
    /// in this loop round's flush. A frame that cannot be encoded is replaced by
    /// an INTERNAL response on its stream, so the peer is never left waiting.
    func send(_ frame: Frame) {
        let maximumFrameSize = self.maximumFrameSize
        stream.write { (output: inout [UInt8]) in
            do throws(FrameError) {
                try frame.encode(into: &output, maximumSize: maximumFrameSize)
            } catch {
                guard frame.stream != 0 else { return }
                let fallback = Frame.response(stream: frame.stream, status: .internal, statusMessage: "response could not be encoded: \(error.reason)", metadata: [:], message: [])
                try? fallback.encode(into: &output, maximumSize: maximumFrameSize)
            }
        }
    }

    /// Buffers one frame, reporting frames that cannot be encoded (bad metadata, too long).
    func trySend(_ frame: Frame) throws(FrameError) {
        let maximumFrameSize = self.maximumFrameSize
        try stream.write { (output: inout [UInt8]) throws(FrameError) in
            try frame.encode(into: &output, maximumSize: maximumFrameSize)
        }
    }

    /// Buffers already-encoded frame bytes.
    func sendEncoded(_ bytes: [UInt8]) { stream.write(bytes) }

    /// Closes the connection once everything buffered has been written.
    /// Nothing more is read or dispatched meanwhile.
    func closeAfterFlush() { stream.closeAfterFlush() }

    /// Encoded bytes waiting to be written.
    var bufferedOutputBytes: Int { stream.bufferedOutputBytes }

    /// Writes as much buffered output as the socket takes.
    func flush() { stream.flush() }

    /// Closes the socket now; `reason` nil means an orderly close.
    func close(because reason: String?) { stream.close(because: reason) }
}
