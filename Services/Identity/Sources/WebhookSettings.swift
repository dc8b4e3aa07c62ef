import PurserKit
import PurserService

/// How Identity delivers webhooks (`PURSER_IDENTITY_WEBHOOK_…`).
package struct WebhookSettings: Sendable {
    /// Deliver to (and register) private, loopback and link-local addresses,
    /// and plain http to a loopback host. Off in production: it opens the
    /// internal network to whoever registers an endpoint.
    package var allowPrivate: Bool
    /// PEM trust roots for receivers' certificates; nil = the system bundle.
    package var trustRootsFile: String?
    /// Bound on one attempt: connect, TLS, request and response.
    package var timeout: Duration
    /// Wait after a failed attempt: doubling from `initial` up to `maximum`, with jitter.
    package var retry: RetrySchedule
    /// How long a delivery is retried before it is marked failed (and its endpoint disabled).
    package var retryPeriod: Duration
    /// How often due retries are looked for (new events are sent at once).
    package var pollInterval: Duration
    /// Attempts in flight at once.
    package var concurrency: Int

    package init(
        allowPrivate: Bool = false, trustRootsFile: String? = nil, timeout: Duration = .seconds(15),
        retry: RetrySchedule = RetrySchedule(initial: .seconds(5), maximum: .seconds(3_600)),
        retryPeriod: Duration = .seconds(86_400), pollInterval: Duration = .seconds(1), concurrency: Int = 16
    ) {
        self.allowPrivate = allowPrivate
        self.trustRootsFile = trustRootsFile
        self.timeout = timeout
        self.retry = retry
        self.retryPeriod = retryPeriod
        self.pollInterval = pollInterval
        self.concurrency = concurrency
    }

    /// Reads the `PURSER_IDENTITY_WEBHOOK_…` settings; errors name the variable.
    package init(configuration: Configuration) throws {
        let caFile = try configuration.string(
            "WEBHOOK_CA_FILE", default: "", doc: "PEM trust roots for webhook receivers (empty = the system's)")
        let concurrency = try configuration.int(
            "WEBHOOK_CONCURRENCY", default: 16, doc: "webhook attempts in flight at once")
        guard (1...256).contains(concurrency) else {
            throw SettingError(variable: configuration.variable("WEBHOOK_CONCURRENCY"), value: "\(concurrency)", expected: "1 to 256")
        }
        self.init(
            allowPrivate: try configuration.bool(
                "WEBHOOK_ALLOW_PRIVATE", default: false,
                doc: "allow webhook endpoints on private, loopback and link-local addresses (development only)"),
            trustRootsFile: caFile.isEmpty ? nil : caFile,
            timeout: try configuration.duration("WEBHOOK_TIMEOUT", default: "15s", doc: "bound on one webhook attempt"),
            retry: RetrySchedule(
                initial: try configuration.duration("WEBHOOK_RETRY_INITIAL", default: "5s", doc: "first retry delay of a webhook"),
                maximum: try configuration.duration("WEBHOOK_RETRY_MAX", default: "1h", doc: "longest retry delay of a webhook")),
            retryPeriod: try configuration.duration(
                "WEBHOOK_RETRY_PERIOD", default: "24h", doc: "how long a webhook is retried before it fails and its endpoint is disabled"),
            pollInterval: try configuration.duration(
                "WEBHOOK_POLL_INTERVAL", default: "1s", doc: "how often due webhook retries are looked for"),
            concurrency: concurrency)
    }
}
