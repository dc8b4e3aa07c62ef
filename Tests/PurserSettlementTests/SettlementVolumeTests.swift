import Foundation
import Testing
@testable import PurserSettlement

/// A day of entries stored page by page is settled whole, and a tenant's
/// statement adds up to its entries. How fast that goes is a figure for a
/// benchmark, not for this unit target, which measures nothing.
@Suite struct SettlementVolumeTests {
    @Test func aDayStoredInPagesIsSettledWhole() async throws {
        try await SettlementDatabase.with("volume") { (database: SettlementDatabase) async throws in
            let count = 2_000
            let ledger = Ledger.scenario(count: count, seed: 99)
            for start in stride(from: 0, to: ledger.entries.count, by: 500) {
                try await database.seed(Array(ledger.entries[start..<min(start + 500, ledger.entries.count)]))
            }
            let run = try await database.store.run(Ledger.period, nowUs: Ledger.period.endUs + 1)
            #expect(run.entriesSettled == Int64(count))
            let statement = try await database.store.statement(tenantID: "tenant-a", period: Ledger.period)
            #expect(statement.totals.reduce(0) { $0 + $1.netMicros } == ledger.net(in: Ledger.period) { $0.tenantID == "tenant-a" })
        }
    }
}
