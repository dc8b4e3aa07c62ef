import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import PurserWallet
@testable import PurserSettlement

/// Tenants, agents and providers Identity knows, with tokens it issued, on a
/// shared service harness: the parties of the Settlement tests.
struct Spenders: Sendable {
    let operatorToken: String
    /// One world per tenant (its admin, finance, two agents), all paying `providers[0]`.
    let worlds: [WalletHarness.World]
    /// Registered providers and their tokens.
    let providers: [(id: UUID, token: String)]

    var tenants: [UUID] { worlds.map(\.tenant) }
    var providerIDs: [UUID] { providers.map(\.id) }

    /// The world of `tenant` (a lower-case id).
    func world(_ tenant: String) throws -> WalletHarness.World {
        guard let world = worlds.first(where: { $0.tenant.lowerID == tenant }) else { throw UnknownParty(id: tenant) }
        return world
    }

    /// The token of the provider `provider` (a lower-case id).
    func providerToken(_ provider: String) throws -> String {
        guard let token = providers.first(where: { $0.id.lowerID == provider })?.token else { throw UnknownParty(id: provider) }
        return token
    }

    struct UnknownParty: Error { let id: String }

    /// Bootstraps the operator of `harness`'s Identity, registers `providers`
    /// providers and creates `tenants` tenants (each with its admin, finance
    /// and two agents).
    static func make(_ harness: WalletHarness, tenants: Int, providers: Int) async throws -> Spenders {
        let operatorToken = try await harness.operatorToken()
        var registered: [(id: UUID, token: String)] = []
        for index in 0..<providers {
            let provider = try await harness.identity(
                IdentityMethods.registerProvider,
                RegisterProviderRequest(slug: "provider-\(index)", name: "Provider \(index)", defaultCategory: "llm"),
                token: operatorToken)
            registered.append((try provider.provider.id.uuid, try await harness.token(provider.secret)))
        }
        let payee = registered.first.map { (id: $0.id.lowerID, token: $0.token) }
        var worlds: [WalletHarness.World] = []
        for index in 0..<tenants {
            worlds.append(try await harness.world("tenant-\(index)", operatorToken: operatorToken, provider: payee))
        }
        return Spenders(operatorToken: operatorToken, worlds: worlds, providers: registered)
    }
}

extension WalletHarness.World {
    var tenant: UUID { UUID(uuidString: tenantID)! }
    /// The world's two agents.
    var agents: [UUID] { [UUID(uuidString: agentID)!, UUID(uuidString: otherAgentID)!] }
}

extension String {
    /// This id as a UUID; throws when it is not one.
    var uuid: UUID {
        get throws {
            guard let id = UUID(uuidString: self) else { throw Spenders.UnknownParty(id: self) }
            return id
        }
    }
}

/// Money movements made directly with the Wallet's ledger functions (as its
/// handlers make them, without their access checks), so a scenario of a few
/// hundred captures takes seconds.
extension WalletHarness {
    static func scope(_ principal: String) -> IdempotencyScope {
        IdempotencyScope(principal: principal, key: UUID().uuidString)
    }

    /// Funds `tenant` and gives `agent` `micros` to spend.
    func ledgerFund(tenant: UUID, agent: UUID, micros: Int64, currency: String = "USD") async throws {
        _ = try await wallet.ledger.fund(
            tenant: tenant, currency: currency, amountMicros: micros, reference: "wire", description: "",
            scope: Self.scope("operator"))
        _ = try await wallet.ledger.allocate(
            tenant: tenant, currency: currency, agent: agent, amountMicros: micros, scope: Self.scope("admin"))
    }

    /// A capture of `micros` by `agent` payable to `provider` (Charge: authorize and capture at once); returns the hold.
    @discardableResult
    func ledgerCharge(tenant: UUID, agent: UUID, provider: UUID, category: String, micros: Int64) async throws -> UUID {
        let receipt = try await wallet.ledger.authorize(
            tenant: tenant, agent: agent,
            AuthorizationCommand(
                kind: .charge, scope: Self.scope("agent"), providerID: provider, category: category, amountMicros: micros,
                holdTTLMicros: 300_000_000))
        return receipt.holdID
    }

    /// A refund of `micros` of the captured `hold` by its provider.
    func ledgerRefund(tenant: UUID, hold: UUID, provider: UUID, micros: Int64) async throws {
        _ = try await wallet.ledger.refund(
            tenant: tenant, hold: hold, amountMicros: micros, reason: "test", caller: .provider(provider),
            scope: Self.scope("provider"))
    }

    /// Settlement's client of this Wallet's capture feed, over mutual TLS as `settlement`; close its `client` when done.
    func feed(logger: Logger? = nil) throws -> WalletCaptureFeed {
        try WalletCaptureFeed(
            endpoint: Endpoint(host: "127.0.0.1", port: walletPort), caPath: try TestEnvironment.certificate("ca"),
            certificatePath: try TestEnvironment.certificate("settlement"),
            privateKeyPath: try TestEnvironment.privateKey("settlement"),
            logger: logger ?? Logger(label: "wallet-feed", level: .error))
    }

    /// The running Settlement (started with a settlement clock) and its database.
    var settlementService: SettlementService {
        get throws {
            guard let settlement else { throw Spenders.UnknownParty(id: "settlement") }
            return settlement.service
        }
    }

    var settlementDatabase: SettlementDatabase {
        get throws {
            guard let settlement else { throw Spenders.UnknownParty(id: "settlement") }
            return SettlementDatabase(pool: settlement.host.pool, store: settlement.service.store)
        }
    }
}

/// What the Wallet was asked to do in a scenario, to compute expected totals.
struct Movement: Sendable {
    let tenant: UUID
    let agent: UUID
    let provider: UUID
    let category: String
    let signedMicros: Int64
}

/// The spenders' agents spending with `providers` on the real Wallet, with
/// refunds (every fifth charge), from a seeded generator; returns every movement.
func spendScenario(
    _ harness: WalletHarness, _ spenders: Spenders, providers: [UUID]? = nil, charges: Int, seed: UInt64
) async throws -> [Movement] {
    let providers = providers ?? spenders.providerIDs
    var generator = SeededGenerator(seed: seed)
    for world in spenders.worlds {
        for agent in world.agents { try await harness.ledgerFund(tenant: world.tenant, agent: agent, micros: 1_000_000_000_000) }
    }
    var movements: [Movement] = []
    for index in 0..<charges {
        let world = spenders.worlds[Int.random(in: 0..<spenders.worlds.count, using: &generator)]
        let tenant = world.tenant
        let agent = world.agents[Int.random(in: 0..<2, using: &generator)]
        let provider = providers[Int.random(in: 0..<providers.count, using: &generator)]
        let category = ["llm", "search", "data, \"premium\""][Int.random(in: 0..<3, using: &generator)]
        let micros = Int64.random(in: 1...25_000_000, using: &generator)
        let hold = try await harness.ledgerCharge(tenant: tenant, agent: agent, provider: provider, category: category, micros: micros)
        movements.append(Movement(tenant: tenant, agent: agent, provider: provider, category: category, signedMicros: micros))
        if index % 5 == 2 {
            let refunded = Int64.random(in: 1...micros, using: &generator)
            try await harness.ledgerRefund(tenant: tenant, hold: hold, provider: provider, micros: refunded)
            movements.append(Movement(tenant: tenant, agent: agent, provider: provider, category: category, signedMicros: -refunded))
        }
    }
    return movements
}

extension UUID {
    /// The lower-case canonical form, as ids travel on the wire.
    var lowerID: String { uuidString.lowercased() }
}

/// The `RPCError` a call fails with, or `nil` when it succeeds.
func rpcFailure(_ body: () async throws -> Void) async -> RPCError? {
    await rpcError(body)
}
