import Foundation
import PurserPostgres
import PurserTestSupport
import Testing
@testable import PurserWallet

/// The ledger audit shown to fail: each test builds a small sound ledger,
/// plants exactly one fault with direct SQL and expects exactly the finding
/// (check, subject, expected, actual) the audit promises for it, and no other.
///
/// The sound ledger: the treasury funded with 10.0 and 4.0 allocated to one
/// agent; a hold of 1.5 captured for 1.0 and refunded 0.4; a second hold of
/// 0.5 still pending. So the agent has balance 3.4 and held 0.5, the treasury
/// 6.0, the funding account -10.0 and the provider a payable of 0.6.
@Suite struct AuditFaultTests {
    struct SoundLedger {
        let f: LedgerFixture
        let agent: UUID
        let treasury: UUID
        /// Captured for 1_000_000 and refunded 400_000.
        let settledHold: UUID

        static func make(_ label: String) async throws -> SoundLedger {
            let f = try await LedgerFixture.make(label)
            let agent = UUID()
            _ = try await f.ledger.fund(
                tenant: f.tenant, currency: f.currency, amountMicros: 10_000_000, reference: "wire", description: "",
                scope: LedgerFixture.scope("operator"))
            _ = try await f.ledger.allocate(
                tenant: f.tenant, currency: f.currency, agent: agent, amountMicros: 4_000_000, scope: LedgerFixture.scope("admin"))
            let settled = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1_500_000))
            _ = try await f.ledger.capture(
                tenant: f.tenant, hold: settled.holdID, amountMicros: 1_000_000, caller: .provider(f.provider),
                scope: LedgerFixture.scope("provider"))
            _ = try await f.ledger.refund(
                tenant: f.tenant, hold: settled.holdID, amountMicros: 400_000, reason: "partial outage",
                caller: .provider(f.provider), scope: LedgerFixture.scope("provider"))
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(500_000))
            let tenant = f.tenant
            let treasury = try await f.pool.withConnection { connection in
                try connection.query("SELECT wallet.treasury_account($1::uuid)", [tenant])[0].decode(UUID.self, at: 0)
            }
            return SoundLedger(f: f, agent: agent, treasury: treasury, settledHold: settled.holdID)
        }

        /// Runs `body` with a fresh sound ledger, then closes its pool and drops
        /// its database, awaited, whether `body` returned or threw.
        static func with(_ label: String, _ body: (SoundLedger) async throws -> Void) async throws {
            let l = try await make(label)
            do {
                try await body(l)
            } catch {
                await l.f.pool.close()
                try? await TestDatabase.drop(url: l.f.url)
                throw error
            }
            await l.f.pool.close()
            try await TestDatabase.drop(url: l.f.url)
        }

        /// Runs `statements` (each with its own UUID parameters) in one transaction.
        func plant(_ statements: [(sql: String, parameters: [UUID])]) async throws {
            let steps = statements.map { PlantedStatement(sql: $0.sql, parameters: $0.parameters) }
            try await f.pool.withTransaction { connection in
                for step in steps {
                    _ = try connection.execute(step.sql, step.parameters.map { $0 as (any PostgresEncodable)? })
                }
            }
        }

        /// The audit's findings over every tenant, in a stable order.
        func findings() async throws -> [AuditDiscrepancy] {
            try await f.audit().sorted { ($0.check, $0.subject) < ($1.check, $1.subject) }
        }

        func finding(_ check: String, _ subject: UUID, expected: Int64, actual: Int64) -> AuditDiscrepancy {
            AuditDiscrepancy(tenantID: f.tenant, check: check, subject: subject.uuidString.lowercased(), expected: expected, actual: actual)
        }
    }

    struct PlantedStatement: Sendable {
        let sql: String
        let parameters: [UUID]
    }

    @Test func theSoundLedgerHasNoFinding() async throws {
        try await SoundLedger.with("audit_sound") { l in
            #expect(try await l.findings() == [])
            let agent = try #require(try await l.f.ledger.balance(tenant: l.f.tenant, account: .agent(l.agent)))
            #expect(agent.balanceMicros == 3_400_000)
            #expect(agent.heldMicros == 500_000)
        }
    }

    /// 0.000007 moved from the treasury's balance to the agent's without an entry:
    /// both balances differ from their entries, the tenant still sums to zero.
    @Test func aBalanceThatDiffersFromItsEntriesIsFound() async throws {
        try await SoundLedger.with("audit_balance") { l in
            #expect(try await l.findings() == [])
            try await l.plant([
                ("UPDATE wallet.accounts SET balance = balance + 7 WHERE tenant_id = $1 AND account_id = $2", [l.f.tenant, l.agent]),
                ("UPDATE wallet.accounts SET balance = balance - 7 WHERE tenant_id = $1 AND account_id = $2", [l.f.tenant, l.treasury]),
            ])
            let expected = [
                l.finding("balance_equals_entries", l.agent, expected: 3_400_000, actual: 3_400_007),
                l.finding("balance_equals_entries", l.treasury, expected: 6_000_000, actual: 5_999_993),
            ].sorted { $0.subject < $1.subject }
            #expect(try await l.findings() == expected)
        }
    }

    @Test func heldThatDiffersFromThePendingHoldsIsFound() async throws {
        try await SoundLedger.with("audit_held") { l in
            #expect(try await l.findings() == [])
            try await l.plant([
                ("UPDATE wallet.accounts SET held = held + 7 WHERE tenant_id = $1 AND account_id = $2", [l.f.tenant, l.agent]),
            ])
            #expect(try await l.findings() == [l.finding("held_equals_pending_holds", l.agent, expected: 500_000, actual: 500_007)])
        }
    }

    /// Money created on one account: the tenant's balances and payables no
    /// longer sum to zero. The tenant's total is the sum of its accounts'
    /// differences from their entries, so that account's own finding comes with it.
    @Test func aTenantThatDoesNotSumToZeroIsFound() async throws {
        try await SoundLedger.with("audit_tenant_sum") { l in
            #expect(try await l.findings() == [])
            try await l.plant([
                ("UPDATE wallet.accounts SET balance = balance + 7 WHERE tenant_id = $1 AND account_id = $2", [l.f.tenant, l.agent]),
            ])
            #expect(try await l.findings() == [
                l.finding("balance_equals_entries", l.agent, expected: 3_400_000, actual: 3_400_007),
                l.finding("tenant_sums_to_zero", l.f.tenant, expected: 0, actual: 7),
            ])
        }
    }

    @Test func aHoldWhoseCaptureDisagreesWithItsEntriesIsFound() async throws {
        try await SoundLedger.with("audit_capture") { l in
            #expect(try await l.findings() == [])
            try await l.plant([
                ("UPDATE wallet.holds SET captured = captured + 7 WHERE tenant_id = $1 AND hold_id = $2", [l.f.tenant, l.settledHold]),
            ])
            #expect(try await l.findings() == [
                l.finding("capture_matches_hold", l.settledHold, expected: 1_000_007, actual: 1_000_000),
            ])
        }
    }

    @Test func aHoldWhoseRefundsDisagreeWithItsEntriesIsFound() async throws {
        try await SoundLedger.with("audit_refund") { l in
            #expect(try await l.findings() == [])
            try await l.plant([
                ("UPDATE wallet.holds SET refunded = refunded - 7 WHERE tenant_id = $1 AND hold_id = $2", [l.f.tenant, l.settledHold]),
            ])
            #expect(try await l.findings() == [
                l.finding("refunds_match_hold", l.settledHold, expected: 399_993, actual: 400_000),
            ])
        }
    }

    /// A pending hold of 3.0 against 2.9 available, with `held` kept equal to
    /// the pending holds. The table's CHECK refuses such a row, so this
    /// throwaway database drops it first, in the same transaction.
    @Test func aNegativeAvailableBalanceIsFound() async throws {
        try await SoundLedger.with("audit_available") { l in
            #expect(try await l.findings() == [])
            try await l.plant([
                ("ALTER TABLE wallet.accounts DROP CONSTRAINT accounts_available_not_negative", []),
                ("""
                 INSERT INTO wallet.holds (tenant_id, hold_id, agent_id, provider_id, category, amount, status, expires_at)
                 VALUES ($1, $2, $3, $4, 'llm', 3000000, 'pending', now() + interval '1 hour')
                 """, [l.f.tenant, UUID(), l.agent, l.f.provider]),
                ("UPDATE wallet.accounts SET held = held + 3000000 WHERE tenant_id = $1 AND account_id = $2", [l.f.tenant, l.agent]),
            ])
            #expect(try await l.findings() == [l.finding("available_not_negative", l.agent, expected: 0, actual: -100_000)])
        }
    }

    @Test func aPendingHoldOfAnAgentWithoutAnAccountIsFound() async throws {
        try await SoundLedger.with("audit_orphan_hold") { l in
            #expect(try await l.findings() == [])
            let stranger = UUID()
            try await l.plant([
                ("""
                 INSERT INTO wallet.holds (tenant_id, hold_id, agent_id, provider_id, category, amount, status, expires_at)
                 VALUES ($1, $2, $3, $4, 'llm', 7, 'pending', now() + interval '1 hour')
                 """, [l.f.tenant, UUID(), stranger, l.f.provider]),
            ])
            #expect(try await l.findings() == [l.finding("holds_have_accounts", stranger, expected: 7, actual: 0)])
        }
    }
}
