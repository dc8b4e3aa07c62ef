import Foundation
import PurserAPI
import PurserKit
import PurserPostgres
import PurserSettlement

/// Settlement's volume path on the bench's PostgreSQL: a day of capture and
/// refund entries stored through the feed consumer (pages of 500, as the
/// Wallet's feed serves them), then settled into batches.
enum BenchSettlement {
    /// The capture feed held in memory: `entries` in order, the cursor being the count read.
    struct MemoryFeed: CaptureFeedSource {
        let entries: [FeedEntry]
        func page(after cursor: String, limit: Int) async throws -> FeedPage {
            let start = Int(cursor) ?? 0
            let end = min(entries.count, start + limit)
            return FeedPage(entries: Array(entries[start..<end]), nextCursor: String(end))
        }
        /// The bench pays no agent of another tenant: the transfer feed stays empty.
        func transfers(after cursor: String, limit: Int) async throws -> TransferPage {
            TransferPage(transfers: [], nextCursor: cursor)
        }
    }

    /// Entries per second stored and settled, for `count` entries of three
    /// tenants, two providers and three categories on one past day (a refund
    /// every seventh entry). Throws when the run settles another count or
    /// another net than it was given.
    static func volume(databaseURL: String, count: Int = 20_000, logger: Logger) async throws -> (stored: Double, settled: Double) {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: databaseURL, size: 2, applicationName: "purser-bench-settlement"),
            logger: logger)
        do {
            let rates = try await volume(pool: pool, count: count, logger: logger)
            await pool.close()
            return rates
        } catch {
            await pool.close()
            throw error
        }
    }

    private static func volume(pool: PostgresPool, count: Int, logger: Logger) async throws -> (stored: Double, settled: Double) {
        try await Migrator(schema: "settlement", migrations: SettlementMigrations.all).run(on: pool)
        // A day of its own each run, so runs on one database do not add up.
        let day = UTCDay(daysSinceEpoch: 15_000 + Int64.random(in: 0..<3_000))
        var generator = SystemRandomNumberGenerator()
        var net: Int64 = 0
        let entries = (0..<count).map { index in
            let tenant = ["tenant-a", "tenant-b", "tenant-c"][Int.random(in: 0..<3, using: &generator)]
            let entry = FeedEntry(
                entryID: UUID().uuidString.lowercased(), kind: index % 7 == 3 ? .refund : .capture, tenantID: tenant,
                agentID: "\(tenant)-agent-\(Int.random(in: 0..<3, using: &generator))",
                providerID: ["provider-x", "provider-y"][Int.random(in: 0..<2, using: &generator)],
                category: ["llm", "search", "data"][Int.random(in: 0..<3, using: &generator)], currency: "USD",
                amountMicros: Int64.random(in: 1...25_000_000, using: &generator), holdID: "hold-\(index)",
                occurredAtUs: day.startUs + Int64.random(in: 0..<UTCDay.micros, using: &generator))
            net += entry.signedMicros
            return entry
        }
        let consumer = CaptureFeedConsumer(pool: pool, source: MemoryFeed(entries: entries), pageSize: 500, logger: logger)
        let clock = ContinuousClock()
        var stored = 0
        let storing = try await clock.measure { stored = try await consumer.catchUp() }
        let period = try SettlementPeriod(Period(startAtUs: day.startUs, endAtUs: day.adding(days: 1).startUs))
        let store = SettlementStore(pool: pool)
        var run: RunSettlementResponse?
        let settling = try await clock.measure { run = try await store.run(period, nowUs: period.endUs + 1) }
        guard stored == count, let run, run.entriesSettled == Int64(count), run.batches.reduce(0, { $0 + $1.netMicros }) == net else {
            throw BenchMicro.BenchFailure(
                description: "settlement stored \(stored) and settled \(run?.entriesSettled ?? 0) of \(count) entries")
        }
        return (Double(count) / seconds(storing), Double(count) / seconds(settling))
    }

    static func seconds(_ duration: Duration) -> Double {
        max(1e-9, Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
