/// Where an `RPCClient` connects and how.
public struct ClientConfiguration: Sendable {
    /// Host name or IP address to connect to.
    public var host: String
    public var port: Int
    /// Name the server certificate must match (DNS name or IP address); defaults to `host`.
    public var serverName: String
    /// The service the client means to call: the server certificate's subject
    /// CN must be exactly this name (`deploy/certs.sh` issues `CN=<service>`),
    /// whatever host name or address was dialled. nil checks `serverName` only.
    public var expectedPeer: String?
    /// Trust roots, and a client certificate/key for mutual TLS.
    public var tls: TLSConfiguration
    /// Connections kept to the endpoint; calls are spread round robin.
    public var connections: Int
    /// Event-loop threads driving the connections.
    public var eventLoops: Int
    /// Attempts per call when the connection broke after the request was sent
    /// and the call is safe to repeat (see `RPCClient`); 1 never repeats such a call.
    public var maximumAttempts: Int
    /// Times a call is repeated because the server provably never took it
    /// (refused connection, failed handshake, GOAWAY below the call), on top of
    /// `maximumAttempts`; 0 never repeats.
    public var maximumTransparentRetries: Int
    public var maximumFrameSize: Int
    /// Unsent bytes buffered per connection before the client stops reading from it.
    public var maximumBufferedBytes: Int

    public init(host: String, port: Int, serverName: String? = nil, expectedPeer: String? = nil, tls: TLSConfiguration, connections: Int = 1,
                eventLoops: Int = 1, maximumAttempts: Int = 3, maximumTransparentRetries: Int = 5,
                maximumFrameSize: Int = Frame.defaultMaximumSize,
                maximumBufferedBytes: Int = 8 * 1024 * 1024) {
        self.host = host
        self.port = port
        self.serverName = serverName ?? host
        self.expectedPeer = expectedPeer
        self.tls = tls
        self.connections = max(1, connections)
        self.eventLoops = max(1, eventLoops)
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumTransparentRetries = max(0, maximumTransparentRetries)
        self.maximumFrameSize = maximumFrameSize
        self.maximumBufferedBytes = maximumBufferedBytes
    }
}

/// A successful call's message bytes and response metadata.
public struct RPCResponse: Sendable, Equatable {
    public var body: [UInt8]
    public var metadata: Metadata
    public init(body: [UInt8], metadata: Metadata) {
        self.body = body
        self.metadata = metadata
    }
}
