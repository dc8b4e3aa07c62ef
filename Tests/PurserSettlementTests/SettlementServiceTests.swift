import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing
@testable import PurserSettlement

/// Settlement over RPC, fed by the real Wallet, every caller holding a token
/// the real Identity issued: captures and refunds are made on the Wallet's
/// ledger, read from its capture feed, settled and reported.
@Suite struct SettlementServiceTests {
    static let day = UTCDay.micros

    /// Two days around now, so captures made during the test fall inside even across midnight UTC.
    static func period() -> SettlementPeriod {
        let today = UTCDay(containing: SettlementClock.system.nowUs())
        return SettlementPeriod(start: today.adding(days: -1), end: today.adding(days: 1))
    }

    struct Settled {
        let harness: WalletHarness
        let spenders: Spenders
        let movements: [Movement]
        let period: SettlementPeriod
        let run: RunSettlementResponse
        let clock: SettlementClock

        var tenants: [UUID] { spenders.tenants }
        var providers: [UUID] { spenders.providerIDs }
        var operatorToken: String { spenders.operatorToken }
        var database: SettlementDatabase { get throws { try harness.settlementDatabase } }
        var service: SettlementService { get throws { try harness.settlementService } }

        func net(_ include: (Movement) -> Bool) -> Int64 { movements.filter(include).reduce(0) { $0 + $1.signedMicros } }
    }

    /// Runs `body` on the shared harness (a real Identity issuing every token,
    /// Policy, Wallet and Settlement) after three tenants Identity knows spent
    /// with two registered providers on the Wallet and the operator settled
    /// the period, with Settlement's clock three days ahead (the period has ended).
    func withSettled(_ label: String, _ body: (Settled) async throws -> Void) async throws {
        let clock = SettlementClock.shifted(by: 3 * Self.day)
        try await withWallet(label, settlementClock: clock) { harness in
            let spenders = try await Spenders.make(harness, tenants: 3, providers: 2)
            let movements = try await spendScenario(harness, spenders, charges: 90, seed: 17)
            let settlement = try harness.settlementService
            try await harness.settlementDatabase.drain(settlement.consumer, until: movements.count)
            let period = Self.period()
            let run = try await harness.settlement(
                SettlementMethods.runSettlement, RunSettlementRequest(period: period.wire), token: spenders.operatorToken)
            try await body(
                Settled(harness: harness, spenders: spenders, movements: movements, period: period, run: run, clock: clock))
        }
    }

    @Test func statementsPayoutsAndExportsMatchTheWalletToTheMicro() async throws {
        try await withSettled("rpc_totals") { settled in
            let client = settled.harness
            let operatorToken = settled.operatorToken
            #expect(settled.run.closed)
            #expect(settled.run.entriesSettled == Int64(settled.movements.count))
            for batch in settled.run.batches {
                #expect(batch.state == .closed)
                #expect(batch.netMicros == settled.net {
                    $0.tenant.lowerID == batch.tenantID && $0.provider.lowerID == batch.providerID
                })
            }
            for tenant in settled.tenants {
                let statement = try await client.settlement(
                    SettlementMethods.getTenantStatement,
                    GetTenantStatementRequest(tenantID: tenant.lowerID, period: settled.period.wire), token: operatorToken)
                #expect(statement.totals.map(\.key) == ["USD"])
                #expect(statement.totals.first?.netMicros == settled.net { $0.tenant == tenant })
                for group in statement.byAgent {
                    #expect(group.netMicros == settled.net { $0.agent.lowerID == group.key })
                }
                for group in statement.byProvider {
                    #expect(group.netMicros == settled.net { $0.tenant == tenant && $0.provider.lowerID == group.key })
                }
                for group in statement.byCategory {
                    #expect(group.netMicros == settled.net { $0.tenant == tenant && $0.category == group.key })
                }
                #expect(statement.byDay.reduce(0) { $0 + $1.netMicros } == settled.net { $0.tenant == tenant })

                let export = try await client.settlement(
                    SettlementMethods.exportReport,
                    ExportReportRequest(kind: .statement, period: settled.period.wire, format: .csv, tenantID: tenant.lowerID),
                    token: operatorToken)
                let rows = try #require(CSVReader.rows(export.content))
                #expect(rows.first == ReportCSV.statementColumns)
                let column = Dictionary(uniqueKeysWithValues: ReportCSV.statementColumns.enumerated().map { ($1, $0) })
                var byCategory: [String: Int64] = [:]
                for row in rows.dropFirst() {
                    let net = try #require(CSVReader.micros(row[column["net"]!]))
                    let captures = try #require(CSVReader.micros(row[column["captures"]!]))
                    let refunds = try #require(CSVReader.micros(row[column["refunds"]!]))
                    #expect(captures - refunds == net)
                    byCategory[row[column["category"]!], default: 0] += net
                }
                for group in statement.byCategory { #expect(byCategory[group.key] == group.netMicros) }
            }
            for provider in settled.providers {
                let payout = try await client.settlement(
                    SettlementMethods.getProviderPayout,
                    GetProviderPayoutRequest(providerID: provider.lowerID, period: settled.period.wire), token: operatorToken)
                #expect(payout.totals.first?.dueMicros == settled.net { $0.provider == provider })
                let json = try await client.settlement(
                    SettlementMethods.exportReport,
                    ExportReportRequest(kind: .payout, period: settled.period.wire, format: .json, providerID: provider.lowerID),
                    token: operatorToken)
                #expect(json.contentType == "application/json")
                let document = try #require(try JSONSerialization.jsonObject(with: Data(json.content)) as? [String: Any])
                let totals = try #require(document["totals"] as? [[String: Any]])
                #expect((totals.first?["net_micros"] as? NSNumber)?.int64Value == settled.net { $0.provider == provider })
            }
        }
    }

    @Test func runningTwiceChangesNothingAndALateCaptureLandsInTheNextOpenBatch() async throws {
        try await withSettled("rpc_late") { settled in
            let client = settled.harness
            let operatorToken = settled.operatorToken
            let again = try await client.settlement(
                SettlementMethods.runSettlement, RunSettlementRequest(period: settled.period.wire), token: operatorToken)
            #expect(!again.changed)
            #expect(again.batches == settled.run.batches)

            // A capture committed now belongs to the closed period; it reaches Settlement late.
            let tenant = settled.tenants[0], provider = settled.providers[0], agent = settled.spenders.worlds[0].agents[0]
            try await settled.harness.ledgerFund(tenant: tenant, agent: agent, micros: 10_000_000)
            try await settled.harness.ledgerCharge(tenant: tenant, agent: agent, provider: provider, category: "late", micros: 4_321)
            try await settled.database.drain(settled.service.consumer, until: settled.movements.count + 1)
            let rerun = try await client.settlement(
                SettlementMethods.runSettlement, RunSettlementRequest(period: settled.period.wire), token: operatorToken)
            #expect(!rerun.changed)
            #expect(rerun.batches == settled.run.batches)

            let current = Cadence.daily.period(containing: settled.clock.nowUs())
            let next = try await client.settlement(
                SettlementMethods.runSettlement, RunSettlementRequest(period: current.wire), token: operatorToken)
            #expect(!next.closed)
            #expect(next.adjustmentsSettled == 1)
            let batch = try #require(next.batches.first)
            #expect(batch.state == .open)
            #expect(batch.tenantID == tenant.lowerID && batch.providerID == provider.lowerID)
            #expect(batch.adjustmentMicros == 4_321)
            let full = try await client.settlement(SettlementMethods.getBatch, GetBatchRequest(batchID: batch.id), token: operatorToken)
            #expect(full.lines.map(\.adjustment) == [true])
            #expect(full.lines.first?.category == "late")
            #expect(settled.period.contains(try #require(full.lines.first).dayAtUs))
        }
    }

    @Test func reconciliationAgreesWithTheWalletAndDetectsAPlantedDiscrepancy() async throws {
        try await withSettled("rpc_reconcile") { settled in
            let client = settled.harness
            let operatorToken = settled.operatorToken
            let clean = try await client.settlement(
                SettlementMethods.reconcile, ReconcileRequest(period: settled.period.wire), token: operatorToken)
            #expect(clean.balanced)
            #expect(clean.ledgerSource == "wallet")
            #expect(clean.lines.reduce(0) { $0 + $1.ledgerNetMicros } == settled.net { _ in true })

            let victim = try await settled.database.pool.withConnection { connection in
                let row = try connection.query("""
                    DELETE FROM settlement.entries
                    WHERE (tenant_id, entry_id) = (SELECT tenant_id, entry_id FROM settlement.entries ORDER BY entry_id LIMIT 1)
                    RETURNING tenant_id, CASE WHEN kind = 'capture' THEN amount_micros ELSE -amount_micros END
                    """)[0]
                return (tenant: try row.decode(String.self, at: 0), micros: try row.decode(Int64.self, at: 1))
            }
            let planted = try await client.settlement(
                SettlementMethods.reconcile, ReconcileRequest(period: settled.period.wire), token: operatorToken)
            #expect(!planted.balanced)
            let mismatch = try #require(planted.discrepancies.first { $0.kind == "ledger_mismatch" })
            #expect(mismatch.tenantID == victim.tenant)
            #expect(mismatch.differenceMicros == -victim.micros)

            // Each discrepancy is told once (`reconciliation.mismatch`), however often it is found.
            _ = try await client.settlement(SettlementMethods.reconcile, ReconcileRequest(period: settled.period.wire), token: operatorToken)
            let told = try await settled.database.pool.withConnection { connection in
                try connection.query(
                    "SELECT tenant_id::text, data::text FROM settlement.event_outbox WHERE type = 'reconciliation.mismatch'"
                ).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
            }
            #expect(told.count == planted.discrepancies.count)
            #expect(told.contains { $0.0 == victim.tenant && $0.1.contains(#""kind": "ledger_mismatch""#) })
        }
    }

    @Test func theWalletsLedgerTotalsMatchEveryMovementPerTenantProviderAndCurrency() async throws {
        try await withSettled("rpc_ledger_totals") { settled in
            let source = try settled.service.ledger
            #expect(source.name == "wallet")
            var expected: [ReconcileKey: LedgerTotal] = [:]
            for movement in settled.movements {
                let key = ReconcileKey(tenantID: movement.tenant.lowerID, providerID: movement.provider.lowerID, currency: "USD")
                var total = expected[key] ?? LedgerTotal(key: key)
                if movement.signedMicros > 0 {
                    total.captureMicros += movement.signedMicros
                } else {
                    total.refundMicros -= movement.signedMicros
                }
                expected[key] = total
            }
            let totals = try await source.ledgerTotals(for: settled.period)
            #expect(totals.lines == expected.values.sorted { $0.key < $1.key })
            #expect(totals.lines.contains { $0.refundMicros > 0 })
            #expect(totals.transfers.isEmpty)
            let dayBefore = SettlementPeriod(start: settled.period.start.adding(days: -1), end: settled.period.start)
            #expect(try await source.ledgerTotals(for: dayBefore) == LedgerPeriodTotals())
        }
    }

    @Test func paymentIsRecordedOnceWithItsReference() async throws {
        try await withSettled("rpc_paid") { settled in
            let client = settled.harness
            let operatorToken = settled.operatorToken
            let batch = try #require(settled.run.batches.first)
            let paid = try await client.settlement(
                SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batch.id, externalReference: "wire 2026/11/001"),
                token: operatorToken)
            #expect(paid.state == .paid)
            #expect(paid.externalReference == "wire 2026/11/001")
            #expect(paid.lines.reduce(0) { $0 + $1.netMicros } == batch.netMicros)
            let replay = try await client.settlement(
                SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batch.id, externalReference: "wire 2026/11/001"),
                token: operatorToken)
            #expect(replay.paidAtUs == paid.paidAtUs)
            let refused = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batch.id, externalReference: "other"),
                    token: operatorToken)
            }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.reason == "batch_already_paid")
            let byTenant = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batch.id, externalReference: "x"),
                    token: try settled.spenders.world(batch.tenantID).adminToken)
            }
            #expect(byTenant?.code == .permissionDenied)
            #expect(byTenant?.reason == "permission_denied")
        }
    }

    @Test func tenantFinanceReadsItsOwnStatementButNotAnotherTenants() async throws {
        try await withSettled("rpc_tenant_access") { settled in
            let client = settled.harness
            let own = settled.tenants[0].lowerID, other = settled.tenants[1].lowerID
            let finance = try settled.spenders.world(own).financeToken

            let statement = try await client.settlement(
                SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: own, period: settled.period.wire),
                token: finance)
            #expect(statement.totals.first?.netMicros == settled.net { $0.tenant == settled.tenants[0] })
            let foreign = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: other, period: settled.period.wire),
                    token: finance)
            }
            #expect(foreign?.code == .notFound)
            #expect(foreign?.reason == "not_found")
            let export = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.exportReport,
                    ExportReportRequest(kind: .statement, period: settled.period.wire, format: .csv, tenantID: other), token: finance)
            }
            #expect(export?.code == .notFound)
            #expect(export?.reason == "not_found")

            let listed = try await client.settlement(SettlementMethods.listBatches, ListBatchesRequest(), token: finance)
            #expect(!listed.batches.isEmpty)
            #expect(listed.batches.allSatisfy { $0.tenantID == own })
            let foreignList = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.listBatches, ListBatchesRequest(tenantID: other), token: finance)
            }
            #expect(foreignList?.code == .notFound)
            #expect(foreignList?.reason == "not_found")
            let foreignBatch = try #require(settled.run.batches.first { $0.tenantID == other })
            let getForeign = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.getBatch, GetBatchRequest(batchID: foreignBatch.id), token: finance)
            }
            #expect(getForeign?.code == .notFound)
            #expect(getForeign?.reason == "not_found")
            let payout = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.getProviderPayout,
                    GetProviderPayoutRequest(providerID: settled.providers[0].lowerID, period: settled.period.wire), token: finance)
            }
            #expect(payout?.code == .permissionDenied)
            #expect(payout?.reason == "permission_denied")
            let run = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.runSettlement, RunSettlementRequest(period: settled.period.wire), token: finance)
            }
            #expect(run?.code == .permissionDenied)
            #expect(run?.reason == "permission_denied")
        }
    }

    @Test func listingBatchesWithACounterpartyOutsideTheCallersBatchesAnswersNotFound() async throws {
        try await withSettled("rpc_list_foreign_ids") { settled in
            let client = settled.harness
            let batch = try #require(settled.run.batches.first)
            let tenant = batch.tenantID, provider = batch.providerID
            let unknown = UUID().lowerID
            let finance = try settled.spenders.world(tenant).financeToken
            let payee = try settled.spenders.providerToken(provider)
            let operatorToken = settled.operatorToken

            // Ids the caller shares a batch with list as before.
            let byProvider = try await client.settlement(
                SettlementMethods.listBatches, ListBatchesRequest(providerID: provider), token: finance)
            #expect(byProvider.batches.contains { $0.id == batch.id })
            let byTenant = try await client.settlement(SettlementMethods.listBatches, ListBatchesRequest(tenantID: tenant), token: payee)
            #expect(byTenant.batches.contains { $0.id == batch.id })
            #expect(try await client.settlement(
                SettlementMethods.listBatches, ListBatchesRequest(tenantID: tenant, providerID: provider), token: operatorToken
            ).batches.contains { $0.id == batch.id })

            // Any other id answers NOT_FOUND, as GetBatch does for a batch outside the caller's reach.
            let refusals: [(String, ListBatchesRequest, String)] = [
                ("finance naming an unknown provider", ListBatchesRequest(providerID: unknown), finance),
                ("a provider naming an unknown tenant", ListBatchesRequest(tenantID: unknown), payee),
                ("the operator naming an unknown tenant", ListBatchesRequest(tenantID: unknown), operatorToken),
                ("the operator naming an unknown provider", ListBatchesRequest(providerID: unknown), operatorToken),
            ]
            for (what, request, token) in refusals {
                let refused = await rpcFailure { _ = try await client.settlement(SettlementMethods.listBatches, request, token: token) }
                #expect(refused?.code == .notFound && refused?.reason == "not_found", "\(what): \(String(describing: refused))")
            }
            let getForeign = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.getBatch, GetBatchRequest(batchID: unknown), token: finance)
            }
            #expect(getForeign?.code == .notFound && getForeign?.reason == "not_found")
        }
    }

    @Test func aProviderReadsOnlyItsOwnPayouts() async throws {
        try await withSettled("rpc_provider_access") { settled in
            let client = settled.harness
            let own = settled.providers[0].lowerID, other = settled.providers[1].lowerID
            let provider = try settled.spenders.providerToken(own)

            let payout = try await client.settlement(
                SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: own, period: settled.period.wire),
                token: provider)
            #expect(!payout.batches.isEmpty)
            #expect(payout.batches.allSatisfy { $0.providerID == own })
            #expect(payout.totals.first?.netMicros == settled.net { $0.provider == settled.providers[0] })
            let foreign = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: other, period: settled.period.wire),
                    token: provider)
            }
            #expect(foreign?.code == .notFound)
            #expect(foreign?.reason == "not_found")
            let foreignExport = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.exportReport,
                    ExportReportRequest(kind: .payout, period: settled.period.wire, format: .json, providerID: other), token: provider)
            }
            #expect(foreignExport?.code == .notFound)
            #expect(foreignExport?.reason == "not_found")
            let statement = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.getTenantStatement,
                    GetTenantStatementRequest(tenantID: settled.tenants[0].lowerID, period: settled.period.wire), token: provider)
            }
            #expect(statement?.code == .permissionDenied)
            #expect(statement?.reason == "permission_denied")
            let listed = try await client.settlement(SettlementMethods.listBatches, ListBatchesRequest(), token: provider)
            #expect(!listed.batches.isEmpty)
            #expect(listed.batches.allSatisfy { $0.providerID == own })
            let foreignBatch = try #require(settled.run.batches.first { $0.providerID == other })
            let getForeign = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.getBatch, GetBatchRequest(batchID: foreignBatch.id), token: provider)
            }
            #expect(getForeign?.code == .notFound)
            #expect(getForeign?.reason == "not_found")

            let export = try await client.settlement(
                SettlementMethods.exportReport,
                ExportReportRequest(kind: .payout, period: settled.period.wire, format: .csv, providerID: own), token: provider)
            #expect(export.contentType == "text/csv; charset=utf-8")
            #expect(export.fileName == "payout-\(own)-\(settled.period.start.isoDate)-\(settled.period.end.isoDate).csv")
            let rows = try #require(CSVReader.rows(export.content))
            let netColumn = try #require(ReportCSV.payoutColumns.firstIndex(of: "net"))
            let csvNet = try rows.dropFirst().reduce(Int64(0)) { $0 + (try #require(CSVReader.micros($1[netColumn]))) }
            #expect(csvNet == payout.totals.first?.netMicros)
        }
    }

    @Test func badRequestsAreRefusedWithAReason() async throws {
        try await withWallet("rpc_invalid", settlementClock: .system) { harness in
            let spenders = try await Spenders.make(harness, tenants: 1, providers: 1)
            let client = harness
            let operatorToken = spenders.operatorToken
            let misaligned = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.runSettlement, RunSettlementRequest(period: Period(startAtUs: 5, endAtUs: Self.day)),
                    token: operatorToken)
            }
            #expect(misaligned?.code == .invalidArgument)
            #expect(misaligned?.reason == "period_invalid")
            let format = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.exportReport,
                    ExportReportRequest(kind: .statement, period: Self.period().wire, format: .unspecified, tenantID: "t"),
                    token: operatorToken)
            }
            #expect(format?.reason == "invalid_argument")
            let reference = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: UUID().uuidString.lowercased(), externalReference: ""),
                    token: operatorToken)
            }
            #expect(reference?.code == .invalidArgument)
            let unknown = await rpcFailure {
                _ = try await client.settlement(
                    SettlementMethods.getBatch, GetBatchRequest(batchID: UUID().uuidString.lowercased()), token: operatorToken)
            }
            #expect(unknown?.code == .notFound)
            #expect(unknown?.reason == "not_found")
            let anonymous = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.listBatches, ListBatchesRequest())
            }
            #expect(anonymous?.code == .unauthenticated)
            #expect(anonymous?.reason == "token_missing")
            let agent = await rpcFailure {
                _ = try await client.settlement(SettlementMethods.listBatches, ListBatchesRequest(), token: spenders.worlds[0].agentToken)
            }
            #expect(agent?.code == .permissionDenied)
            #expect(agent?.reason == "permission_denied")
        }
    }
}
