import Foundation
import PurserKit
import PurserPostgres
import PurserRPC
import PurserTestSupport
import PurserWallet

/// A fresh database with the `wallet` schema migrated, a pool and a ledger on
/// it, and helpers to fund agents. One per test, so tests never share state.
struct LedgerFixture {
    let url: String
    let pool: PostgresPool
    let ledger: Ledger
    let tenant = UUID()
    let provider = UUID()
    let currency = "USD"

    static func make(_ label: String, poolSize: Int = 8) async throws -> LedgerFixture {
        let url = try await TestDatabase.create(label: label)
        let pool = PostgresPool(
            configuration: TestDatabase.configuration(url: url, size: poolSize, applicationName: "wallet-tests"),
            logger: Logger(label: "wallet-tests", level: .error))
        try await WalletMigrations.migrator.run(on: pool)
        return LedgerFixture(url: url, pool: pool, ledger: Ledger(pool: pool))
    }

    func close() async { await pool.close() }

    /// Runs `body` with a fresh fixture, then closes its pool and drops its
    /// database, awaited, whether `body` returned or threw.
    static func with<T>(_ label: String, poolSize: Int = 8, _ body: (LedgerFixture) async throws -> T) async throws -> T {
        let f = try await make(label, poolSize: poolSize)
        let value: T
        do {
            value = try await body(f)
        } catch {
            await f.pool.close()
            try? await TestDatabase.drop(url: f.url)
            throw error
        }
        await f.pool.close()
        try await TestDatabase.drop(url: f.url)
        return value
    }

    /// Waits (at most 10 s) until every pending hold made to live under a
    /// second has passed its expiry by the database's clock, so a sweep
    /// started afterwards finds each of them; longer-lived holds are not waited for.
    func waitUntilShortLivedHoldsExpired() async throws {
        let pool = self.pool
        try await waitUntil("every short-lived pending hold to pass its expiry", timeout: .seconds(10)) {
            try await pool.withConnection { connection in
                try connection.query("""
                    SELECT count(*) FROM wallet.holds
                    WHERE status = 'pending' AND expires_at > now() AND expires_at - created_at < interval '1 second'
                    """)[0].decode(Int64.self, at: 0) == 0
            }
        }
    }

    /// A scope with a fresh random key for `principal`.
    static func scope(_ principal: String = "test") -> IdempotencyScope {
        IdempotencyScope(principal: principal, key: UUID().uuidString)
    }

    /// Funds the treasury with `micros` and allocates all of it to `agent` (a new random id by default).
    func fundedAgent(_ micros: Int64, agent: UUID = UUID()) async throws -> UUID {
        _ = try await ledger.fund(tenant: tenant, currency: currency, amountMicros: micros, reference: "wire", description: "",
                                  scope: Self.scope("operator"))
        _ = try await ledger.allocate(tenant: tenant, currency: currency, agent: agent, amountMicros: micros, scope: Self.scope("admin"))
        return agent
    }

    func command(
        _ amount: Int64, kind: AuthorizationCommand.Kind = .authorize, key: String = UUID().uuidString,
        principal: String = "agent", ttl: Int64 = 300_000_000, limits: [SpendLimit] = []
    ) -> AuthorizationCommand {
        AuthorizationCommand(
            kind: kind, scope: IdempotencyScope(principal: principal, key: key), providerID: provider, category: "llm",
            amountMicros: amount, holdTTLMicros: ttl, limits: limits)
    }

    func available(_ agent: UUID) async throws -> Int64 {
        try await ledger.balance(tenant: tenant, account: .agent(agent))?.availableMicros ?? -1
    }

    func audit() async throws -> [AuditDiscrepancy] {
        try await ledger.audit(tenant: nil)
    }
}

/// The reason of a denial, or `nil` when `body` succeeded.
func denialReason<T>(_ body: () async throws -> T) async -> String? {
    do {
        _ = try await body()
        return nil
    } catch let error as RPCError {
        return error.reason ?? "no reason: \(error)"
    } catch {
        return "unexpected: \(error)"
    }
}
