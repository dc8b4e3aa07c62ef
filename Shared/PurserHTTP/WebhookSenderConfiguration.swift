/// How a `WebhookSender` reaches receivers.
public struct WebhookSenderConfiguration: Sendable {
    /// Debian's bundle of the system's trusted CAs.
    public static let systemTrustRootsPath = "/etc/ssl/certs/ca-certificates.crt"

    /// Allows private, loopback and other non-public addresses, and plain
    /// `http` to a loopback host: local receivers in tests and development only.
    public var allowPrivate: Bool
    /// Longest one attempt may take: DNS, connect, TLS, request and response.
    public var timeout: Duration
    /// PEM file of the CAs a receiver's certificate must chain to.
    public var trustRootsPath: String
    /// Largest response body read; a larger one fails the attempt with `response_too_large`.
    public var maximumResponseBodySize: Int

    public init(allowPrivate: Bool = false, timeout: Duration = .seconds(15),
                trustRootsPath: String = WebhookSenderConfiguration.systemTrustRootsPath,
                maximumResponseBodySize: Int = 64 << 10) {
        self.allowPrivate = allowPrivate
        self.timeout = timeout
        self.trustRootsPath = trustRootsPath
        self.maximumResponseBodySize = maximumResponseBodySize
    }

    /// The address policy `allowPrivate` stands for.
    public var policy: OutboundAddressPolicy { OutboundAddressPolicy(allowPrivate: allowPrivate) }
}

/// What one delivery attempt came to. `error` is nil exactly when the attempt
/// succeeded (a 2xx answer).
public struct WebhookAttemptResult: Sendable, Equatable {
    /// The receiver's status code; nil when no HTTP response arrived.
    public var statusCode: Int?
    /// Why the attempt failed, a stable reason: `http_status` (a non-2xx,
    /// non-3xx answer), `redirect_refused` (3xx, never followed), `timeout`,
    /// `dns_failed`, `address_not_allowed`, `connect_failed`, `tls_failed`,
    /// `connection_lost`, `malformed_response`, `response_too_large`,
    /// `sender_shut_down`, or a `url_*` reason of `WebhookURL.validate(policy:)`.
    public var error: String?
    /// What happened, in prose, for the delivery log (never a secret).
    public var detail: String
    /// From the start of `send` to its end, on a monotonic clock.
    public var latency: Duration
    /// The first 512 bytes of the response body, invalid UTF-8 replaced.
    public var responseExcerpt: String

    public init(statusCode: Int?, error: String?, detail: String, latency: Duration, responseExcerpt: String) {
        self.statusCode = statusCode
        self.error = error
        self.detail = detail
        self.latency = latency
        self.responseExcerpt = responseExcerpt
    }

    /// The receiver answered 2xx.
    public var succeeded: Bool { error == nil }
}
