import CLinux
import COpenSSL

/// One TLS connection driven over a non-blocking socket: OpenSSL does the
/// syscalls and reports WANT_READ / WANT_WRITE, which the owner turns into
/// epoll interest. Confined to one event loop thread.
package final class TLSSession: StreamTransport {
    typealias Progress = TransportProgress

    let ssl: OpaquePointer
    private let applicationProtocol: TLSContext.ApplicationProtocol
    /// Client only: the subject CN the server certificate must carry (the service meant).
    private let expectedPeer: String?
    /// Set when the handshake failed because the server certificate named another peer.
    private(set) var wrongPeer = false

    /// A session on `fd`. A client verifies the server certificate against the
    /// trust roots and `serverName` (host name or IP address) and, when
    /// `expectedPeer` is given, also requires its subject CN to be exactly that
    /// name, whatever host name was dialled.
    package init(context: TLSContext, fd: Int32, serverName: String?, expectedPeer: String? = nil) throws(RPCError) {
        guard let ssl = SSL_new(context.context) else {
            throw RPCError(.internal, "SSL_new failed: \(TLSContext.drainErrors())", reason: "tls_failed")
        }
        self.ssl = ssl
        self.applicationProtocol = context.applicationProtocol
        self.expectedPeer = context.role == .client ? expectedPeer : nil
        SSL_set_fd(ssl, fd)
        if context.role == .server {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let serverName {
                if TLSSession.isIPAddress(serverName) {
                    _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
                } else {
                    _ = purser_SSL_set_tlsext_host_name(ssl, serverName)
                    _ = SSL_set1_host(ssl, serverName)
                }
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// Advances the handshake; `.done` once it completed with the context's
    /// ALPN protocol (`purser/1` always; `http/1.1` or none for HTTP) and, for
    /// a client with an expected peer, a server certificate naming it.
    package func handshake() -> TransportProgress {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            switch applicationProtocol {
            case .purser:
                guard purser_SSL_alpn_is_purser(ssl) == 1 else { return .failed("peer did not negotiate ALPN purser/1") }
            case .http11:
                guard purser_SSL_alpn_http11_state(ssl) >= 0 else { return .failed("peer negotiated an ALPN protocol other than http/1.1") }
            case .none:
                break
            }
            if let expectedPeer {
                let named = peerCommonName
                guard named == expectedPeer else {
                    wrongPeer = true
                    return .failed("server certificate names \(named ?? "no one"), not \(expectedPeer)")
                }
            }
            return .done(0)
        }
        return progress(after: result)
    }

    /// Reads decrypted bytes into `buffer`.
    package func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportProgress {
        ERR_clear_error()
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        return result > 0 ? .done(Int(result)) : progress(after: result)
    }

    /// Writes (part of) `bytes`; `.done(n)` reports how many were taken.
    package func write(_ bytes: UnsafeRawBufferPointer) -> TransportProgress {
        ERR_clear_error()
        let result = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        return result > 0 ? .done(Int(result)) : progress(after: result)
    }

    /// Sends close_notify, best effort (the socket is closed right after).
    package func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// The negotiated protocol version, e.g. `TLSv1.3`.
    package var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The verified peer certificate's subject CN, if a certificate was presented.
    package var peerCommonName: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = purser_SSL_peer_common_name(ssl, &buffer, Int32(buffer.count))
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The peer certificate's DNS subjectAltNames.
    package var peerDNSNames: [String] {
        var buffer = [CChar](repeating: 0, count: 2048)
        let length = purser_SSL_peer_dns_names(ssl, &buffer, Int32(buffer.count))
        guard length > 0 else { return [] }
        return String(decoding: buffer[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: ",").map(String.init)
    }

    private func progress(after result: Int32) -> TransportProgress {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let queued = TLSContext.drainErrors()
            let errno = purser_errno()
            if result == 0 || errno == 0 { return .closed }
            return .failed("socket error \(errno) (\(queued))")
        default:
            var message = TLSContext.drainErrors()
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                message += "; certificate verification: \(String(cString: X509_verify_cert_error_string(verify)))"
            }
            return .failed(message)
        }
    }

    package static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
