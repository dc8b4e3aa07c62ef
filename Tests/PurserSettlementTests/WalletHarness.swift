import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService
import PurserTestSupport
import PurserWallet
@testable import PurserSettlement

/// The real Wallet service running in-process on a test database, serving its
/// capture feed over TLS on an ephemeral port, and the money movements that
/// make captures and refunds (through the Wallet's own ledger functions).
struct WalletHarness {
    let databaseURL: String
    let host: ServiceHost
    let wallet: WalletService
    let port: Int

    static func start(_ label: String) async throws -> WalletHarness {
        let databaseURL = try await TestDatabase.create(label: label)
        return try await start(databaseURL: databaseURL)
    }

    /// The Wallet on an existing database, listening on `port` (0 = any free port).
    static func start(databaseURL: String, port: Int = 0) async throws -> WalletHarness {
        let key = try SigningKey.generate(keyID: "wallet-test")
        let keys = StaticKeys(keys: JWKSet(keys: [key.publicJWK]))
        let common = ServiceSettings(
            name: "wallet", listen: Endpoint(host: "127.0.0.1", port: port),
            tlsCertificatePath: try TestEnvironment.certificate("wallet"),
            tlsPrivateKeyPath: try TestEnvironment.privateKey("wallet"),
            tlsCAPath: try TestEnvironment.certificate("ca"), databaseURL: databaseURL, databasePoolSize: 4,
            identityEndpoint: nil, drainTimeout: .seconds(2))
        let logger = Logger(label: "wallet-test", level: .error)
        let host = try await ServiceHost(
            settings: common, migrations: WalletMigrations.all, authentication: .local { _ in (keys, NoRevocations()) },
            logger: logger)
        // The feed never consults Identity; the directory points nowhere.
        let directory = IdentityDirectory(
            client: try RPCClient(
                configuration: ClientConfiguration(
                    host: "127.0.0.1", port: 1, tls: .client(trustRootsPath: try TestEnvironment.certificate("ca")),
                    maximumAttempts: 1),
                logger: logger),
            ttl: .seconds(60))
        let wallet = WalletService(host: host, settings: WalletSettings(), directory: directory)
        let bound = try host.start()
        return WalletHarness(databaseURL: databaseURL, host: host, wallet: wallet, port: bound)
    }

    /// Settlement's client of this Wallet's capture feed, over mutual TLS as `settlement`.
    func feed() throws -> WalletCaptureFeed {
        try WalletCaptureFeed(
            endpoint: Endpoint(host: "127.0.0.1", port: port), caPath: try TestEnvironment.certificate("ca"),
            certificatePath: try TestEnvironment.certificate("settlement"),
            privateKeyPath: try TestEnvironment.privateKey("settlement"),
            logger: Logger(label: "wallet-feed", level: .error))
    }

    static func scope(_ principal: String) -> IdempotencyScope {
        IdempotencyScope(principal: principal, key: UUID().uuidString)
    }

    /// Funds `tenant` and gives `agent` `micros` to spend.
    func fund(tenant: UUID, agent: UUID, micros: Int64, currency: String = "USD") async throws {
        _ = try await wallet.ledger.fund(
            tenant: tenant, currency: currency, amountMicros: micros, reference: "wire", description: "",
            scope: Self.scope("operator"))
        _ = try await wallet.ledger.allocate(
            tenant: tenant, currency: currency, agent: agent, amountMicros: micros, scope: Self.scope("admin"))
    }

    /// A capture of `micros` by `agent` payable to `provider` (Charge: authorize and capture at once); returns the hold.
    @discardableResult
    func charge(tenant: UUID, agent: UUID, provider: UUID, category: String, micros: Int64) async throws -> UUID {
        let receipt = try await wallet.ledger.authorize(
            tenant: tenant, agent: agent,
            AuthorizationCommand(
                kind: .charge, scope: Self.scope("agent"), providerID: provider, category: category, amountMicros: micros,
                holdTTLMicros: 300_000_000))
        return receipt.holdID
    }

    /// A refund of `micros` of the captured `hold` by its provider.
    func refund(tenant: UUID, hold: UUID, provider: UUID, micros: Int64) async throws {
        _ = try await wallet.ledger.refund(
            tenant: tenant, hold: hold, amountMicros: micros, reason: "test", caller: .provider(provider),
            scope: Self.scope("provider"))
    }

    func stop() async throws { try await host.shutdown() }
}

/// What the Wallet was asked to do in a scenario, to compute expected totals.
struct Movement: Sendable {
    let tenant: UUID
    let agent: UUID
    let provider: UUID
    let category: String
    let signedMicros: Int64
}

/// Several tenants, agents, providers and categories spending on the real
/// Wallet, with refunds; returns every movement.
func spendScenario(_ harness: WalletHarness, tenants: [UUID], providers: [UUID], charges: Int, seed: UInt64) async throws -> [Movement] {
    var generator = SeededGenerator(seed: seed)
    var agents: [UUID: [UUID]] = [:]
    for tenant in tenants {
        agents[tenant] = [UUID(), UUID(), UUID()]
        for agent in agents[tenant] ?? [] { try await harness.fund(tenant: tenant, agent: agent, micros: 1_000_000_000_000) }
    }
    var movements: [Movement] = []
    for index in 0..<charges {
        let tenant = tenants[Int.random(in: 0..<tenants.count, using: &generator)]
        let agent = agents[tenant]?[Int.random(in: 0..<3, using: &generator)] ?? UUID()
        let provider = providers[Int.random(in: 0..<providers.count, using: &generator)]
        let category = ["llm", "search", "data, \"premium\""][Int.random(in: 0..<3, using: &generator)]
        let micros = Int64.random(in: 1...25_000_000, using: &generator)
        let hold = try await harness.charge(tenant: tenant, agent: agent, provider: provider, category: category, micros: micros)
        movements.append(Movement(tenant: tenant, agent: agent, provider: provider, category: category, signedMicros: micros))
        if index % 5 == 2 {
            let refunded = Int64.random(in: 1...micros, using: &generator)
            try await harness.refund(tenant: tenant, hold: hold, provider: provider, micros: refunded)
            movements.append(Movement(tenant: tenant, agent: agent, provider: provider, category: category, signedMicros: -refunded))
        }
    }
    return movements
}

extension UUID {
    /// The lower-case canonical form, as ids travel on the wire.
    var lowerID: String { uuidString.lowercased() }
}
