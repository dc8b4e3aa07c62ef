/// TLS settings for a server or a client; the files are PEM. Every `purser/1`
/// connection is TLS 1.3 with ALPN `purser/1` (PurserHTTP uses the same
/// settings with ALPN `http/1.1`).
public struct TLSConfiguration: Sendable {
    /// Whether a server asks for, or insists on, a client certificate signed by `trustRootsPath`.
    public enum ClientCertificatePolicy: Sendable {
        /// No client certificate is requested.
        case none
        /// A client certificate is requested and, when presented, must verify.
        case optional
        /// A verified client certificate is required (mutual TLS).
        case required
    }

    /// This side's certificate chain (required for servers, optional for clients).
    public var certificatePath: String?
    /// The private key of `certificatePath`.
    public var privateKeyPath: String?
    /// CA certificates used to verify the peer.
    public var trustRootsPath: String?
    /// Server only: client certificate policy.
    public var clientCertificate: ClientCertificatePolicy
    /// Longest a TLS handshake may take before the connection is dropped.
    public var handshakeTimeout: Duration

    public init(
        certificatePath: String? = nil, privateKeyPath: String? = nil, trustRootsPath: String? = nil,
        clientCertificate: ClientCertificatePolicy = .none, handshakeTimeout: Duration = .seconds(10)
    ) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.trustRootsPath = trustRootsPath
        self.clientCertificate = clientCertificate
        self.handshakeTimeout = handshakeTimeout
    }

    /// A server presenting `certificatePath`/`privateKeyPath`, verifying client certificates against `trustRootsPath`.
    public static func server(
        certificatePath: String, privateKeyPath: String, trustRootsPath: String? = nil,
        clientCertificate: ClientCertificatePolicy = .none
    ) -> TLSConfiguration {
        TLSConfiguration(certificatePath: certificatePath, privateKeyPath: privateKeyPath,
                         trustRootsPath: trustRootsPath, clientCertificate: clientCertificate)
    }

    /// A client trusting `trustRootsPath`, optionally presenting a certificate for mutual TLS.
    public static func client(trustRootsPath: String, certificatePath: String? = nil, privateKeyPath: String? = nil) -> TLSConfiguration {
        TLSConfiguration(certificatePath: certificatePath, privateKeyPath: privateKeyPath, trustRootsPath: trustRootsPath)
    }
}
