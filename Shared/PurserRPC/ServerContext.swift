import PurserKit

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// Full method name, e.g. `purser.wallet.v1.Wallet/Authorize`.
    public var method: String
    /// Request metadata as sent by the client.
    public var metadata: Metadata
    /// When the client stops waiting; the server answers `DEADLINE_EXCEEDED` then and cancels the handler.
    public var deadline: ContinuousClock.Instant?
    /// With mutual TLS, the client certificate's subject CN: the calling service's identity.
    public var peerIdentity: String?
    /// With mutual TLS, the client certificate's DNS subjectAltNames.
    public var peerDNSNames: [String]
    /// `ip:port` of the client.
    public var remoteAddress: String
    /// The server's logger with `rpc_method` (and `request_id` when sent) set.
    public var logger: Logger

    public init(method: String, metadata: Metadata, deadline: ContinuousClock.Instant?, peerIdentity: String?,
                peerDNSNames: [String] = [], remoteAddress: String, logger: Logger) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peerIdentity = peerIdentity
        self.peerDNSNames = peerDNSNames
        self.remoteAddress = remoteAddress
        self.logger = logger
    }
}
