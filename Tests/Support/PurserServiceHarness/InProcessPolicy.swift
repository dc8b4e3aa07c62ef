import Foundation
import PurserKit
import PurserPolicyService
import PurserRPC
import PurserService

/// A real Policy service running in this process, started and listening:
/// TLS with the test `policy` certificate, verifying tokens and reading tenant
/// time zones and memberships from an Identity, reading spend counters from a
/// Wallet through the given client.
package struct InProcessPolicy: Sendable {
    /// Its host: stop it with `host.shutdown()`.
    package let host: ServiceHost
    /// The port it listens on.
    package let port: Int

    /// Starts Policy on `databaseURL` trusting the Identity on `identityPort`,
    /// asking `wallet` (a mutual-TLS client as `policy`) for spend counters with
    /// `walletTimeout`, evaluating at `now`, listening on `port` (0 = any).
    package static func start(
        databaseURL: String, identityPort: Int, wallet: RPCClient, walletTimeout: Duration = .seconds(5), port: Int = 0,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) async throws -> InProcessPolicy {
        let settings = try ServiceSettings.test(
            "policy", port: port, databaseURL: databaseURL, poolSize: 2, identityPort: identityPort)
        let host = try await ServiceHost(
            settings: settings, migrations: PolicyMigrations.all, authentication: .identityService, logger: logger)
        guard let identity = host.identity else { throw RPCError(.internal, "the policy host has no Identity connection") }
        _ = PolicyService(
            host: host, directory: TenantDirectory(client: identity.client, ttl: .seconds(30)),
            wallet: WalletLink(client: wallet, timeout: walletTimeout), now: now)
        return InProcessPolicy(host: host, port: try host.start())
    }
}
