import Glibc

/// Result of a transport's handshake step, read or write.
package enum TransportProgress: Equatable {
    /// The step completed; for a read or write, how many bytes moved.
    case done(Int)
    /// Try again when the socket is readable.
    case wantRead
    /// Try again when the socket is writable.
    case wantWrite
    /// The peer closed the connection in an orderly way.
    case closed
    case failed(String)
}

/// The byte layer a `StreamConnection` sits on: a TLS session, or plain TCP
/// (allowed only where a protocol says so, e.g. loopback HTTP for local
/// development). Non-blocking; confined to one event loop thread.
package protocol StreamTransport: AnyObject {
    /// Advances the handshake; `.done` once bytes may flow.
    func handshake() -> TransportProgress
    /// Reads available bytes into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportProgress
    /// Writes (part of) `bytes`; `.done(n)` reports how many were taken.
    func write(_ bytes: UnsafeRawBufferPointer) -> TransportProgress
    /// Ends the session politely, best effort (the socket is closed right after).
    func shutdown()
}

/// Plain TCP on a non-blocking socket: no handshake, bytes as they are.
package final class PlainTransport: StreamTransport {
    let fd: Int32

    package init(fd: Int32) { self.fd = fd }

    package func handshake() -> TransportProgress { .done(0) }

    package func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportProgress {
        let result = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if result > 0 { return .done(result) }
        if result == 0 { return .closed }
        return Self.progress(errno: errno, wouldBlock: .wantRead)
    }

    package func write(_ bytes: UnsafeRawBufferPointer) -> TransportProgress {
        let result = Glibc.write(fd, bytes.baseAddress, bytes.count)
        if result >= 0 { return .done(result) }
        return Self.progress(errno: errno, wouldBlock: .wantWrite)
    }

    package func shutdown() {}

    private static func progress(errno code: Int32, wouldBlock: TransportProgress) -> TransportProgress {
        if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return wouldBlock }
        if code == ECONNRESET || code == EPIPE { return .closed }
        return .failed("socket error \(code) (\(String(cString: strerror(code))))")
    }
}
