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

    func settledDay(_ label: String) async throws -> (SettlementDatabase, Ledger) {
        let database = try await SettlementDatabase.make(label)
        let ledger = Ledger.scenario(count: 250, seed: 5)
        try await database.seed(ledger.entries)
        _ = try await database.store.run(Self.period, nowUs: Self.afterEnd)
        return (database, ledger)
    }

    @Test func aSettledPeriodReconcilesWithoutDifferences() async throws {
        let (database, ledger) = try await settledDay("reconcile_clean")
        let response = try await reconcile(database, ledger: ledger.entries)
        #expect(response.balanced)
        #expect(response.discrepancies.isEmpty)
        #expect(response.lines.reduce(0) { $0 + $1.ledgerNetMicros } == ledger.net(in: Self.period))
        #expect(response.lines.allSatisfy { $0.ledgerNetMicros == $0.batchedNetMicros && $0.unbatchedNetMicros == 0 })
    }

    @Test func entriesNotYetBatchedStillReconcile() async throws {
        let database = try await SettlementDatabase.make("reconcile_unbatched")
        let ledger = Ledger.scenario(count: 40)
        try await database.seed(ledger.entries)
        let response = try await reconcile(database, ledger: ledger.entries)
        #expect(response.balanced)
        #expect(response.lines.reduce(0) { $0 + $1.unbatchedNetMicros } == ledger.net(in: Self.period))
    }

    @Test func aStoredEntryThatWentMissingIsDetected() async throws {
        let (database, ledger) = try await settledDay("reconcile_missing")
        let victim = ledger.entries[17]
        try await database.execute(
            "DELETE FROM settlement.entries WHERE tenant_id = $1 AND entry_id = $2", [victim.tenantID, victim.entryID])
        let response = try await reconcile(database, ledger: ledger.entries)
        #expect(!response.balanced)
        let mismatch = try #require(response.discrepancies.first { $0.kind == "ledger_mismatch" })
        #expect(mismatch.tenantID == victim.tenantID)
        #expect(mismatch.providerID == victim.providerID)
        #expect(mismatch.currency == victim.currency)
        #expect(mismatch.differenceMicros == -victim.signedMicros)
        #expect(response.discrepancies.contains { $0.kind == "batch_total_mismatch" })
    }

    @Test func aTamperedBatchLineIsDetected() async throws {
        let (database, ledger) = try await settledDay("reconcile_tampered")
        try await database.execute("""
            UPDATE settlement.batch_lines SET net_micros = net_micros + 1
            WHERE (tenant_id, batch_id, agent_id, category) IN
                  (SELECT tenant_id, batch_id, agent_id, category FROM settlement.batch_lines ORDER BY batch_id LIMIT 1)
            """)
        let response = try await reconcile(database, ledger: ledger.entries)
        #expect(!response.balanced)
        #expect(Set(response.discrepancies.map(\.kind)) == ["batch_mismatch", "batch_total_mismatch"])
        #expect(response.discrepancies.allSatisfy { $0.differenceMicros == 1 })
    }

    @Test func anEntryTheSettlementStoreNeverSawIsDetected() async throws {
        let (database, ledger) = try await settledDay("reconcile_unseen")
        var unseen = Ledger()
        unseen.add(tenant: "tenant-z", agent: "z", provider: "provider-x", category: "llm", micros: 5, at: Self.period.startUs + 9)
        let response = try await reconcile(database, ledger: ledger.entries + unseen.entries)
        #expect(response.discrepancies.map(\.kind) == ["ledger_mismatch"])
        #expect(response.discrepancies.first?.tenantID == "tenant-z")
        #expect(response.discrepancies.first?.expectedMicros == 5)
    }
}
