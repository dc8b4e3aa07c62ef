import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserService
import PurserServiceHarness
import PurserTestSupport
import PurserWallet
import Testing

/// A Wallet verifies every caller's token with Identity's signing keys; until
/// it holds them it can serve nothing, and its health says so.
@Suite struct WalletHealthTests {
    @Test func walletStartedWhileIdentityIsDownIsNotServingUntilItHoldsSigningKeys() async throws {
        let logger = Logger(label: "wallet-health", level: .critical)
        let identityPort = try TestRPC.freePort()
        let walletPort = try TestRPC.freePort()
        let settings = try ServiceSettings.test(
            "wallet", port: walletPort, databaseURL: try await TestDatabase.create(label: "wallet_health"), poolSize: 2,
            identityPort: identityPort)
        let host = try await ServiceHost(
            settings: settings, migrations: WalletMigrations.all, authentication: .identityService, logger: logger)
        let walletSettings = WalletSettings()
        let connection = try #require(host.identity)
        let toPolicy = try TestRPC.client(port: try TestRPC.freePort(), certificate: "wallet", logger: logger)
        _ = WalletService(
            host: host, settings: walletSettings,
            directory: IdentityDirectory(client: connection.client, ttl: walletSettings.directoryTTL),
            policy: PolicyClient(client: toPolicy, ttl: walletSettings.policyCacheTTL, timeout: .seconds(5)))
        try host.start()
        let client = try TestRPC.client(port: walletPort, certificate: nil, logger: logger)

        // Identity is not running: the Wallet's database is fine, but it has no key to verify a token with.
        #expect(try await client.call(Health.check, HealthCheckRequest()).status == .notServing)
        #expect(await HealthProbe.check(settings, logger: logger) == false, "--health-check fails")
        #expect(host.verifier.statistics.knownKeys == 0)

        // Identity starts: the Wallet loads its keys and answers SERVING.
        let identity = try await InProcessIdentity.start(
            databaseURL: try await TestDatabase.create(label: "wallet_health_identity"), port: identityPort, logger: logger)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(30))
        var answers: [ServingStatus] = []
        while answers.last != .serving {
            try #require(clock.now < deadline, "still \(answers.last.map(String.init(describing:)) ?? "-") 30 s after Identity started")
            answers.append(try await client.call(Health.check, HealthCheckRequest()).status)
            if answers.last != .serving { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(Set(answers).isSubset(of: [.notServing, .serving]))
        #expect(host.verifier.statistics.knownKeys > 0)
        #expect(await HealthProbe.check(settings, logger: logger) == true, "--health-check passes")

        client.close()
        toPolicy.close()
        try await host.shutdown()
        try await identity.host.shutdown()
        try await TestDatabase.drop(url: settings.databaseURL)
        try await TestDatabase.drop(url: identity.databaseURL)
    }
}
