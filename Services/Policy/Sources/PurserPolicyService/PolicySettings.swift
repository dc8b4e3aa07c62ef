import PurserKit
import PurserRPC

/// Settings of the Policy service beyond the common ones, from
/// `PURSER_POLICY_<SETTING>` (see the README).
package struct PolicySettings: Sendable {
    /// How long tenant time zones and agent memberships and ancestries fetched from Identity are reused.
    package var directoryCacheTTL: Duration
    /// host:port of the Wallet, asked for spend counters by Simulate.
    package var walletEndpoint: Endpoint

    /// Memberwise, for tests and embedders.
    package init(
        directoryCacheTTL: Duration = .seconds(30), walletEndpoint: Endpoint = ServiceName.wallet.defaultEndpoint
    ) {
        self.directoryCacheTTL = directoryCacheTTL
        self.walletEndpoint = walletEndpoint
    }

    /// Reads `PURSER_POLICY_DIRECTORY_CACHE_TTL` and `PURSER_POLICY_WALLET_ENDPOINT`. Errors name the variable.
    package init(configuration: Configuration) throws {
        let walletEndpoint = try configuration.endpoint(
            "WALLET_ENDPOINT", default: ServiceName.wallet.defaultEndpoint.description, doc: "host:port of the Wallet (spend counters for Simulate)")
        self.init(
            directoryCacheTTL: try configuration.duration(
                "DIRECTORY_CACHE_TTL", default: "30s",
                doc: "how long tenant time zones and agent memberships and ancestries from Identity are reused"),
            walletEndpoint: walletEndpoint)
    }
}
