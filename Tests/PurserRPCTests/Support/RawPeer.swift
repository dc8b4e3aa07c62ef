import CLinux
import Dispatch
import COpenSSL
import Glibc
import PurserTestSupport
@testable import PurserRPC

/// A deliberately simple blocking peer for protocol-level tests: a TCP socket
/// with optional TLS configured by hand (old versions, missing ALPN), writing
/// arbitrary bytes and reading frames. Reads time out after `readTimeoutSeconds`.
/// Used from one thread at a time (a writer thread hands it back by finishing).
final class RawPeer: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let fd: Int32
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    private var decoder = FrameDecoder()

    init(port: Int, readTimeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect failed: errno \(errno)") }
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Runs blocking socket work on a GCD thread so it never occupies the Swift
    /// concurrency pool that the server's handlers need.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        if let context { SSL_CTX_free(context) }
        close(fd)
    }

    /// Performs a TLS handshake; returns false when the handshake fails.
    func handshake(maximumVersion: Int32 = purser_SSL_TLS1_3_VERSION(), minimumVersion: Int32? = nil,
                   alpn: [UInt8]? = [8] + Array("purser/1".utf8), identity: String? = nil) async throws -> Bool {
        let ca = try TestEnvironment.certificate("ca")
        let certificate = try identity.map { try TestEnvironment.certificate($0) }
        let key = try identity.map { try TestEnvironment.privateKey($0) }
        return await blocking { self.blockingHandshake(maximumVersion: maximumVersion, minimumVersion: minimumVersion, alpn: alpn,
                                                      ca: ca, certificate: certificate, key: key) }
    }

    private func blockingHandshake(maximumVersion: Int32, minimumVersion: Int32?, alpn: [UInt8]?, ca: String,
                                   certificate: String?, key: String?) -> Bool {
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

    /// Writes bytes through TLS when a handshake was done, otherwise in the clear.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written: Int = bytes.withUnsafeBytes { raw in
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                if let ssl { return Int(SSL_write(ssl, rest.baseAddress, Int32(rest.count))) }
                return Glibc.write(fd, rest.baseAddress, rest.count)
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    func send(_ frame: Frame) throws {
        guard write(try frame.encoded()) else { throw Failure(description: "write failed") }
    }

    /// The next frame, or nil when the peer closed the connection (or the read timed out or failed).
    func readFrame() async -> Frame? {
        await blocking { self.blockingReadFrame() }
    }

    private func blockingReadFrame() -> Frame? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let frame = try? decoder.next() { return frame }
            let count: Int = buffer.withUnsafeMutableBytes { raw in
                if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
                return Glibc.read(fd, raw.baseAddress, raw.count)
            }
            guard count > 0 else { return nil }
            decoder.append(contentsOf: buffer[..<count])
        }
    }

    /// Whether the server closes the connection (reads end) within the read timeout,
    /// skipping any frames it sends first.
    func serverClosesConnection() async -> Bool {
        await blocking { self.blockingServerClosesConnection() }
    }

    private func blockingServerClosesConnection() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count: Int = buffer.withUnsafeMutableBytes { raw in
                if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
                return Glibc.read(fd, raw.baseAddress, raw.count)
            }
            if count > 0 { continue }
            if ssl == nil { return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) }
            guard let ssl else { return false }
            let error = SSL_get_error(ssl, Int32(count))
            // A read timeout shows as SSL_ERROR_SYSCALL with EAGAIN; anything else is the end of the connection.
            return !(error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))
        }
    }
}
