import PurserKit
import PurserRPC
import PurserService

/// Settlement's own settings, from `PURSER_SETTLEMENT_*` (see the README).
package struct SettlementSettings: Sendable {
    /// The Wallet, whose capture feed Settlement reads over mutual TLS.
    package var walletEndpoint: Endpoint
    /// How often the scheduled settlement runs.
    package var interval: Duration
    /// The length of scheduled periods.
    package var cadence: Cadence
    /// How long after its end a scheduled period is closed.
    package var closeDelay: Duration
    /// How often the capture feed is polled when it has nothing new.
    package var feedPollInterval: Duration
    /// Entries asked for per feed call.
    package var feedPageSize: Int
    /// Longest pause between feed retries while the Wallet or the database fails.
    package var feedMaximumBackoff: Duration

    /// Memberwise, for tests and embedders.
    package init(
        walletEndpoint: Endpoint, interval: Duration = .seconds(3_600), cadence: Cadence = .daily,
        closeDelay: Duration = .seconds(600), feedPollInterval: Duration = .seconds(5), feedPageSize: Int = 500, feedMaximumBackoff: Duration = .seconds(60)
    ) {
        self.walletEndpoint = walletEndpoint
        self.interval = interval
        self.cadence = cadence
        self.closeDelay = closeDelay
        self.feedPollInterval = feedPollInterval
        self.feedPageSize = feedPageSize
        self.feedMaximumBackoff = feedMaximumBackoff
    }

    /// Reads the settings from `configuration` (service `settlement`); errors name the variable.
    package init(configuration: Configuration) throws {
        let wallet = try configuration.endpoint(
            "WALLET_ENDPOINT", default: ServiceName.wallet.defaultEndpoint.description, doc: "host:port of the Wallet (capture feed)")
        let interval = try configuration.duration("INTERVAL", default: "1h", doc: "how often scheduled settlement runs")
        guard interval > .zero else {
            throw SettingError(variable: configuration.variable("INTERVAL"), value: "\(interval)", expected: "a positive duration")
        }
        let poll = try configuration.duration(
            "FEED_POLL_INTERVAL", default: "5s", doc: "how often the capture feed is polled when idle")
        guard poll > .zero else {
            throw SettingError(variable: configuration.variable("FEED_POLL_INTERVAL"), value: "\(poll)", expected: "a positive duration")
        }
        self.init(
            walletEndpoint: wallet,
            interval: interval,
            cadence: try configuration.enum("PERIOD", as: Cadence.self, default: .daily, doc: "length of scheduled settlement periods (UTC)"),
            closeDelay: try configuration.duration(
                "CLOSE_DELAY", default: "10m", doc: "how long after its end a scheduled period is closed"),
            feedPollInterval: poll,
            feedPageSize: try configuration.int("FEED_PAGE_SIZE", default: 500, in: 1...10_000, doc: "entries per capture feed call"),
            feedMaximumBackoff: try configuration.duration(
                "FEED_MAX_BACKOFF", default: "60s", doc: "longest pause between capture feed retries"))
    }
}
