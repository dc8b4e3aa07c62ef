import Foundation
import Testing
@testable import PurserSettlement

/// Prints how fast pages are stored and a day is settled; asserts only correctness.
@Suite struct SettlementBenchmarkTests {
    @Test func storingAndSettlingADayOfEntries() async throws {
        let database = try await SettlementDatabase.make("benchmark")
        let ledger = Ledger.scenario(count: 20_000, seed: 99)
        let clock = ContinuousClock()
        let storeStart = clock.now
        for start in stride(from: 0, to: ledger.entries.count, by: 500) {
            try await database.seed(Array(ledger.entries[start..<min(start + 500, ledger.entries.count)]))
        }
        let storing = clock.now - storeStart
        let runStart = clock.now
        let run = try await database.store.run(Ledger.period, nowUs: Ledger.period.endUs + 1)
        let settling = clock.now - runStart
        let statementStart = clock.now
        let statement = try await database.store.statement(tenantID: "tenant-a", period: Ledger.period)
        let reading = clock.now - statementStart
        #expect(run.entriesSettled == 20_000)
        #expect(statement.totals.reduce(0) { $0 + $1.netMicros } == ledger.net(in: Ledger.period) { $0.tenantID == "tenant-a" })
        func rate(_ duration: Duration) -> Int {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return Int(20_000 / max(seconds, 1e-9))
        }
        print("settlement benchmark: stored 20000 entries in pages of 500 in \(storing) (\(rate(storing))/s); "
            + "settled them into \(run.batches.count) batches in \(settling) (\(rate(settling))/s); "
            + "one tenant's statement in \(reading)")
    }
}
