import PurserAPI
import Testing
@testable import PurserSettlement

/// Reconciliation of the store against ledger totals given as plain values.
@Suite struct ReconcileStoreTests {
    static let period = Ledger.period
    static let afterEnd = Ledger.period.endUs + 1

    /// Reconciles `period` with `ledger` (the entries the ledger holds) as the ledger's side.
    func reconcile(_ database: SettlementDatabase, ledger entries: [FeedEntry]) async throws -> ReconcileResponse {
        var reconciliation = try await database.store.reconciliation(for: Self.period)
        for entry in entries where Self.period.contains(entry.occurredAtUs) {
            let key = ReconcileKey(tenantID: entry.tenantID, providerID: entry.providerID, currency: entry.currency)
            reconciliation.ledger[key, default: 0] += entry.signedMicros
        }
        return reconciliation.response(period: Self.period.wire, ledgerSource: "test")
    }

    /// Runs `body` on a fresh database holding a settled day of 250 entries (dropped afterwards).
    func withSettledDay(_ label: String, _ body: (SettlementDatabase, Ledger) async throws -> Void) async throws {
        try await SettlementDatabase.with(label) { database in
            let ledger = Ledger.scenario(count: 250, seed: 5)
            try await database.seed(ledger.entries)
            _ = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            try await body(database, ledger)
        }
    }

    @Test func aSettledPeriodReconcilesWithoutDifferences() async throws {
        try await withSettledDay("reconcile_clean") { (database: SettlementDatabase, ledger: Ledger) async throws in
            let response = try await reconcile(database, ledger: ledger.entries)
            #expect(response.balanced)
            #expect(response.discrepancies.isEmpty)
            #expect(response.lines.reduce(0) { $0 + $1.ledgerNetMicros } == ledger.net(in: Self.period))
            #expect(response.lines.allSatisfy { $0.ledgerNetMicros == $0.batchedNetMicros && $0.unbatchedNetMicros == 0 })
        }
    }

    @Test func entriesNotYetBatchedStillReconcile() async throws {
        try await SettlementDatabase.with("reconcile_unbatched") { (database: SettlementDatabase) async throws in
            let ledger = Ledger.scenario(count: 40)
            try await database.seed(ledger.entries)
            let response = try await reconcile(database, ledger: ledger.entries)
            #expect(response.balanced)
            #expect(response.lines.reduce(0) { $0 + $1.unbatchedNetMicros } == ledger.net(in: Self.period))
        }
    }

    /// The ledger's net of `key` in the period.
    func net(_ ledger: Ledger, _ key: ReconcileKey) -> Int64 {
        ledger.net(in: Self.period) { $0.tenantID == key.tenantID && $0.providerID == key.providerID && $0.currency == key.currency }
    }

    func key(of entry: FeedEntry) -> ReconcileKey {
        ReconcileKey(tenantID: entry.tenantID, providerID: entry.providerID, currency: entry.currency)
    }

    /// The finding `Reconcile` promises: `kind` on `key` (and `batch`), with both figures.
    func finding(_ kind: String, _ key: ReconcileKey, batch: String = "", expected: Int64, actual: Int64) -> Discrepancy {
        var discrepancy = Discrepancy()
        discrepancy.kind = kind
        discrepancy.tenantID = key.tenantID
        discrepancy.providerID = key.providerID
        discrepancy.currency = key.currency
        discrepancy.batchID = batch
        discrepancy.expectedMicros = expected
        discrepancy.actualMicros = actual
        discrepancy.differenceMicros = actual - expected
        return discrepancy
    }

    /// One batch line of the settled day (the first by batch, agent and category), with its batch's key.
    struct StoredLine: Sendable {
        let key: ReconcileKey
        let batchID: String
        let agentID: String
        let category: String
        let netMicros: Int64
    }

    func firstLine(_ database: SettlementDatabase) async throws -> StoredLine {
        try await database.pool.withConnection { connection in
            let row = try connection.query("""
                SELECT b.tenant_id, b.provider_id, b.currency, b.batch_id::text, l.agent_id, l.category, l.net_micros
                FROM settlement.batch_lines l JOIN settlement.batches b ON b.tenant_id = l.tenant_id AND b.batch_id = l.batch_id
                ORDER BY b.batch_id, l.agent_id, l.category LIMIT 1
                """)[0]
            return StoredLine(
                key: ReconcileKey(
                    tenantID: try row.decode(String.self, at: 0), providerID: try row.decode(String.self, at: 1),
                    currency: try row.decode(String.self, at: 2)),
                batchID: try row.decode(String.self, at: 3), agentID: try row.decode(String.self, at: 4),
                category: try row.decode(String.self, at: 5), netMicros: try row.decode(Int64.self, at: 6))
        }
    }

    func batchID(_ database: SettlementDatabase, _ key: ReconcileKey) async throws -> String {
        try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT batch_id::text FROM settlement.batches WHERE tenant_id = $1 AND provider_id = $2 AND currency = $3",
                [key.tenantID, key.providerID, key.currency])[0].decode(String.self, at: 0)
        }
    }

    /// An entry not yet batched goes missing from the store: only the ledger comparison sees it.
    @Test func aStoredUnbatchedEntryThatWentMissingIsALedgerMismatch() async throws {
        try await SettlementDatabase.with("reconcile_missing_unbatched") { (database: SettlementDatabase) async throws in
            let ledger = Ledger.scenario(count: 40)
            try await database.seed(ledger.entries)
            #expect(try await reconcile(database, ledger: ledger.entries).discrepancies == [])
            let victim = ledger.entries[17], key = self.key(of: victim), total = net(ledger, key)
            try await database.execute(
                "DELETE FROM settlement.entries WHERE tenant_id = $1 AND entry_id = $2", [victim.tenantID, victim.entryID])
            let response = try await reconcile(database, ledger: ledger.entries)
            #expect(!response.balanced)
            #expect(response.discrepancies == [
                finding("ledger_mismatch", key, expected: total, actual: total - victim.signedMicros),
            ])
        }
    }

    /// A batched entry goes missing: the ledger comparison, the batch comparison
    /// and its batch's own totals each see it.
    @Test func aStoredEntryThatWentMissingIsDetected() async throws {
        try await withSettledDay("reconcile_missing") { (database: SettlementDatabase, ledger: Ledger) async throws in
            #expect(try await reconcile(database, ledger: ledger.entries).discrepancies == [])
            let victim = ledger.entries[17], key = self.key(of: victim), total = net(ledger, key)
            let batch = try await batchID(database, key)
            try await database.execute(
                "DELETE FROM settlement.entries WHERE tenant_id = $1 AND entry_id = $2", [victim.tenantID, victim.entryID])
            let response = try await reconcile(database, ledger: ledger.entries)
            #expect(!response.balanced)
            #expect(response.discrepancies == [
                finding("ledger_mismatch", key, expected: total, actual: total - victim.signedMicros),
                finding("batch_mismatch", key, expected: total - victim.signedMicros, actual: total),
                finding("batch_total_mismatch", key, batch: batch, expected: total - victim.signedMicros, actual: total),
            ])
        }
    }

    /// A batch line dated outside the period: the period's batched total no
    /// longer holds the recorded entries, while the batch's own three totals agree.
    @Test func aBatchLineOutsideItsPeriodIsABatchMismatch() async throws {
        try await withSettledDay("reconcile_line_moved") { (database: SettlementDatabase, ledger: Ledger) async throws in
            #expect(try await reconcile(database, ledger: ledger.entries).discrepancies == [])
            let line = try await firstLine(database)
            try #require(line.netMicros != 0)
            try await database.execute("""
                UPDATE settlement.batch_lines SET day_at_us = day_at_us - 86400000000
                WHERE batch_id = $1::uuid AND agent_id = $2 AND category = $3
                """, [line.batchID, line.agentID, line.category])
            let total = net(ledger, line.key)
            #expect(try await reconcile(database, ledger: ledger.entries).discrepancies == [
                finding("batch_mismatch", line.key, expected: total, actual: total - line.netMicros),
            ])
        }
    }

    /// A batch header that disagrees with its lines and entries: only that batch's totals see it.
    @Test func aTamperedBatchHeaderIsABatchTotalMismatch() async throws {
        try await withSettledDay("reconcile_header") { (database: SettlementDatabase, ledger: Ledger) async throws in
            #expect(try await reconcile(database, ledger: ledger.entries).discrepancies == [])
            let line = try await firstLine(database)
            try await database.execute(
                "UPDATE settlement.batches SET net_micros = net_micros + 1 WHERE batch_id = $1::uuid", [line.batchID])
            let total = net(ledger, line.key)
            #expect(try await reconcile(database, ledger: ledger.entries).discrepancies == [
                finding("batch_total_mismatch", line.key, batch: line.batchID, expected: total, actual: total + 1),
            ])
        }
    }

    @Test func aTamperedBatchLineIsDetected() async throws {
        try await withSettledDay("reconcile_tampered") { (database: SettlementDatabase, ledger: Ledger) async throws in
            #expect(try await reconcile(database, ledger: ledger.entries).discrepancies == [])
            let line = try await firstLine(database)
            try await database.execute("""
                UPDATE settlement.batch_lines SET net_micros = net_micros + 1
                WHERE batch_id = $1::uuid AND agent_id = $2 AND category = $3
                """, [line.batchID, line.agentID, line.category])
            let response = try await reconcile(database, ledger: ledger.entries)
            #expect(!response.balanced)
            let total = net(ledger, line.key)
            #expect(response.discrepancies == [
                finding("batch_mismatch", line.key, expected: total, actual: total + 1),
                finding("batch_total_mismatch", line.key, batch: line.batchID, expected: total, actual: total + 1),
            ])
        }
    }

    @Test func anEntryTheSettlementStoreNeverSawIsDetected() async throws {
        try await withSettledDay("reconcile_unseen") { (database: SettlementDatabase, ledger: Ledger) async throws in
            var unseen = Ledger()
            let entry = unseen.add(tenant: "tenant-z", agent: "z", provider: "provider-x", category: "llm", micros: 5, at: Self.period.startUs + 9)
            let response = try await reconcile(database, ledger: ledger.entries + unseen.entries)
            #expect(response.discrepancies == [finding("ledger_mismatch", key(of: entry), expected: 5, actual: 0)])
        }
    }
}
