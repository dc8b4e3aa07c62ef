import PurserPolicyService
import PurserService

// purser-policy: reads PURSER_POLICY_* (see the README), migrates the `policy`
// schema and serves `purser.policy.v1.Policy` until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

await ServiceMain.run(name: "policy", settings: PolicySettings.init(configuration:)) { launch in
    let host = try await ServiceHost(
        settings: launch.common, migrations: PolicyMigrations.all, authentication: .identityService, logger: launch.logger)
    let wallet = try launch.common.peerClient("wallet", at: launch.settings.walletEndpoint, logger: launch.logger)
    _ = PolicyService(
        host: host, directory: TenantDirectory(client: try host.requireIdentity().client, ttl: launch.settings.directoryCacheTTL),
        wallet: WalletLink(client: wallet))
    return host
}
