import COpenSSL

/// The OpenSSL context STARTTLS uses: the service's certificate and key,
/// TLS 1.2 or 1.3 (mail servers meet a wider range of clients than `purser/1`),
/// no ALPN, no client certificates. Immutable, shared by every connection.
package final class SMTPTLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// Loads `certificatePath` (PEM chain) and `privateKeyPath`; throws `tls_configuration` when they do not load or match.
    package init(certificatePath: String, privateKeyPath: String) throws(SMTPListenerError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw SMTPListenerError(reason: "tls_configuration", "SSL_CTX_new failed")
        }
        self.context = context
        _ = purser_SSL_CTX_set_min_proto_version(context, purser_SSL_TLS1_2_VERSION())
        _ = purser_SSL_CTX_set_mode(
            context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        _ = SSL_CTX_set_num_tickets(context, 0)
        guard SSL_CTX_use_certificate_chain_file(context, certificatePath) == 1,
            SSL_CTX_use_PrivateKey_file(context, privateKeyPath, SSL_FILETYPE_PEM) == 1,
            SSL_CTX_check_private_key(context) == 1
        else {
            ERR_clear_error()
            throw SMTPListenerError(
                reason: "tls_configuration", "cannot load certificate \(certificatePath) with key \(privateKeyPath)")
        }
    }

    deinit { SSL_CTX_free(context) }
}
