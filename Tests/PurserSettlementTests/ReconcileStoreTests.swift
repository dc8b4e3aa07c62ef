import PurserAPI
import Testing
@testable import PurserSettlement

@Suite struct ReconcileStoreTests {
    static let period = Ledger.period
    static let afterEnd = Ledger.period.endUs + 1

    /// A settled day, reconciled against the ledger replayed from the feed.
    func reconcile(_ database: SettlementDatabase, _ feed: MemoryFeed) async throws -> ReconcileResponse {
        let ledger = FeedReplayLedgerTotals(source: feed, pageSize: 64)
        var reconciliation = try await database.store.reconciliation(for: Self.period)
        for total in try await ledger.ledgerTotals(for: Self.period) { reconciliation.ledger[total.key, default: 0] += total.netMicros }
        return reconciliation.response(period: Self.period.wire, ledgerSource: ledger.name)
    }

    func settledDay(_ label: String) async throws -> (SettlementDatabase, MemoryFeed, Ledger) {
        let database = try await SettlementDatabase.make(label)
        let ledger = Ledger.scenario(count: 250, seed: 5)
        let feed = MemoryFeed()
        feed.append(ledger.entries)
        try await database.consumer(feed).catchUp()
        _ = try await database.store.run(Self.period, nowUs: Self.afterEnd)
        return (database, feed, ledger)
    }

    @Test func aSettledPeriodReconcilesWithoutDifferences() async throws {
        let (database, feed, ledger) = try await settledDay("reconcile_clean")
        let response = try await reconcile(database, feed)
        #expect(response.balanced)
        #expect(response.discrepancies.isEmpty)
        #expect(response.ledgerSource == "feed")
        #expect(response.lines.reduce(0) { $0 + $1.ledgerNetMicros } == ledger.net(in: Self.period))
        #expect(response.lines.allSatisfy { $0.ledgerNetMicros == $0.batchedNetMicros && $0.unbatchedNetMicros == 0 })
    }

    @Test func entriesNotYetBatchedStillReconcile() async throws {
        let database = try await SettlementDatabase.make("reconcile_unbatched")
        let ledger = Ledger.scenario(count: 40)
        let feed = MemoryFeed()
        feed.append(ledger.entries)
        try await database.consumer(feed).catchUp()
        let response = try await reconcile(database, feed)
        #expect(response.balanced)
        #expect(response.lines.reduce(0) { $0 + $1.unbatchedNetMicros } == ledger.net(in: Self.period))
    }

    @Test func aStoredEntryThatWentMissingIsDetected() async throws {
        let (database, feed, ledger) = try await settledDay("reconcile_missing")
        let victim = ledger.entries[17]
        try await database.execute(
            "DELETE FROM settlement.entries WHERE tenant_id = $1 AND entry_id = $2", [victim.tenantID, victim.entryID])
        let response = try await reconcile(database, feed)
        #expect(!response.balanced)
        let mismatch = try #require(response.discrepancies.first { $0.kind == "ledger_mismatch" })
        #expect(mismatch.tenantID == victim.tenantID)
        #expect(mismatch.providerID == victim.providerID)
        #expect(mismatch.currency == victim.currency)
        #expect(mismatch.differenceMicros == -victim.signedMicros)
        #expect(response.discrepancies.contains { $0.kind == "batch_total_mismatch" })
    }

    @Test func aTamperedBatchLineIsDetected() async throws {
        let (database, feed, _) = try await settledDay("reconcile_tampered")
        try await database.execute("""
            UPDATE settlement.batch_lines SET net_micros = net_micros + 1
            WHERE (tenant_id, batch_id, agent_id, category) IN
                  (SELECT tenant_id, batch_id, agent_id, category FROM settlement.batch_lines ORDER BY batch_id LIMIT 1)
            """)
        let response = try await reconcile(database, feed)
        #expect(!response.balanced)
        #expect(Set(response.discrepancies.map(\.kind)) == ["batch_mismatch", "batch_total_mismatch"])
        #expect(response.discrepancies.allSatisfy { $0.differenceMicros == 1 })
    }

    @Test func anEntryTheSettlementStoreNeverSawIsDetected() async throws {
        let (database, feed, _) = try await settledDay("reconcile_unseen")
        var extra = Ledger()
        let unseen = extra.add(tenant: "tenant-z", agent: "z", provider: "provider-x", category: "llm", micros: 5, at: Self.period.startUs + 9)
        feed.append([FeedEntry(
            entryID: "ffffffff-0000-4000-8000-000000000001", kind: .capture, tenantID: unseen.tenantID, agentID: unseen.agentID,
            providerID: unseen.providerID, category: unseen.category, currency: unseen.currency, amountMicros: 5,
            holdID: "h", occurredAtUs: unseen.occurredAtUs)])
        let response = try await reconcile(database, feed)
        #expect(response.discrepancies.map(\.kind) == ["ledger_mismatch"])
        #expect(response.discrepancies.first?.tenantID == "tenant-z")
        #expect(response.discrepancies.first?.expectedMicros == 5)
    }
}
