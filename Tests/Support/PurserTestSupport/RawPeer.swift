import COpenSSL
import Dispatch
import Glibc
import PurserRPC

/// A deliberately simple blocking peer for protocol-level and hostile-input
/// tests: a TCP socket to 127.0.0.1 with TLS configured by hand (old versions,
/// missing or foreign ALPN, a client certificate), writing arbitrary bytes no
/// well-behaved client would and reading frames. Reads (and, when asked,
/// writes) give up after their timeouts. Used from one thread at a time.
///
/// The `…Blocking` methods block the calling thread, for peers running on
/// threads of their own; their async twins run the same work on a GCD thread,
/// so they never occupy the Swift concurrency pool a server's handlers need.
public final class RawPeer: @unchecked Sendable {
    /// Why the socket could not be set up or a frame not written.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let fd: Int32
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    private var decoder = FrameDecoder()

    /// Connects to 127.0.0.1:`port`; reads give up after `readTimeoutSeconds`,
    /// writes after `sendTimeoutSeconds` (never, when nil).
    public init(port: Int, readTimeoutSeconds: Int = 5, sendTimeoutSeconds: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = errno
            close(fd)
            throw Failure(description: "connect failed: errno \(error)")
        }
        var readTimeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &readTimeout, socklen_t(MemoryLayout<timeval>.size))
        if let sendTimeoutSeconds {
            var sendTimeout = timeval(tv_sec: sendTimeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        if let context { SSL_CTX_free(context) }
        close(fd)
    }

    /// A TLS handshake trusting the test CA, offering versions up to
    /// `maximumVersion` (and from `minimumVersion`), `alpn` (wire format; nil
    /// offers none) and the test certificate named `identity`; false when the
    /// handshake fails.
    public func handshakeBlocking(
        maximumVersion: Int32 = purser_SSL_TLS1_3_VERSION(), minimumVersion: Int32? = nil,
        alpn: [UInt8]? = [8] + Array("purser/1".utf8), identity: String? = nil
    ) throws -> Bool {
        let ca = try TestEnvironment.certificate("ca")
        let certificate = try identity.map { try TestEnvironment.certificate($0) }
        let key = try identity.map { try TestEnvironment.privateKey($0) }
        let context = SSL_CTX_new(TLS_client_method())
        self.context = context
        if let minimumVersion { _ = purser_SSL_CTX_set_min_proto_version(context, minimumVersion) }
        _ = purser_SSL_CTX_set_max_proto_version(context, maximumVersion)
        SSL_CTX_load_verify_locations(context, ca, nil)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let alpn { _ = SSL_CTX_set_alpn_protos(context, alpn, UInt32(alpn.count)) }
        if let certificate, let key {
            SSL_CTX_use_certificate_chain_file(context, certificate)
            SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM)
        }
        let ssl = SSL_new(context)
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        _ = SSL_set1_host(ssl, "localhost")
        return SSL_connect(ssl) == 1
    }

    /// `handshakeBlocking` on a GCD thread.
    public func handshake(
        maximumVersion: Int32 = purser_SSL_TLS1_3_VERSION(), minimumVersion: Int32? = nil,
        alpn: [UInt8]? = [8] + Array("purser/1".utf8), identity: String? = nil
    ) async throws -> Bool {
        try await blocking {
            try self.handshakeBlocking(maximumVersion: maximumVersion, minimumVersion: minimumVersion, alpn: alpn, identity: identity)
        }.get()
    }

    /// Writes all bytes (through TLS after a handshake, in the clear before);
    /// false when the connection is gone or the write timed out.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written: Int = bytes.withUnsafeBytes { raw in
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                if let ssl { return Int(SSL_write(ssl, rest.baseAddress, Int32(rest.count))) }
                return Glibc.send(fd, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Writes `frame` encoded.
    public func send(_ frame: Frame) throws {
        guard write(try frame.encoded()) else { throw Failure(description: "write failed") }
    }

    /// The next frame, or nil when the connection ended, the read timed out or
    /// the bytes were malformed.
    public func readFrameBlocking() -> Frame? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            do {
                if let frame = try decoder.next() { return frame }
            } catch {
                return nil
            }
            let count = read(into: &buffer)
            guard count > 0 else { return nil }
            decoder.append(contentsOf: buffer[..<count])
        }
    }

    /// `readFrameBlocking` on a GCD thread.
    public func readFrame() async -> Frame? {
        await blocking { self.readFrameBlocking() }
    }

    /// Whether the server ends the connection within the read timeout,
    /// skipping whatever it sends first.
    public func serverClosesConnectionBlocking() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(into: &buffer)
            if count > 0 { continue }
            guard let ssl else { return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) }
            let error = SSL_get_error(ssl, Int32(count))
            // A read timeout shows as SSL_ERROR_SYSCALL with EAGAIN; anything else is the end of the connection.
            return !(error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))
        }
    }

    /// How a read ended.
    public enum ReadEnd: Sendable, Equatable {
        /// Bytes arrived.
        case bytes([UInt8])
        /// The peer ended the stream in order (TLS close_notify, or FIN in the clear).
        case orderlyClose
        /// Nothing arrived within the read timeout.
        case timedOut
        /// The connection failed: a reset, or a TLS end without close_notify.
        case failed
    }

    /// The next bytes the server sends, or how the stream ended.
    public func readBlocking() -> ReadEnd {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let count = read(into: &buffer)
        if count > 0 { return .bytes(Array(buffer[..<count])) }
        let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
        guard let ssl else { return count == 0 ? .orderlyClose : timedOut ? .timedOut : .failed }
        switch SSL_get_error(ssl, Int32(count)) {
        case SSL_ERROR_ZERO_RETURN: return .orderlyClose
        case SSL_ERROR_SYSCALL where count < 0 && timedOut: return .timedOut
        default: return .failed
        }
    }

    /// `serverClosesConnectionBlocking` on a GCD thread.
    public func serverClosesConnection() async -> Bool {
        await blocking { self.serverClosesConnectionBlocking() }
    }

    private func read(into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { raw in
            if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
            return Glibc.read(fd, raw.baseAddress, raw.count)
        }
    }

    private func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await blocking { Result { try work() } }
    }
}
