import COpenSSL
import Glibc
import PurserRPC
import PurserTestSupport

/// A blocking TCP peer that speaks TLS (or not) by hand so it can send bytes no
/// well-behaved client would: garbage, truncated frames, impossible lengths,
/// bytes one at a time. Used from one thread at a time.
final class HostilePeer: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    private let fd: Int32
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    private var decoder = FrameDecoder()

    /// Connects to 127.0.0.1:`port`; reads give up after `readTimeoutSeconds`.
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
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect failed: errno \(errno)")
        }
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        if let context { SSL_CTX_free(context) }
        close(fd)
    }

    /// A TLS 1.3 handshake with ALPN `purser/1`, trusting the test CA; false when it fails.
    func handshake() throws -> Bool {
        let ca = try TestEnvironment.certificate("ca")
        let context = SSL_CTX_new(TLS_client_method())
        self.context = context
        _ = purser_SSL_CTX_set_min_proto_version(context, purser_SSL_TLS1_3_VERSION())
        SSL_CTX_load_verify_locations(context, ca, nil)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let alpn: [UInt8] = [8] + Array("purser/1".utf8)
        _ = SSL_CTX_set_alpn_protos(context, alpn, UInt32(alpn.count))
        let ssl = SSL_new(context)
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        _ = SSL_set1_host(ssl, "localhost")
        return SSL_connect(ssl) == 1
    }

    /// Writes all bytes (through TLS after a handshake); false when the connection is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
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

    /// The next frame, or nil when the connection ended, the read timed out or the bytes were malformed.
    func readFrame() -> Frame? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            do {
                if let frame = try decoder.next() { return frame }
            } catch {
                return nil
            }
            let count: Int = buffer.withUnsafeMutableBytes { raw in
                if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
                return Glibc.read(fd, raw.baseAddress, raw.count)
            }
            guard count > 0 else { return nil }
            decoder.append(contentsOf: buffer[..<count])
        }
    }

    /// Whether the server ends the connection within the read timeout, skipping what it sends first.
    func serverClosesConnection() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count: Int = buffer.withUnsafeMutableBytes { raw in
                if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
                return Glibc.read(fd, raw.baseAddress, raw.count)
            }
            if count > 0 { continue }
            guard let ssl else { return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) }
            let error = SSL_get_error(ssl, Int32(count))
            return !(error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))
        }
    }
}
