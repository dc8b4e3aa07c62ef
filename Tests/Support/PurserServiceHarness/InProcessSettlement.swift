import PurserKit
import PurserRPC
import PurserService
import PurserSettlement
import PurserTestSupport

/// A real Settlement service running in this process, started and listening:
/// TLS with the test `settlement` certificate, verifying tokens with an
/// Identity, copying a Wallet's capture feed in the background and reading the
/// Wallet's ledger totals for `Reconcile`, both over mutual TLS as
/// `settlement`. No scheduler runs: a test settles periods itself with
/// `RunSettlement`, so the periods it chooses are never overlapped by
/// scheduled ones.
package struct InProcessSettlement: Sendable {
    /// Its host: stop it with `host.shutdown()`.
    package let host: ServiceHost
    /// The service, whose `consumer` a test may drive to copy the feed at once.
    package let service: SettlementService
    /// Its client of the Wallet's capture feed and ledger totals; close it after the host stopped.
    package let feed: WalletCaptureFeed
    /// The port it listens on.
    package let port: Int

    /// Starts Settlement on `databaseURL` trusting the Identity on
    /// `identityPort`, polling the capture feed of the Wallet on `walletPort`
    /// every `feedPollInterval`, with its clock `clock` (a shifted clock lets
    /// a test close the period it is in).
    package static func start(
        databaseURL: String, identityPort: Int, walletPort: Int, feedPollInterval: Duration = .milliseconds(100),
        clock: SettlementClock = .system, logger: Logger
    ) async throws -> InProcessSettlement {
        let common = try ServiceSettings.test(
            "settlement", databaseURL: databaseURL, poolSize: 2, identityPort: identityPort)
        let settings = SettlementSettings(
            walletEndpoint: Endpoint(host: "127.0.0.1", port: walletPort), feedPollInterval: feedPollInterval)
        let host = try await ServiceHost(
            settings: common, migrations: SettlementMigrations.all, authentication: .identityService, logger: logger)
        let feed = try WalletCaptureFeed(
            endpoint: settings.walletEndpoint, caPath: common.tlsCAPath, certificatePath: common.tlsCertificatePath,
            privateKeyPath: common.tlsPrivateKeyPath, logger: logger)
        let service = SettlementService(
            host: host, settings: settings, feed: feed, ledger: WalletLedgerTotals(client: feed.client), clock: clock,
            background: false)
        host.addBackground("capture-feed", service.consumer)
        return InProcessSettlement(host: host, service: service, feed: feed, port: try host.start())
    }
}
