import Glibc

/// Where and how an `RPCServer` listens.
public struct ServerConfiguration: Sendable {
    /// Address to bind (`0.0.0.0`, `127.0.0.1`, `::`…).
    public var host: String
    /// Port to bind; 0 picks an ephemeral port (reported by `RPCServer.start()`).
    public var port: Int
    public var tls: TLSConfiguration
    /// Number of epoll loops (threads); defaults to one per core.
    public var eventLoops: Int
    public var limits: ServerLimits
    /// Sets SO_REUSEPORT so several processes can share the port (the kernel spreads connections).
    public var reusePort: Bool

    public init(host: String = "0.0.0.0", port: Int, tls: TLSConfiguration, eventLoops: Int = System.coreCount,
                limits: ServerLimits = ServerLimits(), reusePort: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
        self.eventLoops = max(1, eventLoops)
        self.limits = limits
        self.reusePort = reusePort
    }
}

/// Per-connection protection limits of a server (PROTOCOL.md §10).
public struct ServerLimits: Sendable {
    /// Streams one connection may have in flight; beyond, `RESOURCE_EXHAUSTED`.
    public var maximumConcurrentStreams: Int
    /// Largest frame accepted or sent.
    public var maximumFrameSize: Int
    /// Unsent bytes buffered for one connection before the server stops reading from it.
    public var maximumBufferedBytes: Int
    /// A connection with no stream in flight and no traffic for this long is closed.
    public var idleTimeout: Duration

    public init(maximumConcurrentStreams: Int = 1024, maximumFrameSize: Int = Frame.defaultMaximumSize,
                maximumBufferedBytes: Int = 8 * 1024 * 1024, idleTimeout: Duration = .seconds(300)) {
        self.maximumConcurrentStreams = maximumConcurrentStreams
        self.maximumFrameSize = maximumFrameSize
        self.maximumBufferedBytes = maximumBufferedBytes
        self.idleTimeout = idleTimeout
    }
}

/// Facts about the machine.
public enum System {
    /// Number of online processors.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
