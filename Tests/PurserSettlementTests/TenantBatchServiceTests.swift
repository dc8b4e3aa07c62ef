import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import PurserWallet
import Testing
@testable import PurserSettlement

/// Payments between agents of different tenants made on the real Wallet, read
/// over its TransferFeed by Settlement, netted into tenant batches by the
/// operator's run, read by each side's principals only, paid and reconciled
/// against the Wallet's LedgerTotals; every caller holds a token the real Identity issued.
@Suite(.serialized) struct TenantBatchServiceTests {
    /// A Charge from `payer` of `payerTenant` to the agent `payee` of `payeeTenant`, on the Wallet's ledger.
    static func pay(_ harness: WalletHarness, from payer: UUID, of payerTenant: UUID, to payee: UUID, of payeeTenant: UUID,
                    _ micros: Int64) async throws {
        _ = try await harness.wallet.ledger.authorize(
            tenant: payerTenant, agent: payer,
            AuthorizationCommand(
                kind: .charge, scope: WalletHarness.scope("agent:\(payer)"), providerID: payee, category: "agent",
                amountMicros: micros, holdTTLMicros: 300_000_000, payeeIsAgent: true, payeeTenant: payeeTenant))
    }

    /// Reads both feeds until Settlement stored `count` transfers; fails after 30 seconds.
    static func drainTransfers(_ harness: WalletHarness, until count: Int64) async throws {
        let settlement = try harness.settlementService, database = try harness.settlementDatabase
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while true {
            try await settlement.consumer.catchUp()
            let stored = try await database.pool.withConnection { connection in
                try connection.query("SELECT count(*) FROM settlement.transfers")[0].decode(Int64.self, at: 0)
            }
            if stored >= count { return }
            #expect(ContinuousClock.now < deadline, "only \(stored) of \(count) transfers were stored")
            guard ContinuousClock.now < deadline else { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func paymentsBetweenTenantsAreNettedPaidReadByBothSidesOnlyAndReconciled() async throws {
        let clock = SettlementClock.shifted(by: 3 * UTCDay.micros)
        try await withWallet("tenant_batches_rpc", settlementClock: clock) { harness in
            let spenders = try await Spenders.make(harness, tenants: 3, providers: 1)
            let w = spenders.worlds
            for world in w {
                for agent in world.agents { try await harness.ledgerFund(tenant: world.tenant, agent: agent, micros: 100_000_000) }
            }
            // 0 → 1 three times, 1 → 0 once for more; 0 → 2 once; 2 → 1 once.
            let flows: [(Int, Int, Int64)] = [(0, 1, 1_000_000), (0, 1, 2_000_000), (0, 1, 3), (1, 0, 7_000_000), (0, 2, 500), (2, 1, 42)]
            for (payer, payee, micros) in flows {
                try await Self.pay(harness, from: w[payer].agents[0], of: w[payer].tenant, to: w[payee].agents[1], of: w[payee].tenant, micros)
            }
            try await Self.drainTransfers(harness, until: Int64(flows.count))
            let period = SettlementServiceTests.period()
            let run = try await harness.settlement(
                SettlementMethods.runSettlement, RunSettlementRequest(period: period.wire), token: spenders.operatorToken)
            #expect(run.closed && run.transfersSettled == Int64(flows.count) && run.tenantBatches.count == 3)

            func pair(_ x: Int, _ y: Int) throws -> TenantBatch {
                let ids = [w[x].tenantID, w[y].tenantID].sorted()
                return try #require(run.tenantBatches.first { $0.tenantLowID == ids[0] && $0.tenantHighID == ids[1] })
            }
            let zeroOne = try pair(0, 1), zeroTwo = try pair(0, 2), oneTwo = try pair(1, 2)
            #expect(zeroOne.debtorTenantID == w[1].tenantID && zeroOne.creditorTenantID == w[0].tenantID)
            #expect(zeroOne.netMicros == 3_999_997 && zeroOne.transferCount == 4 && zeroOne.state == .closed)
            #expect(zeroTwo.debtorTenantID == w[0].tenantID && zeroTwo.netMicros == 500)
            #expect(oneTwo.debtorTenantID == w[2].tenantID && oneTwo.creditorTenantID == w[1].tenantID && oneTwo.netMicros == 42)

            // Each side's admin and finance read their tenant's batches; the third tenant gets NOT_FOUND.
            let listed = try await harness.settlement(
                SettlementMethods.listTenantBatches, ListTenantBatchesRequest(), token: w[0].financeToken)
            #expect(Set(listed.batches.map(\.id)) == [zeroOne.id, zeroTwo.id])
            #expect(try await harness.settlement(
                SettlementMethods.getTenantBatch, GetTenantBatchRequest(batchID: zeroOne.id), token: w[1].adminToken) == zeroOne)
            let stranger = await rpcFailure {
                _ = try await harness.settlement(
                    SettlementMethods.getTenantBatch, GetTenantBatchRequest(batchID: zeroOne.id), token: w[2].adminToken)
            }
            #expect(stranger?.code == .notFound)
            let naming = await rpcFailure {
                _ = try await harness.settlement(
                    SettlementMethods.listTenantBatches, ListTenantBatchesRequest(tenantID: w[0].tenantID), token: w[2].financeToken)
            }
            #expect(naming?.code == .notFound)
            let provider = await rpcFailure {
                _ = try await harness.settlement(
                    SettlementMethods.listTenantBatches, ListTenantBatchesRequest(), token: spenders.providers[0].token)
            }
            #expect(provider?.code == .permissionDenied)

            // The operator records the debtor's payment; a tenant may not.
            let byTenant = await rpcFailure {
                _ = try await harness.settlement(
                    SettlementMethods.markTenantBatchPaid, MarkTenantBatchPaidRequest(batchID: zeroOne.id, externalReference: "x"),
                    token: w[1].adminToken)
            }
            #expect(byTenant?.code == .permissionDenied)
            let paid = try await harness.settlement(
                SettlementMethods.markTenantBatchPaid, MarkTenantBatchPaidRequest(batchID: zeroOne.id, externalReference: "wire 2026/12/7"),
                token: spenders.operatorToken)
            #expect(paid.state == .paid && paid.externalReference == "wire 2026/12/7")
            let empty = await rpcFailure {
                _ = try await harness.settlement(
                    SettlementMethods.markTenantBatchPaid, MarkTenantBatchPaidRequest(batchID: zeroTwo.id, externalReference: ""),
                    token: spenders.operatorToken)
            }
            #expect(empty?.code == .invalidArgument)

            // The statement of tenant 0 says what it owes and is owed each other tenant.
            let statement = try await harness.settlement(
                SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: w[0].tenantID, period: period.wire),
                token: w[0].adminToken)
            let others = Dictionary(uniqueKeysWithValues: statement.otherTenants.map { ($0.otherTenantID, $0) })
            #expect(others[w[1].tenantID]?.paidMicros == 3_000_003 && others[w[1].tenantID]?.receivedMicros == 7_000_000)
            #expect(others[w[1].tenantID]?.owesMicros == -3_999_997)
            #expect(others[w[2].tenantID]?.owesMicros == 500 && others.count == 2)

            // Tenant 1 exports its tenant batches: it owes tenant 0 and is owed by tenant 2.
            let export = try await harness.settlement(
                SettlementMethods.exportReport,
                ExportReportRequest(kind: .tenantBatches, period: period.wire, format: .csv, tenantID: w[1].tenantID),
                token: w[1].financeToken)
            let rows = String(decoding: export.content, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.first == ReportCSV.tenantBatchColumns.joined(separator: ","))
            #expect(rows.count == 3)
            let owed = try #require(rows.first { $0.contains(w[0].tenantID) && $0.hasPrefix(w[1].tenantID) })
            #expect(owed.contains(",paid,7.000000,3.000003,3.999997,4,wire 2026/12/7,"))
            let owing = try #require(rows.first { $0.contains(w[2].tenantID) })
            #expect(owing.contains(",closed,0.000000,0.000042,-0.000042,1,,"))
            let foreignExport = await rpcFailure {
                _ = try await harness.settlement(
                    SettlementMethods.exportReport,
                    ExportReportRequest(kind: .tenantBatches, period: period.wire, format: .json, tenantID: w[1].tenantID),
                    token: w[2].financeToken)
            }
            #expect(foreignExport?.code == .notFound)

            let reconciled = try await harness.settlement(
                SettlementMethods.reconcile, ReconcileRequest(period: period.wire), token: spenders.operatorToken)
            #expect(reconciled.balanced, "\(reconciled.discrepancies)")

            // A transfer Settlement lost is a difference with the Wallet's ledger (and with its batch).
            try await harness.settlementDatabase.execute(
                "DELETE FROM settlement.transfers WHERE payer_tenant = $1 AND payee_tenant = $2", [w[2].tenantID, w[1].tenantID])
            let damaged = try await harness.settlement(
                SettlementMethods.reconcile, ReconcileRequest(period: period.wire), token: spenders.operatorToken)
            #expect(!damaged.balanced)
            let lost = try #require(damaged.discrepancies.first { $0.kind == "transfer_ledger_mismatch" })
            #expect(lost.tenantID == w[2].tenantID && lost.counterTenantID == w[1].tenantID)
            #expect(lost.expectedMicros == 42 && lost.actualMicros == 0)
            #expect(damaged.discrepancies.contains { $0.kind == "tenant_batch_total_mismatch" && $0.batchID == oneTwo.id })
        }
    }

    /// 3 tenants' agents pay each other (every direction) from 6 concurrent
    /// clients while 3 consumers race to store the transfer feed (pages of 5,
    /// 13 and 50) and the operator's runs of the open period race with them;
    /// then a last run closes it. Every transfer is stored once and sits in
    /// exactly one tenant batch, each batch's gross and net are the planned
    /// flows to the micro, and the period reconciles with the Wallet's totals.
    @Test func racingPaymentsConsumersAndRunsNetEveryTransferExactlyOnce() async throws {
        try await withWallet("tenant_batches_race") { wallet in
            let spenders = try await Spenders.make(wallet, tenants: 3, providers: 1)
            let w = spenders.worlds
            for world in w {
                for agent in world.agents { try await wallet.ledgerFund(tenant: world.tenant, agent: agent, micros: 1_000_000_000) }
            }
            try await SettlementDatabase.with("tenant_batches_race_feed") { (database: SettlementDatabase) async throws in
                let feeds = try [5, 13, 50].map { size in (try wallet.feed(), size) }
                defer { for (feed, _) in feeds { feed.client.close() } }
                let racers = feeds.map { feed, size in
                    let consumer = database.consumer(feed, pageSize: size, pollInterval: .milliseconds(1))
                    return Task { try await consumer.run() }
                }
                let period = SettlementServiceTests.period()
                let runner = Task {
                    var runs = 0
                    while !Task.isCancelled {
                        _ = try await database.store.run(period, nowUs: SettlementClock.system.nowUs())
                        runs += 1
                        do { try await Task.sleep(for: .milliseconds(5)) } catch { break }
                    }
                    return runs
                }
                let perClient = 30
                let planned = try await withThrowingTaskGroup(of: [String: Int64].self) { group in
                    for client in 0..<6 {
                        group.addTask {
                            var flows: [String: Int64] = [:]
                            for index in 0..<perClient {
                                let payer = client % 3, payee = (client + 1 + index % 2) % 3
                                let micros = Int64(1_000 + 97 * index + client)
                                try await Self.pay(wallet, from: w[payer].agents[index % 2], of: w[payer].tenant,
                                                   to: w[payee].agents[(index + 1) % 2], of: w[payee].tenant, micros)
                                flows["\(w[payer].tenantID)>\(w[payee].tenantID)", default: 0] += micros
                            }
                            return flows
                        }
                    }
                    return try await group.reduce(into: [String: Int64]()) { $0.merge($1, uniquingKeysWith: +) }
                }
                let total = Int64(6 * perClient)
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                var stored: Int64 = 0
                while ContinuousClock.now < deadline {
                    stored = try await database.pool.withConnection { connection in
                        try connection.query("SELECT count(*) FROM settlement.transfers")[0].decode(Int64.self, at: 0)
                    }
                    if stored >= total { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                runner.cancel()
                #expect(try await runner.value > 1, "the open period was not run while payments arrived")
                for racer in racers {
                    racer.cancel()
                    try await racer.value
                }
                #expect(stored == total)
                let closing = try await database.store.run(period, nowUs: period.endUs)
                #expect(closing.closed)
                let unbatched = try await database.pool.withConnection { connection in
                    try connection.query("SELECT count(*) FROM settlement.transfers WHERE tenant_batch_id IS NULL")[0]
                        .decode(Int64.self, at: 0)
                }
                #expect(unbatched == 0)
                #expect(closing.tenantBatches.reduce(0) { $0 + $1.transferCount } == total)
                #expect(closing.tenantBatches.count == 3)
                for batch in closing.tenantBatches {
                    let lowToHigh = planned["\(batch.tenantLowID)>\(batch.tenantHighID)"] ?? 0
                    let highToLow = planned["\(batch.tenantHighID)>\(batch.tenantLowID)"] ?? 0
                    #expect(batch.lowToHighMicros == lowToHigh && batch.highToLowMicros == highToLow)
                    #expect(batch.netMicros == abs(lowToHigh - highToLow) && batch.state == .closed)
                    #expect(batch.debtorTenantID == (lowToHigh >= highToLow ? batch.tenantLowID : batch.tenantHighID))
                }
                var reconciliation = try await database.store.reconciliation(for: period)
                let ledger = try await wallet.wallet.ledger.transferTotals(fromUs: period.startUs, toUs: period.endUs, tenant: nil)
                reconciliation.addLedgerTransfers(ledger.map { line in
                    LedgerTransferTotal(
                        key: TransferKey(payerTenantID: line.payerTenantID.lowerID, payeeTenantID: line.payeeTenantID.lowerID,
                                         currency: line.currency),
                        amountMicros: line.amountMicros, outOfRange: line.outOfRange)
                })
                #expect(reconciliation.discrepancies.isEmpty, "\(reconciliation.discrepancies)")
                #expect(ledger.reduce(0) { $0 + $1.amountMicros } == planned.values.reduce(0, +))
            }
        }
    }
}
