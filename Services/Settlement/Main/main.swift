import PurserService
import PurserSettlement

// purser-settlement: reads PURSER_SETTLEMENT_* (see the README), migrates the
// `settlement` schema, copies the Wallet's capture feed, settles periods on
// schedule and serves `purser.settlement.v1.Settlement` (reconciling against
// the Wallet's LedgerTotals) until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

await ServiceMain.run(name: "settlement", settings: SettlementSettings.init(configuration:)) { launch in
    let common = launch.common
    let host = try await ServiceHost(
        settings: common, migrations: SettlementMigrations.all, authentication: .identityService, logger: launch.logger)
    let feed = try WalletCaptureFeed(
        endpoint: launch.settings.walletEndpoint, caPath: common.tlsCAPath, certificatePath: common.tlsCertificatePath,
        privateKeyPath: common.tlsPrivateKeyPath, logger: launch.logger.with(["peer": "wallet"]))
    _ = SettlementService(host: host, settings: launch.settings, feed: feed, ledger: WalletLedgerTotals(client: feed.client))
    return host
}
