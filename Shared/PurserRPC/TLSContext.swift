import COpenSSL

/// The OpenSSL version string this module was linked against.
public func openSSLVersion() -> String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }

/// A configured OpenSSL `SSL_CTX`: TLS 1.3 (1.2 as well only when asked),
/// one ALPN protocol, certificates loaded and verification set up. Immutable
/// after creation, shared by every connection of a server or client.
package final class TLSContext: @unchecked Sendable {
    package enum Role: Sendable { case server, client }

    /// The one application protocol negotiated with ALPN.
    package enum ApplicationProtocol: Sendable {
        /// `purser/1`, required of every peer.
        case purser
        /// `http/1.1`; a peer that offers no ALPN at all is accepted too (HTTP clients differ).
        case http11
        /// No ALPN at all (SMTP's STARTTLS: mail clients offer none).
        case none
    }

    let context: OpaquePointer
    package let role: Role
    package let applicationProtocol: ApplicationProtocol

    /// A context for `role` speaking `applicationProtocol`; TLS 1.2 is allowed
    /// only when `allowTLS12` is set. Throws `tls_configuration` when a file
    /// cannot be loaded or the settings do not fit the role.
    package init(_ configuration: TLSConfiguration, role: Role, applicationProtocol: ApplicationProtocol = .purser,
                 allowTLS12: Bool = false) throws(RPCError) {
        guard let context = SSL_CTX_new(role == .server ? TLS_server_method() : TLS_client_method()) else {
            throw RPCError(.internal, "SSL_CTX_new failed: \(TLSContext.drainErrors())", reason: "tls_configuration")
        }
        self.context = context
        self.role = role
        self.applicationProtocol = applicationProtocol
        let minimum = allowTLS12 ? purser_SSL_TLS1_2_VERSION() : purser_SSL_TLS1_3_VERSION()
        _ = purser_SSL_CTX_set_min_proto_version(context, minimum)
        _ = purser_SSL_CTX_set_max_proto_version(context, purser_SSL_TLS1_3_VERSION())
        _ = purser_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        if let certificate = configuration.certificatePath {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw RPCError(.internal, "cannot load certificate \(certificate): \(TLSContext.drainErrors())", reason: "tls_configuration")
            }
            guard let key = configuration.privateKeyPath,
                  SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_check_private_key(context) == 1
            else {
                throw RPCError(.internal, "cannot load the private key for \(certificate): \(TLSContext.drainErrors())", reason: "tls_configuration")
            }
        } else if role == .server {
            throw RPCError(.internal, "a TLS server needs a certificate and a private key", reason: "tls_configuration")
        }
        if let roots = configuration.trustRootsPath {
            guard SSL_CTX_load_verify_locations(context, roots, nil) == 1 else {
                throw RPCError(.internal, "cannot load trust roots \(roots): \(TLSContext.drainErrors())", reason: "tls_configuration")
            }
        }
        switch role {
        case .server:
            switch applicationProtocol {
            case .purser: purser_SSL_CTX_select_purser_alpn(context)
            case .http11: purser_SSL_CTX_select_http11_alpn(context)
            case .none: break
            }
            _ = SSL_CTX_set_num_tickets(context, 0)
            switch configuration.clientCertificate {
            case .none:
                SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
            case .optional, .required:
                guard let roots = configuration.trustRootsPath else {
                    throw RPCError(.internal, "client certificates need trust roots", reason: "tls_configuration")
                }
                if let names = SSL_load_client_CA_file(roots) { SSL_CTX_set_client_CA_list(context, names) }
                let required = configuration.clientCertificate == .required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0
                SSL_CTX_set_verify(context, SSL_VERIFY_PEER | required, nil)
            }
        case .client:
            guard configuration.trustRootsPath != nil else {
                throw RPCError(.internal, "a TLS client needs trust roots to verify the server", reason: "tls_configuration")
            }
            let offered: Int32 = switch applicationProtocol {
            case .purser: purser_SSL_CTX_offer_purser_alpn(context)
            case .http11: purser_SSL_CTX_offer_http11_alpn(context)
            case .none: 0
            }
            guard offered == 0 else {
                throw RPCError(.internal, "cannot set ALPN: \(TLSContext.drainErrors())", reason: "tls_configuration")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
    }

    deinit { SSL_CTX_free(context) }

    /// The calling thread's queued OpenSSL errors as readable text (the queue is emptied).
    package static func drainErrors() -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = purser_ERR_drain(&buffer, Int32(buffer.count))
        guard length > 0 else { return "no OpenSSL error queued" }
        return String(decoding: buffer[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
