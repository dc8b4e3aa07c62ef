import PurserKit
import PurserRPC
import PurserService

/// The Wallet's own settings (the common ones are `ServiceSettings`), read from
/// `PURSER_WALLET_*`.
package struct WalletSettings: Sendable {
    /// Hold lifetime when an authorization does not ask for one.
    package var defaultHoldTTL: Duration
    /// Longest hold lifetime an authorization may ask for.
    package var maximumHoldTTL: Duration
    /// Largest amount one call may move (guards against typos and, with the
    /// tenant's daily bound, keeps every period's totals far below `Int64.max`).
    package var maximumAmountMicros: Int64
    /// Most one tenant may bring into its accounts in one UTC day, summed over
    /// Fund and Refund (`tenant_daily_limit_exceeded` beyond); spending is
    /// bounded by balances, which only these two grow.
    package var tenantDailyMaximumMicros: Int64
    /// Most authorizations (of one or several agents) decided in one transaction.
    package var authorizationBatch: Int
    /// Most authorization transactions in flight at once; later requests
    /// queue and join the next transaction.
    package var authorizationsInFlight: Int
    /// How often expired holds are released.
    package var sweepInterval: Duration
    /// How long idempotency records are kept (at least 24 h).
    package var idempotencyRetention: Duration
    /// How long facts fetched from Identity (tenants, agents, providers) are reused.
    package var directoryTTL: Duration
    /// Where the Policy service listens (reached over mutual TLS as `wallet`).
    package var policyEndpoint: Endpoint
    /// How long an agent's effective policy is reused; a policy change reaches
    /// every authorization within this bound.
    package var policyCacheTTL: Duration

    /// Memberwise, for tests and embedders.
    package init(
        defaultHoldTTL: Duration = .seconds(300), maximumHoldTTL: Duration = .seconds(3_600),
        maximumAmountMicros: Int64 = 1_000_000_000_000, authorizationBatch: Int = 128, authorizationsInFlight: Int = 2,
        sweepInterval: Duration = .seconds(1), idempotencyRetention: Duration = .seconds(86_400),
        directoryTTL: Duration = .seconds(60), policyEndpoint: Endpoint = ServiceName.policy.defaultEndpoint,
        policyCacheTTL: Duration = .seconds(1),
        tenantDailyMaximumMicros: Int64 = Ledger.defaultTenantDailyMaximumMicros
    ) {
        self.defaultHoldTTL = defaultHoldTTL
        self.maximumHoldTTL = maximumHoldTTL
        self.maximumAmountMicros = maximumAmountMicros
        self.tenantDailyMaximumMicros = tenantDailyMaximumMicros
        self.authorizationBatch = authorizationBatch
        self.authorizationsInFlight = authorizationsInFlight
        self.sweepInterval = sweepInterval
        self.idempotencyRetention = idempotencyRetention
        self.directoryTTL = directoryTTL
        self.policyEndpoint = policyEndpoint
        self.policyCacheTTL = policyCacheTTL
    }

    /// Reads the settings from `configuration` (service `wallet`); errors name the variable.
    package init(configuration: Configuration) throws {
        let defaultTTL = try configuration.duration(
            "HOLD_TTL_DEFAULT", default: "5m", doc: "hold lifetime when Authorize does not ask for one")
        let maximumTTL = try configuration.duration(
            "HOLD_TTL_MAX", default: "1h", doc: "longest hold lifetime Authorize may ask for")
        guard defaultTTL > .zero, maximumTTL >= defaultTTL else {
            throw SettingError(
                variable: configuration.variable("HOLD_TTL_MAX"), value: "\(maximumTTL)",
                expected: "a duration at least PURSER_WALLET_HOLD_TTL_DEFAULT (\(defaultTTL)), both positive")
        }
        let retention = try configuration.duration(
            "IDEMPOTENCY_RETENTION", default: "24h", doc: "how long idempotency keys are remembered (at least 24h)")
        guard retention >= .seconds(86_400) else {
            throw SettingError(
                variable: configuration.variable("IDEMPOTENCY_RETENTION"), value: "\(retention)", expected: "at least 24h")
        }
        let policyText = try configuration.string(
            "POLICY_ENDPOINT", default: ServiceName.policy.defaultEndpoint.description, doc: "host:port of Policy (spending policies)")
        guard let policyEndpoint = Endpoint(parsing: policyText) else {
            throw SettingError(variable: configuration.variable("POLICY_ENDPOINT"), value: policyText, expected: "host:port")
        }
        let policyTTL = try configuration.duration(
            "POLICY_CACHE_TTL", default: "1s", doc: "how long an agent's effective policy is reused (freshness bound)")
        guard policyTTL > .zero, policyTTL <= .seconds(60) else {
            throw SettingError(
                variable: configuration.variable("POLICY_CACHE_TTL"), value: "\(policyTTL)", expected: "a duration in (0, 60s]")
        }
        self.init(
            defaultHoldTTL: defaultTTL,
            maximumHoldTTL: maximumTTL,
            maximumAmountMicros: Int64(try configuration.int(
                "MAX_AMOUNT_MICROS", default: 1_000_000_000_000, in: 1...Int(Int64.max),
                doc: "largest amount one call may move, in micros (amount_too_large beyond)")),
            authorizationBatch: try configuration.int(
                "AUTHORIZE_BATCH", default: 128, in: 1...4_096,
                doc: "most authorizations (of one or several agents) decided in one transaction"),
            authorizationsInFlight: try configuration.int(
                "AUTHORIZE_IN_FLIGHT", default: 2, in: 1...64,
                doc: "most authorization transactions in flight at once; later requests join the next"),
            sweepInterval: try configuration.duration("SWEEP_INTERVAL", default: "1s", doc: "how often expired holds are released"),
            idempotencyRetention: retention,
            directoryTTL: try configuration.duration(
                "DIRECTORY_TTL", default: "60s", doc: "how long tenant, agent and provider facts from Identity are cached"),
            policyEndpoint: policyEndpoint,
            policyCacheTTL: policyTTL,
            tenantDailyMaximumMicros: Int64(try configuration.int(
                "TENANT_DAILY_MAX_MICROS", default: Int(Ledger.defaultTenantDailyMaximumMicros), in: 1...Int(Int64.max),
                doc: "most one tenant may bring in over one UTC day by Fund and Refund, in micros")))
    }
}
