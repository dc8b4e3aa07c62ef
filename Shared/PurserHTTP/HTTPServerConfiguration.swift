import PurserRPC

/// Where and how an `HTTPServer` listens, and the limits that protect it.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 picks an ephemeral one (reported by `start()`).
    public var port: Int
    /// Certificate and key; nil serves plain HTTP, which `start()` allows only
    /// on a loopback address and with `allowPlaintextOnLoopback` set.
    public var tls: TLSConfiguration?
    /// Local development only: serve plain HTTP on a loopback address.
    public var allowPlaintextOnLoopback: Bool
    /// Serve plain HTTP on any address: only for what carries nothing secret
    /// and stays on an internal network (the metrics endpoint).
    public var allowPlaintextOnAnyAddress: Bool
    /// Accept TLS 1.2 clients as well as TLS 1.3 (off by default).
    public var allowTLS12: Bool
    public var eventLoops: Int
    public var limits: HTTPServerLimits

    public init(host: String = "0.0.0.0", port: Int, tls: TLSConfiguration?, allowPlaintextOnLoopback: Bool = false,
                allowPlaintextOnAnyAddress: Bool = false, allowTLS12: Bool = false, eventLoops: Int = System.coreCount, limits: HTTPServerLimits = HTTPServerLimits()) {
        self.host = host
        self.port = port
        self.tls = tls
        self.allowPlaintextOnLoopback = allowPlaintextOnLoopback
        self.allowPlaintextOnAnyAddress = allowPlaintextOnAnyAddress
        self.allowTLS12 = allowTLS12
        self.eventLoops = max(1, eventLoops)
        self.limits = limits
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}

/// Limits of an `HTTPServer`; the body size limit is per route (`HTTPRouter`).
public struct HTTPServerLimits: Sendable {
    /// Largest request line plus header block (16 KiB).
    public var maximumHeadSize: Int
    /// From a request's first byte (or the connection's start) to its complete head.
    public var headerReadTimeout: Duration
    /// A connection with no request in progress and no bytes for this long is closed.
    public var idleTimeout: Duration
    /// Open connections allowed from one client IP address.
    public var maximumConnectionsPerAddress: Int
    /// Unsent response bytes buffered for one connection before it stops reading.
    public var maximumBufferedBytes: Int

    public init(maximumHeadSize: Int = 16 * 1024, headerReadTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
                maximumConnectionsPerAddress: Int = 256, maximumBufferedBytes: Int = 1 << 20) {
        self.maximumHeadSize = maximumHeadSize
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        self.maximumBufferedBytes = maximumBufferedBytes
    }
}
