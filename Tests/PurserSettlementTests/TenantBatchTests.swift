import Foundation
import PurserAPI
import PurserRPC
import Testing
@testable import PurserSettlement

/// Payments across tenants, stored from the transfer feed, netted per pair of
/// tenants × currency and period into tenant batches, paid and reconciled.
@Suite struct TenantBatchTests {
    static let period = Ledger.period
    static let afterEnd = Ledger.period.endUs + 1
    /// Three tenants, ids in byte order: `a < b < c`.
    static let a = "1a000000-0000-4000-8000-000000000000"
    static let b = "2b000000-0000-4000-8000-000000000000"
    static let c = "3c000000-0000-4000-8000-000000000000"

    /// Builds transfers of a scenario.
    struct Transfers {
        var all: [TransferEntry] = []

        @discardableResult
        mutating func pay(_ payer: String, _ payee: String, _ micros: Int64, currency: String = "USD", at us: Int64) -> TransferEntry {
            let transfer = TransferEntry(
                entryID: UUID().uuidString.lowercased(), payerTenantID: payer, payeeTenantID: payee, currency: currency,
                amountMicros: micros, holdID: UUID().uuidString.lowercased(), occurredAtUs: us)
            all.append(transfer)
            return transfer
        }

        /// What the ledger holds for `period`, per payer × payee × currency.
        func ledger(in period: SettlementPeriod) -> [LedgerTransferTotal] {
            var sums: [TransferKey: Int64] = [:]
            for transfer in all where period.contains(transfer.occurredAtUs) {
                sums[TransferKey(payerTenantID: transfer.payerTenantID, payeeTenantID: transfer.payeeTenantID,
                                 currency: transfer.currency), default: 0] += transfer.amountMicros
            }
            return sums.map { LedgerTransferTotal(key: $0.key, amountMicros: $0.value) }
        }
    }

    /// Stores `transfers` as the consumer would (one page of the transfer feed, its cursor advanced).
    static func seed(_ database: SettlementDatabase, _ transfers: [TransferEntry]) async throws {
        let store = FeedStore(pool: database.pool)
        let cursor = try await store.transferCursor()
        let next = String((Int(cursor) ?? 0) + transfers.count)
        let stored = try await store.storeTransfers(TransferPage(transfers: transfers, nextCursor: next), readAfter: cursor, nowUs: 1)
        #expect(stored == transfers.count)
    }

    /// A day of payments: A and B pay each other (B more), A and C the same both
    /// ways, B pays C only, A pays B in EUR too; one payment after the day.
    static func scenario() -> Transfers {
        let start = period.startUs, hour: Int64 = 3_600_000_000
        var t = Transfers()
        t.pay(a, b, 1_250_000, at: start + hour)
        t.pay(a, b, 750_001, at: start + 2 * hour)
        t.pay(b, a, 3_000_000, at: start + 3 * hour)
        t.pay(b, a, 19, at: start + 23 * hour)
        t.pay(a, c, 400_000, at: start + 4 * hour)
        t.pay(c, a, 150_000, at: start + 5 * hour)
        t.pay(c, a, 250_000, at: start + 6 * hour)
        t.pay(b, c, 99, at: start + 7 * hour)
        t.pay(a, b, 5_000, currency: "EUR", at: start + 8 * hour)
        t.pay(b, c, 1_000_000, at: period.endUs + hour)
        return t
    }

    @Test func aPeriodOfPaymentsBothWaysNetsIntoOneBatchPerPairWithTheRightDirection() async throws {
        try await SettlementDatabase.with("tenant_batches_net") { (database: SettlementDatabase) async throws in
            let transfers = Self.scenario()
            try await Self.seed(database, transfers.all)

            let during = try await database.store.run(Self.period, nowUs: Self.period.startUs + 1)
            #expect(!during.closed && during.changed && during.transfersSettled == 9)
            #expect(during.tenantBatches.allSatisfy { $0.state == .open })
            let open = try #require(during.tenantBatches.first)
            await #expect(throws: RPCError.batchNotClosed) {
                try await database.store.markTenantBatchPaid(batchID: open.id, reference: "wire-1", nowUs: 5)
            }

            let run = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            #expect(run.closed && run.changed && run.transfersSettled == 0)
            #expect(run.batches.isEmpty)
            let batches = Dictionary(uniqueKeysWithValues: run.tenantBatches.map { ("\($0.tenantLowID)/\($0.tenantHighID)/\($0.currency)", $0) })
            #expect(batches.count == 4)
            let ab = try #require(batches["\(Self.a)/\(Self.b)/USD"])
            #expect(ab.lowToHighMicros == 2_000_001 && ab.highToLowMicros == 3_000_019)
            #expect(ab.debtorTenantID == Self.b && ab.creditorTenantID == Self.a && ab.netMicros == 1_000_018)
            #expect(ab.transferCount == 4 && ab.state == .closed && ab.closedAtUs == Self.afterEnd)
            #expect(ab.period == Self.period.wire)
            let abEUR = try #require(batches["\(Self.a)/\(Self.b)/EUR"])
            #expect(abEUR.debtorTenantID == Self.a && abEUR.creditorTenantID == Self.b && abEUR.netMicros == 5_000)
            let ac = try #require(batches["\(Self.a)/\(Self.c)/USD"])
            #expect(ac.lowToHighMicros == 400_000 && ac.highToLowMicros == 400_000 && ac.netMicros == 0)
            #expect(ac.debtorTenantID == Self.a && ac.transferCount == 3)
            let bc = try #require(batches["\(Self.b)/\(Self.c)/USD"])
            #expect(bc.debtorTenantID == Self.b && bc.creditorTenantID == Self.c && bc.netMicros == 99 && bc.transferCount == 1)

            let again = try await database.store.run(Self.period, nowUs: Self.afterEnd + 10)
            #expect(!again.changed && again.tenantBatches == run.tenantBatches)

            let ofC = try await database.store.listTenantBatches(tenantID: Self.c)
            #expect(Set(ofC.batches.map(\.id)) == [ac.id, bc.id])
            let paged = try await database.store.listTenantBatches(tenantID: Self.a, pageSize: 2)
            let rest = try await database.store.listTenantBatches(tenantID: Self.a, pageSize: 2, pageToken: paged.nextPageToken)
            #expect(Set((paged.batches + rest.batches).map(\.id)) == [ab.id, abEUR.id, ac.id] && rest.nextPageToken.isEmpty)
            #expect(try await database.store.tenantBatch(id: ab.id) == ab)
        }
    }

    @Test func aClosedTenantBatchIsPaidOnceWithItsReference() async throws {
        try await SettlementDatabase.with("tenant_batches_paid") { (database: SettlementDatabase) async throws in
            try await Self.seed(database, Self.scenario().all)
            let run = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            let batch = try #require(run.tenantBatches.first)
            let paid = try #require(try await database.store.markTenantBatchPaid(batchID: batch.id, reference: "wire-7", nowUs: 42))
            #expect(paid.state == .paid && paid.externalReference == "wire-7" && paid.paidAtUs == 42)
            #expect(try await database.store.markTenantBatchPaid(batchID: batch.id, reference: "wire-7", nowUs: 99) == paid)
            await #expect(throws: RPCError.batchAlreadyPaid) {
                try await database.store.markTenantBatchPaid(batchID: batch.id, reference: "wire-8", nowUs: 100)
            }
            #expect(try await database.store.tenantBatch(id: batch.id) == paid)
            #expect(try await database.store.markTenantBatchPaid(batchID: UUID().uuidString.lowercased(), reference: "x", nowUs: 1) == nil)
        }
    }

    @Test func aTransferStoredAfterItsPeriodClosedJoinsTheNextBatchAsAnAdjustment() async throws {
        try await SettlementDatabase.with("tenant_batches_late") { (database: SettlementDatabase) async throws in
            var transfers = Self.scenario()
            try await Self.seed(database, transfers.all)
            _ = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            let late = transfers.pay(Self.c, Self.b, 7, at: Self.period.startUs + 60_000_000)
            try await Self.seed(database, [late])
            let next = SettlementPeriod(start: Self.period.end, end: Self.period.end.adding(days: 1))
            let run = try await database.store.run(next, nowUs: next.endUs)
            #expect(run.transfersSettled == 2)
            let bc = try #require(run.tenantBatches.first { $0.tenantLowID == Self.b && $0.tenantHighID == Self.c })
            #expect(bc.lowToHighMicros == 1_000_000 && bc.highToLowMicros == 7 && bc.netMicros == 999_993 && bc.debtorTenantID == Self.b)
            let adjustment = try await database.pool.withConnection { connection in
                try connection.query("SELECT adjustment FROM settlement.transfers WHERE entry_id = $1", [late.entryID])[0]
                    .decode(Bool.self, at: 0)
            }
            #expect(adjustment)
        }
    }

    /// Reconciles the period with `transfers` as the ledger's side.
    static func reconcile(_ database: SettlementDatabase, _ transfers: Transfers) async throws -> [Discrepancy] {
        var reconciliation = try await database.store.reconciliation(for: period)
        reconciliation.addLedgerTransfers(transfers.ledger(in: period))
        return reconciliation.discrepancies
    }

    @Test func aSettledPeriodOfTransfersReconcilesAndTamperingShows() async throws {
        try await SettlementDatabase.with("tenant_batches_reconcile") { (database: SettlementDatabase) async throws in
            let transfers = Self.scenario()
            try await Self.seed(database, Array(transfers.all.prefix(5)))
            #expect(try await Self.reconcile(database, transfers).map(\.kind) == ["transfer_ledger_mismatch", "transfer_ledger_mismatch", "transfer_ledger_mismatch"])
            try await Self.seed(database, Array(transfers.all.dropFirst(5)))
            #expect(try await Self.reconcile(database, transfers).isEmpty, "unbatched transfers reconcile")
            let run = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            #expect(try await Self.reconcile(database, transfers).isEmpty)

            let ab = try #require(run.tenantBatches.first { $0.tenantLowID == Self.a && $0.tenantHighID == Self.b && $0.currency == "USD" })
            try await database.execute("UPDATE settlement.tenant_batches SET net_micros = net_micros + 1 WHERE batch_id = $1::uuid", [ab.id])
            let header = try await Self.reconcile(database, transfers)
            #expect(header.count == 1)
            #expect(header.first?.kind == "tenant_batch_total_mismatch" && header.first?.batchID == ab.id)
            // What A owes B per the transfers (negative: B owes A), against the tampered header.
            #expect(header.first?.expectedMicros == -1_000_018 && header.first?.actualMicros == -1_000_019)
            try await database.execute("UPDATE settlement.tenant_batches SET net_micros = net_micros - 1 WHERE batch_id = $1::uuid", [ab.id])

            let dropped = transfers.all[2]  // B pays A 3_000_000
            try await database.execute("DELETE FROM settlement.transfers WHERE entry_id = $1", [dropped.entryID])
            let found = try await Self.reconcile(database, transfers)
            let ledger = try #require(found.first { $0.kind == "transfer_ledger_mismatch" })
            #expect(ledger.tenantID == Self.b && ledger.counterTenantID == Self.a && ledger.currency == "USD")
            #expect(ledger.expectedMicros == 3_000_019 && ledger.actualMicros == 19 && ledger.differenceMicros == -3_000_000)
            let batch = try #require(found.first { $0.kind == "tenant_batch_total_mismatch" })
            #expect(batch.batchID == ab.id && batch.expectedMicros == 19 && batch.actualMicros == 3_000_019)
            #expect(found.count == 2)
        }
    }

    @Test func invalidTransfersAreRefusedAndNothingIsStored() async throws {
        try await SettlementDatabase.with("tenant_batches_invalid") { (database: SettlementDatabase) async throws in
            let store = FeedStore(pool: database.pool)
            let own = TransferEntry(entryID: "e1", payerTenantID: Self.a, payeeTenantID: Self.a, currency: "USD",
                                    amountMicros: 5, holdID: "h", occurredAtUs: 1)
            var zero = own
            zero.payeeTenantID = Self.b
            zero.amountMicros = 0
            for transfer in [own, zero] {
                await #expect(throws: RPCError.self) {
                    try await store.storeTransfers(TransferPage(transfers: [transfer], nextCursor: "1"), readAfter: "", nowUs: 1)
                }
            }
            #expect(try await store.transferCursor() == "")
        }
    }
}
