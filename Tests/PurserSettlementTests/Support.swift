import Foundation
import PurserKit
import PurserPostgres
import PurserTestSupport
import Synchronization
@testable import PurserSettlement

/// A fresh database with the `settlement` schema migrated, and its store.
struct SettlementDatabase {
    let pool: PostgresPool
    let store: SettlementStore

    /// Runs `body` with a fresh database migrated for Settlement, then closes
    /// its pool and drops it, awaited, whether `body` returned or threw.
    static func with<T>(_ label: String, _ body: (SettlementDatabase) async throws -> T) async throws -> T {
        let url = try await TestDatabase.create(label: label)
        let database: SettlementDatabase
        do {
            database = try await make(url: url)
        } catch {
            try? await TestDatabase.drop(url: url)
            throw error
        }
        return try await using(database, cleanup: { database in
            await database.pool.close()
            try await TestDatabase.drop(url: url)
        }, body)
    }

    /// The `settlement` schema in the database at `url` (which may hold other services' schemas).
    static func make(url: String) async throws -> SettlementDatabase {
        let pool = PostgresPool(
            configuration: TestDatabase.configuration(url: url, size: 4, applicationName: "settlement-tests"),
            logger: Logger(label: "settlement-tests", level: .error))
        try await Migrator(schema: "settlement", migrations: SettlementMigrations.all).run(on: pool)
        return SettlementDatabase(pool: pool, store: SettlementStore(pool: pool))
    }

    func consumer(_ source: any CaptureFeedSource, pageSize: Int = 100, pollInterval: Duration = .milliseconds(10)) -> CaptureFeedConsumer {
        CaptureFeedConsumer(
            pool: pool, source: source, pageSize: pageSize, pollInterval: pollInterval, maximumBackoff: .milliseconds(50),
            logger: Logger(label: "settlement-tests", level: .error))
    }

    /// Stores plain entries as the feed consumer would (one page, cursor advanced).
    func seed(_ entries: [FeedEntry]) async throws {
        let store = FeedStore(pool: pool)
        let cursor = try await store.cursor()
        let next = String((Int(cursor) ?? 0) + entries.count)
        let stored = try await store.store(FeedPage(entries: entries, nextCursor: next), readAfter: cursor, nowUs: 1)
        precondition(stored == entries.count, "seeded entries must be new")
    }

    /// Runs `consumer` until `count` entries are stored (the Wallet's feed only
    /// passes entries once every older transaction in the cluster has ended, so
    /// the last entries may show a moment later); fails after 30 seconds.
    func drain(_ consumer: CaptureFeedConsumer, until count: Int) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while try await storedCount().count < Int64(count) {
            guard ContinuousClock.now < deadline else {
                let stored = try await storedCount().count
                let activity = try await pool.withConnection { connection in
                    try connection.query("""
                        SELECT datname || ' ' || state || ' xid=' || coalesce(backend_xid::text, '-') || ' ' || left(query, 100)
                        FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
                        UNION ALL SELECT 'xmin=' || pg_snapshot_xmin(pg_current_snapshot())::text
                        UNION ALL SELECT 'cursor=' || cursor FROM settlement.feed_cursor
                        """).map { try $0.decode(String.self, at: 0) }
                }
                throw FeedDidNotDrain(expected: count, stored: stored, activity: activity)
            }
            try await consumer.catchUp()
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    struct FeedDidNotDrain: Error, CustomStringConvertible {
        let expected: Int
        let stored: Int64
        /// Transactions holding a transaction id when the wait ended (they hold the feed back), the horizon and the cursor.
        let activity: [String]
        var description: String {
            "the capture feed delivered \(stored) of \(expected) entries within 30 seconds; open transactions: \(activity)"
        }
    }

    /// How many entries are stored and their signed sum.
    func storedCount() async throws -> (count: Int64, netMicros: Int64) {
        try await pool.withConnection { connection in
            let row = try connection.query("""
                SELECT count(*), COALESCE(sum(CASE WHEN kind = 'capture' THEN amount_micros ELSE -amount_micros END), 0)
                FROM settlement.entries
                """)[0]
            return (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1))
        }
    }

    func execute(_ sql: String, _ parameters: [String] = []) async throws {
        _ = try await pool.withConnection { connection in
            try connection.execute(sql, parameters.map { $0 as (any PostgresEncodable)? })
        }
    }
}

/// Builds feed entries for a scenario and remembers the expected totals.
struct Ledger {
    var entries: [FeedEntry] = []
    private var sequence = 0

    static let day: Int64 = 20_400
    static var period: SettlementPeriod { SettlementPeriod(start: UTCDay(daysSinceEpoch: day), end: UTCDay(daysSinceEpoch: day + 1)) }

    @discardableResult
    mutating func add(
        _ kind: FeedEntry.Kind = .capture, tenant: String, agent: String, provider: String, category: String,
        currency: String = "USD", micros: Int64, at us: Int64
    ) -> FeedEntry {
        sequence += 1
        let entry = FeedEntry(
            entryID: UUID().uuidString.lowercased(), kind: kind, tenantID: tenant,
            agentID: agent, providerID: provider, category: category, currency: currency, amountMicros: micros,
            holdID: "hold-\(sequence)", occurredAtUs: us)
        entries.append(entry)
        return entry
    }

    /// A mix of tenants, agents, providers, categories and currencies on day `day`,
    /// with refunds, from a seeded generator.
    static func scenario(count: Int, day: Int64 = Ledger.day, seed: UInt64 = 7) -> Ledger {
        var generator = SeededGenerator(seed: seed)
        var ledger = Ledger()
        let start = UTCDay(daysSinceEpoch: day).startUs
        for index in 0..<count {
            let tenant = ["tenant-a", "tenant-b", "tenant-c"][Int.random(in: 0..<3, using: &generator)]
            let provider = ["provider-x", "provider-y"][Int.random(in: 0..<2, using: &generator)]
            ledger.add(
                index % 7 == 3 ? .refund : .capture, tenant: tenant,
                agent: "\(tenant)-agent-\(Int.random(in: 0..<3, using: &generator))", provider: provider,
                category: ["llm", "search", "data, \"premium\""][Int.random(in: 0..<3, using: &generator)],
                currency: index % 11 == 0 ? "USDC" : "USD",
                micros: Int64.random(in: 1...25_000_000, using: &generator),
                at: start + Int64.random(in: 0..<UTCDay.micros, using: &generator))
        }
        return ledger
    }

    /// Expected net per key over `entries` that occurred in `period`.
    func net(in period: SettlementPeriod, where include: (FeedEntry) -> Bool = { _ in true }) -> Int64 {
        entries.filter { period.contains($0.occurredAtUs) && include($0) }.reduce(0) { $0 + $1.signedMicros }
    }
}
