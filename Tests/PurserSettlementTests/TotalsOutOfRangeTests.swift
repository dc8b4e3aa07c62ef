import Foundation
import PurserAPI
import PurserKit
import PurserPostgres
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing
@testable import PurserSettlement

/// One tenant whose captures and refunds add up past `Int64.max` (each entry
/// fits; their sums do not). Settlement, reconciliation and statements keep
/// working for every other tenant; for the offender they answer or refuse
/// with FAILED_PRECONDITION / `total_out_of_range`, and nothing traps.
@Suite struct TotalsOutOfRangeTests {
    /// 2^62: two of them make 2^63, one past `Int64.max`.
    static let huge: Int64 = 1 << 62
    static let day = UTCDay(daysSinceEpoch: 20_400)
    static let hour: Int64 = 3_600_000_000
    static var period: SettlementPeriod { SettlementPeriod(start: day, end: day.adding(days: 1)) }

    /// An honest tenant (captures 5_000_000 µ, refunds 2_000_000 µ) and an
    /// offender (captures 3 µ + 2 × 2^62, refunds 2 × 2^62: net 3 µ, but
    /// neither its captures nor its refunds fit in 64 bits), on one day.
    static func entries() -> Ledger {
        var ledger = Ledger()
        let at = day.startUs + hour
        ledger.add(tenant: "honest", agent: "a1", provider: "p1", category: "llm", micros: 5_000_000, at: at)
        ledger.add(.refund, tenant: "honest", agent: "a1", provider: "p1", category: "llm", micros: 2_000_000, at: at + 1)
        ledger.add(tenant: "offender", agent: "a2", provider: "p2", category: "llm", micros: 3, at: at)
        for index in 0..<2 as Range<Int64> {
            ledger.add(tenant: "offender", agent: "a2", provider: "p2", category: "llm", micros: huge, at: at + 2 + index)
            ledger.add(.refund, tenant: "offender", agent: "a2", provider: "p2", category: "llm", micros: huge, at: at + 4 + index)
        }
        return ledger
    }

    @Test func theScheduledRunSettlesEveryOtherTenantAndRefusesTheOffendersTotalsCleanly() async throws {
        try await SettlementDatabase.with("totals_out_of_range") { database in
            try await database.seed(Self.entries().entries)
            let scheduler = SettlementScheduler(
                store: database.store, consumer: nil, cadence: .daily, interval: .seconds(3_600),
                clock: SettlementClock { Self.day.adding(days: 1).startUs + Self.hour },
                logger: Logger(label: "scheduler-test", level: .error))

            let runs = try await scheduler.tick()
            let closed = try #require(runs.first { $0.period.startAtUs == Self.day.startUs })
            #expect(closed.closed)
            #expect(closed.entriesSettled == 7)
            let honest = try #require(closed.batches.first { $0.tenantID == "honest" })
            #expect(honest.captureMicros == 5_000_000 && honest.refundMicros == 2_000_000 && honest.netMicros == 3_000_000)
            #expect(!closed.batches.contains { $0.tenantID == "offender" })
            #expect(closed.outOfRangeBatchIDs.count == 1)

            let statement = try await database.store.statement(tenantID: "honest", period: Self.period)
            #expect(statement.totals.map(\.netMicros) == [3_000_000])
            let refused = await rpcError { _ = try await database.store.statement(tenantID: "offender", period: Self.period) }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.reason == "total_out_of_range")

            let payout = try await database.store.payout(providerID: "p1", period: Self.period)
            #expect(payout.totals.map(\.dueMicros) == [3_000_000])
            let payoutRefused = await rpcError { _ = try await database.store.payout(providerID: "p2", period: Self.period) }
            #expect(payoutRefused?.reason == "total_out_of_range")

            // Running the closed period again changes nothing and still answers.
            let again = try await scheduler.tick()
            #expect(again.allSatisfy { !$0.changed })
        }
    }

    @Test func reconciliationComparesEveryOtherTenantAndNamesTheOffendersTotalsAsOutOfRange() async throws {
        try await SettlementDatabase.with("reconcile_out_of_range") { database in
            // Here the offender's net passes Int64.max too: captures only.
            var ledger = Self.entries()
            for index in 0..<2 as Range<Int64> {
                ledger.add(tenant: "offender", agent: "a2", provider: "p3", category: "llm", micros: Self.huge, at: Self.day.startUs + index)
            }
            try await database.seed(ledger.entries)
            _ = try await database.store.run(Self.period, nowUs: Self.day.adding(days: 2).startUs)
            var reconciliation = try await database.store.reconciliation(for: Self.period)
            // The ledger's side as the Wallet answers it: the honest total, and the
            // offender's p2 line flagged out of range (its captures and refunds do not fit).
            reconciliation.ledger[ReconcileKey(tenantID: "honest", providerID: "p1", currency: "USD")] = 3_000_000
            reconciliation.outOfRange.insert(ReconcileKey(tenantID: "offender", providerID: "p2", currency: "USD"))
            let response = reconciliation.response(period: Self.period.wire, ledgerSource: "test")
            #expect(response.lines.map(\.tenantID) == ["honest"])
            #expect(response.lines.first?.recordedNetMicros == 3_000_000)
            #expect(response.lines.first?.batchedNetMicros == 3_000_000)
            #expect(!response.balanced)
            #expect(response.discrepancies.allSatisfy { $0.tenantID == "offender" && $0.kind == "total_out_of_range" })
            // The key (tenant × provider × currency) and its batch.
            #expect(response.discrepancies.map(\.providerID) == ["p2", "p3", "p3"])
            #expect(response.discrepancies.filter { $0.providerID == "p3" }.map(\.batchID.isEmpty) == [true, false])
        }
    }

    /// Plants in the Wallet's ledger, in its own shape, a hold of `agent`
    /// payable to `provider` captured for `captured` µ and refunded for
    /// `refunded` µ at `atUs`: the hold, its capture and refund entries, and
    /// the agent's balance moved by the net, so the ledger audit stays clean.
    static func plantSettledHold(
        _ wallet: WalletHarness, tenant: UUID, agent: UUID, provider: UUID, captured: Int64, refunded: Int64, atUs: Int64
    ) async throws {
        _ = try await wallet.walletHost.pool.withTransaction { connection in
            let hold = UUID()
            try connection.execute("""
                INSERT INTO wallet.holds (tenant_id, hold_id, agent_id, provider_id, category, amount, captured, refunded,
                                          status, expires_at, created_at, settled_at)
                VALUES ($1, $2, $3, $4, 'llm', $5, $5, $6, 'captured', wallet.at_us($7), wallet.at_us($7), wallet.at_us($7))
                """, [tenant, hold, agent, provider, captured, refunded, atUs])
            for (kind, amount) in [("capture", captured), ("refund", refunded)] where amount > 0 {
                try connection.execute("""
                    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency, agent_id,
                                                provider_id, category, hold_id, created_at)
                    VALUES ($1, $2, CASE WHEN $2 = 'capture' THEN $3 ELSE $4 END, CASE WHEN $2 = 'capture' THEN $4 ELSE $3 END,
                            $5, 'USD', $3, $4, 'llm', $6, wallet.at_us($7))
                    """, [tenant, kind, agent, provider, amount, hold, atUs])
            }
            try connection.execute(
                "UPDATE wallet.accounts SET balance = balance - $3 WHERE tenant_id = $1 AND account_id = $2",
                [tenant, agent, captured - refunded])
        }
    }

    @Test func overRPCEveryOtherTenantSettlesReconcilesAndReadsItsStatementWhileTheOffenderIsRefusedCleanly() async throws {
        try await withWallet("rpc_out_of_range", settlementClock: .system) { harness in
            // Two tenants Identity knows, each paying a provider of its own.
            let operatorToken = try await harness.operatorToken()
            let honestWorld = try await harness.world("honest", operatorToken: operatorToken)
            let offenderWorld = try await harness.world("offender", operatorToken: operatorToken)
            let honest = (tenant: honestWorld.tenant, agent: honestWorld.agents[0], provider: try honestWorld.providerID.uuid)
            let offender = (tenant: offenderWorld.tenant, agent: offenderWorld.agents[0], provider: try offenderWorld.providerID.uuid)
            try await harness.ledgerFund(tenant: honest.tenant, agent: honest.agent, micros: 1_000_000_000)
            try await harness.ledgerFund(tenant: offender.tenant, agent: offender.agent, micros: 1_000_000_000)
            let at = Self.day.startUs + Self.hour
            try await Self.plantSettledHold(
                harness, tenant: honest.tenant, agent: honest.agent, provider: honest.provider,
                captured: 5_000_000, refunded: 2_000_000, atUs: at)
            try await Self.plantSettledHold(
                harness, tenant: offender.tenant, agent: offender.agent, provider: offender.provider,
                captured: 3, refunded: 0, atUs: at)
            for _ in 0..<2 {
                try await Self.plantSettledHold(
                    harness, tenant: offender.tenant, agent: offender.agent, provider: offender.provider,
                    captured: Self.huge, refunded: Self.huge, atUs: at + 1)
            }
            #expect(try await harness.wallet.ledger.audit(tenant: nil).isEmpty)
            try await harness.settlementDatabase.drain(try harness.settlementService.consumer, until: 7)

            // The Wallet's totals of every tenant still answer.
            let ledgerTotals = try await harness.settlementService.ledger.ledgerTotals(for: Self.period)
            let honestKey = ReconcileKey(tenantID: honest.tenant.lowerID, providerID: honest.provider.lowerID, currency: "USD")
            #expect(ledgerTotals.lines.first { $0.key == honestKey } == LedgerTotal(key: honestKey, captureMicros: 5_000_000, refundMicros: 2_000_000))

            let client = harness
            let run = try await client.settlement(
                SettlementMethods.runSettlement, RunSettlementRequest(period: Self.period.wire), token: operatorToken)
            #expect(run.closed)
            #expect(run.entriesSettled == 7)
            #expect(run.batches.first { $0.tenantID == honest.tenant.lowerID }?.netMicros == 3_000_000)
            #expect(!run.batches.contains { $0.tenantID == offender.tenant.lowerID })
            let offenderBatch = try #require(run.outOfRangeBatchIDs.first)
            let batchRefused = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.getBatch, GetBatchRequest(batchID: offenderBatch), token: operatorToken)
            }
            #expect(batchRefused?.code == .failedPrecondition)
            #expect(batchRefused?.reason == "total_out_of_range")
            let ledgerLine = try #require(ledgerTotals.lines.first { $0.key.tenantID == offender.tenant.lowerID })
            #expect(ledgerLine.outOfRange && ledgerLine.netMicros == nil)

            let reconciled = try await client.settlement(
                SettlementMethods.reconcile, ReconcileRequest(period: Self.period.wire), token: operatorToken)
            #expect(reconciled.lines.map(\.tenantID) == [honest.tenant.lowerID])
            #expect(reconciled.lines.first?.ledgerNetMicros == 3_000_000 && reconciled.lines.first?.batchedNetMicros == 3_000_000)
            #expect(!reconciled.discrepancies.isEmpty)
            #expect(reconciled.discrepancies.allSatisfy {
                $0.kind == "total_out_of_range" && $0.tenantID == offender.tenant.lowerID
            })

            let statement = try await client.settlement(
                SettlementMethods.getTenantStatement,
                GetTenantStatementRequest(tenantID: honest.tenant.lowerID, period: Self.period.wire), token: operatorToken)
            #expect(statement.totals.map(\.netMicros) == [3_000_000])
            let payout = try await client.settlement(
                SettlementMethods.getProviderPayout,
                GetProviderPayoutRequest(providerID: honest.provider.lowerID, period: Self.period.wire), token: operatorToken)
            #expect(payout.totals.map(\.dueMicros) == [3_000_000])

            let refusals: [RPCError?] = [
                await rpcFailure {
                    _ = try await client.settlement(
                        SettlementMethods.getTenantStatement,
                        GetTenantStatementRequest(tenantID: offender.tenant.lowerID, period: Self.period.wire), token: operatorToken)
                },
                await rpcFailure {
                    _ = try await client.settlement(
                        SettlementMethods.exportReport,
                        ExportReportRequest(kind: .statement, period: Self.period.wire, format: .csv, tenantID: offender.tenant.lowerID),
                        token: operatorToken)
                },
                await rpcFailure {
                    _ = try await client.settlement(
                        SettlementMethods.getProviderPayout,
                        GetProviderPayoutRequest(providerID: offender.provider.lowerID, period: Self.period.wire),
                        token: operatorToken)
                },
                await rpcFailure {
                    _ = try await client.settlement(
                        SettlementMethods.listBatches, ListBatchesRequest(tenantID: offender.tenant.lowerID), token: operatorToken)
                },
            ]
            for refusal in refusals {
                #expect(refusal?.code == .failedPrecondition, "\(String(describing: refusal))")
                #expect(refusal?.reason == "total_out_of_range")
            }
            let listed = try await client.settlement(
                SettlementMethods.listBatches, ListBatchesRequest(tenantID: honest.tenant.lowerID), token: operatorToken)
            #expect(listed.batches.map(\.netMicros) == [3_000_000])
        }
    }
}
