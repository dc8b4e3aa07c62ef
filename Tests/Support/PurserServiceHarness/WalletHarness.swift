import Foundation
import PurserAPI
import PurserAuth
import PurserIdentity
import PurserKit
import PurserPolicyService
import PurserRPC
import PurserService
import PurserSettlement
import PurserTestSupport
import PurserWallet
import PurserWire

/// A real Identity, a real Policy and a real Wallet for one test (and, when
/// asked, a real Settlement), each with its own database on the test
/// PostgreSQL, talking over TLS on loopback ports with the test certificates:
/// Identity issues the tokens, answers the Wallet's directory look-ups and
/// delivers revocations to the Wallet's FreezeAccount; Policy serves the
/// agents' effective policies to the Wallet's PolicyClient and reads its spend
/// counters; Settlement copies the Wallet's capture feed.
package final class WalletHarness: Sendable {
    /// The Identity that issues every token and delivers revocations to the Wallet.
    package let identityService: InProcessIdentity
    /// The Policy the Wallet asks for effective policies.
    package let policy: InProcessPolicy
    /// Calls Policy with bearer tokens only.
    package let policyClient: RPCClient
    /// The Wallet's own mutual-TLS client to Policy.
    package let walletToPolicy: RPCClient
    /// The Wallet under test: its host, its service and the port it listens on.
    package let walletHost: ServiceHost
    package let wallet: WalletService
    package let walletPort: Int
    /// Present when started with a settlement clock.
    package let settlement: InProcessSettlement?
    /// The logger every service and client of the harness writes to (errors only).
    package let logger: Logger
    /// Calls the Wallet with bearer tokens only.
    package let anonymous: RPCClient
    /// Calls Identity with bearer tokens only.
    package let identityClient: RPCClient
    /// Calls Settlement with bearer tokens only (when it runs).
    let settlementClient: RPCClient?
    /// Calls the Wallet over mutual TLS as each certificate name.
    package let services: [String: RPCClient]

    package var identityHost: ServiceHost { identityService.host }
    package var identityPort: Int { identityService.port }
    /// The key Identity seals its signing keys with.
    package var keyEncryptionKey: KeyEncryptionKey { identityService.keyEncryptionKey }
    package var policyHost: ServiceHost { policy.host }

    /// Connections of the Wallet's pool unless a test asks for more: enough
    /// for every test of the suite (they run in parallel, each with its own
    /// harness, so the sum of the pools is what the test PostgreSQL must allow).
    package static let defaultWalletPoolSize = 4

    /// Starts Identity, Policy and Wallet in-process, and Settlement with
    /// `settlementClock` when one is given; the Wallet's pool has
    /// `walletPoolSize` connections. The Wallet's port is chosen
    /// before Identity starts (Identity delivers revocations to it), so a port
    /// taken in between by another process is retried with a new one.
    package static func start(
        _ label: String, settings: WalletSettings = WalletSettings(), settlementClock: SettlementClock? = nil,
        walletPoolSize: Int = defaultWalletPoolSize
    ) async throws -> WalletHarness {
        var attempt = 1
        while true {
            do {
                return try await startOnce(
                    attempt == 1 ? label : "\(label)_\(attempt)", settings: settings, settlementClock: settlementClock,
                    walletPoolSize: walletPoolSize)
            } catch let error as RPCError where error.reason == "bind_failed" && attempt < 5 {
                attempt += 1
            }
        }
    }

    private static func startOnce(
        _ label: String, settings: WalletSettings, settlementClock: SettlementClock?, walletPoolSize: Int
    ) async throws -> WalletHarness {
        let logger = Logger(label: "wallet-rpc-test", level: .error)
        let walletPort = try TestRPC.freePort()
        let identity = try await InProcessIdentity.start(
            databaseURL: try await TestDatabase.create(label: label + "_identity"),
            subscribers: [
                RevocationSubscriber(
                    name: "wallet", endpoint: Endpoint(host: "127.0.0.1", port: walletPort),
                    method: WalletMethods.freezeAccount.fullName),
            ],
            logger: logger)

        let policyToWallet = try TestRPC.client(port: walletPort, certificate: "policy", logger: logger)
        let policy = try await InProcessPolicy.start(
            databaseURL: try await TestDatabase.create(label: label + "_policy"), identityPort: identity.port,
            wallet: policyToWallet, logger: logger)
        let walletToPolicy = try TestRPC.client(port: policy.port, certificate: "wallet", logger: logger)

        let walletSettings = try ServiceSettings.test(
            "wallet", port: walletPort, databaseURL: try await TestDatabase.create(label: label + "_wallet"),
            poolSize: walletPoolSize,
            identityPort: identity.port)
        let walletHost = try await ServiceHost(
            settings: walletSettings, migrations: WalletMigrations.all, authentication: .identityService, logger: logger)
        guard let connection = walletHost.identity else { throw RPCError(.internal, "the wallet host has no Identity connection") }
        let wallet = WalletService(
            host: walletHost, settings: settings, directory: IdentityDirectory(client: connection.client, ttl: settings.directoryTTL),
            policy: PolicyClient(client: walletToPolicy, ttl: settings.policyCacheTTL, timeout: .seconds(5)))
        let port: Int
        do {
            port = try walletHost.start()
        } catch {
            try? await policy.host.shutdown()
            try? await identity.host.shutdown()
            throw error
        }

        var settlement: InProcessSettlement?
        if let settlementClock {
            do {
                settlement = try await InProcessSettlement.start(
                    databaseURL: try await TestDatabase.create(label: label + "_settlement"), identityPort: identity.port,
                    walletPort: port, clock: settlementClock, logger: logger)
            } catch {
                try? await walletHost.shutdown()
                try? await policy.host.shutdown()
                try? await identity.host.shutdown()
                throw error
            }
        }
        var services: [String: RPCClient] = [:]
        services["policy"] = policyToWallet
        for name in ["identity", "settlement", "test-client"] {
            services[name] = try TestRPC.client(port: port, certificate: name, logger: logger)
        }
        return WalletHarness(
            identityService: identity, policy: policy,
            policyClient: try TestRPC.client(port: policy.port, certificate: nil, logger: logger),
            walletToPolicy: walletToPolicy, walletHost: walletHost, wallet: wallet, walletPort: port, settlement: settlement,
            logger: logger, anonymous: try TestRPC.client(port: port, certificate: nil, logger: logger),
            identityClient: try TestRPC.client(port: identity.port, certificate: nil, logger: logger),
            settlementClient: try settlement.map { try TestRPC.client(port: $0.port, certificate: nil, logger: logger) },
            services: services)
    }

    private init(
        identityService: InProcessIdentity, policy: InProcessPolicy, policyClient: RPCClient, walletToPolicy: RPCClient,
        walletHost: ServiceHost, wallet: WalletService, walletPort: Int, settlement: InProcessSettlement?, logger: Logger,
        anonymous: RPCClient, identityClient: RPCClient, settlementClient: RPCClient?, services: [String: RPCClient]
    ) {
        self.identityService = identityService
        self.policy = policy
        self.policyClient = policyClient
        self.walletToPolicy = walletToPolicy
        self.walletHost = walletHost
        self.wallet = wallet
        self.walletPort = walletPort
        self.settlement = settlement
        self.logger = logger
        self.anonymous = anonymous
        self.identityClient = identityClient
        self.settlementClient = settlementClient
        self.services = services
    }

    /// A second Wallet on this harness's database and port, verifying tokens
    /// with the same Identity and asking the same Policy, for a test that shut
    /// `walletHost` down to show a caller riding out the Wallet's absence.
    /// The caller shuts the returned host down.
    package func startWalletAgain(settings: WalletSettings = WalletSettings()) async throws -> ServiceHost {
        let host = try await ServiceHost(
            settings: walletHost.settings, migrations: WalletMigrations.all, authentication: .identityService, logger: logger)
        guard let connection = host.identity else { throw RPCError(.internal, "the wallet host has no Identity connection") }
        _ = WalletService(
            host: host, settings: settings, directory: IdentityDirectory(client: connection.client, ttl: settings.directoryTTL),
            policy: PolicyClient(client: walletToPolicy, ttl: settings.policyCacheTTL, timeout: .seconds(5)))
        do {
            _ = try host.start()
        } catch {
            try? await host.shutdown()
            throw error
        }
        return host
    }

    /// Stops every service, the Wallet's callers first, and closes every client.
    package func stop() async {
        anonymous.close()
        identityClient.close()
        policyClient.close()
        settlementClient?.close()
        for client in services.values { client.close() }
        if let settlement {
            try? await settlement.host.shutdown()
            settlement.feed.client.close()
        }
        try? await walletHost.shutdown()
        walletToPolicy.close()
        try? await policy.host.shutdown()
        try? await identityHost.shutdown()
        let hosts = [walletHost, policy.host, identityHost] + (settlement.map { [$0.host] } ?? [])
        for url in Set(hosts.map(\.settings.databaseURL)) { try? await TestDatabase.drop(url: url) }
    }
}

/// Runs `body` with a fresh harness and always stops it.
package func withWallet<T>(
    _ label: String, settings: WalletSettings = WalletSettings(), settlementClock: SettlementClock? = nil,
    walletPoolSize: Int = WalletHarness.defaultWalletPoolSize, _ body: (WalletHarness) async throws -> T
) async throws -> T {
    try await withStarted(
        {
            try await WalletHarness.start(
                label, settings: settings, settlementClock: settlementClock, walletPoolSize: walletPoolSize)
        }, stop: { await $0.stop() }, body)
}
