import PurserAPI
import Testing
@testable import PurserSettlement

@Suite struct ReconciliationTests {
    static let key = ReconcileKey(tenantID: "t1", providerID: "p1", currency: "USD")
    static let other = ReconcileKey(tenantID: "t2", providerID: "p1", currency: "USD")

    static func agreeing() -> Reconciliation {
        var reconciliation = Reconciliation()
        reconciliation.ledger = [key: 1_000, other: -5]
        reconciliation.recorded = [key: 1_000, other: -5]
        reconciliation.batched = [key: 900, other: -5]
        reconciliation.unbatched = [key: 100]
        reconciliation.batches = [BatchTotals(batchID: "b1", key: key, headerNetMicros: 900, linesNetMicros: 900, entriesNetMicros: 900)]
        return reconciliation
    }

    @Test func agreeingTotalsHaveNoDiscrepancy() {
        let response = Self.agreeing().response(period: Period(), ledgerSource: "feed")
        #expect(response.balanced)
        #expect(response.discrepancies.isEmpty)
        #expect(response.lines.map(\.tenantID) == ["t1", "t2"])
        #expect(response.lines[0].unbatchedNetMicros == 100)
    }

    @Test func aMissingRecordedEntryIsALedgerMismatch() {
        var reconciliation = Self.agreeing()
        reconciliation.recorded[Self.key] = 990
        reconciliation.batched[Self.key] = 890
        let discrepancies = reconciliation.discrepancies
        #expect(discrepancies.map(\.kind) == ["ledger_mismatch"])
        #expect(discrepancies.first?.differenceMicros == -10)
        #expect(!reconciliation.response(period: Period(), ledgerSource: "feed").balanced)
    }

    @Test func aKeyOnlyTheLedgerKnowsIsReported() {
        var reconciliation = Self.agreeing()
        let missing = ReconcileKey(tenantID: "t3", providerID: "p9", currency: "USD")
        reconciliation.ledger[missing] = 42
        #expect(reconciliation.discrepancies.map(\.kind) == ["ledger_mismatch"])
        #expect(reconciliation.discrepancies.first?.tenantID == "t3")
    }

    @Test func batchesThatDoNotHoldTheRecordedEntriesAreABatchMismatch() {
        var reconciliation = Self.agreeing()
        reconciliation.batched[Self.other] = -4
        #expect(reconciliation.discrepancies.map(\.kind) == ["batch_mismatch"])
        #expect(reconciliation.discrepancies.first?.tenantID == "t2")
    }

    @Test(arguments: [(901, 900), (900, 899)])
    func aBatchWhoseHeaderOrLinesDisagreeWithItsEntriesIsReported(header: Int64, lines: Int64) {
        var reconciliation = Self.agreeing()
        reconciliation.batches = [BatchTotals(batchID: "b1", key: Self.key, headerNetMicros: header, linesNetMicros: lines, entriesNetMicros: 900)]
        let discrepancies = reconciliation.discrepancies
        #expect(discrepancies.map(\.kind) == ["batch_total_mismatch"])
        #expect(discrepancies.first?.batchID == "b1")
        #expect(discrepancies.first?.expectedMicros == 900)
    }
}
