import PurserAPI
import PurserService
import PurserWallet

// purser-wallet: reads PURSER_WALLET_* (see the README), migrates the `wallet`
// schema and serves `purser.wallet.v1.Wallet` until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

await ServiceMain.run(name: "wallet", settings: WalletSettings.init(configuration:)) { launch in
    let settings = launch.settings
    let host = try await ServiceHost(
        settings: launch.common, migrations: WalletMigrations.all, authentication: .identityService, logger: launch.logger)
    let policy = try launch.common.peerClient("policy", at: settings.policyEndpoint, logger: launch.logger)
    _ = WalletService(
        host: host, settings: settings,
        directory: IdentityDirectory(client: try host.requireIdentity().client, ttl: settings.directoryTTL),
        policy: PolicyClient(client: policy, ttl: settings.policyCacheTTL))
    return host
}
