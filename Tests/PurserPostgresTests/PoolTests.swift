import Foundation
import Synchronization
import Testing
import PurserKit
@testable import PurserPostgres
import PurserTestSupport

@Suite struct PoolTests {
    /// Occupies the only connection of `pool` until `release` is incremented;
    /// returns once the blocking job is running.
    static func occupy(_ pool: PostgresPool, until release: Counter) async throws -> Task<Void, any Error> {
        let running = Counter()
        let blocker = Task {
            try await pool.withConnection { _ in
                running.increment()
                let deadline = Date().addingTimeInterval(120)
                while release.value == 0, Date() < deadline { usleep(1_000) }
            }
        }
        try await waitUntil("the blocking job to start", timeout: .seconds(30), interval: .milliseconds(2)) { running.value > 0 }
        return blocker
    }

    /// Waits until `depth` jobs are queued.
    static func waitForQueue(_ pool: PostgresPool, depth: Int) async throws {
        try await waitUntil("\(depth) jobs to queue", timeout: .seconds(30), interval: .milliseconds(1)) { pool.queueDepth >= depth }
    }

    @Test func jobsRunOnOneConnectionInFIFOOrderWhenThePoolIsBusy() async throws {
        try await withPool("pool_fifo", size: 1) { pool in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE log (n int8)") }
            let release = Counter()
            let blocker = try await Self.occupy(pool, until: release)
            var tasks: [Task<Void, any Error>] = []
            for index in 0..<20 {
                tasks.append(Task { try await pool.withConnection { _ = try $0.execute("INSERT INTO log VALUES ($1)", [Int64(index)]) } })
                try await Self.waitForQueue(pool, depth: index + 1)
            }
            release.increment()
            try await blocker.value
            for task in tasks { try await task.value }
            let order = try await pool.withConnection { connection in
                try connection.query("SELECT n FROM log ORDER BY ctid").map { try $0.decode(Int64.self, at: 0) }
            }
            #expect(order == (0..<20).map(Int64.init))
        }
    }

    @Test func cancelledWaitingJobIsDroppedWithoutRunning() async throws {
        try await withPool("pool_cancel", size: 1) { pool in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE hits (n int)") }
            let release = Counter()
            let blocker = try await Self.occupy(pool, until: release)
            let waiting = Task { try await pool.withConnection { _ = try $0.execute("INSERT INTO hits VALUES (1)") } }
            try await Self.waitForQueue(pool, depth: 1)
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            release.increment()
            try await blocker.value
            let count = try await pool.withConnection { try $0.query("SELECT count(*) FROM hits")[0][0, as: Int64.self] }
            #expect(count == 0)
        }
    }

    @Test func closedPoolRefusesWork() async throws {
        try await withPool("pool_closed", size: 2) { pool in
            try await pool.ping()
            await pool.close()
            let refused = await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
            #expect(refused?.kind == .poolClosed)
            #expect(await pool.isHealthy() == false)
        }
    }

    /// The time limit turns a health check or ping that ignores its timeout into a failure, not a hang.
    @Test(.timeLimit(.minutes(1))) func pingReportsHealthyServerAndUnreachableOneQuickly() async throws {
        try await withPool("pool_ping", size: 1) { pool in
            #expect(await pool.isHealthy())
            let nowhere = PostgresPool(
                configuration: PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:1/postgres", size: 1),
                logger: .init(label: "nowhere", level: .critical))
            try await using(nowhere, cleanup: { await $0.close() }) { nowhere in
                #expect(await nowhere.isHealthy(timeout: .seconds(1)) == false)
                do {
                    try await nowhere.ping()
                    Issue.record("ping of an unreachable server succeeded")
                } catch let error as PostgresError {
                    #expect(error.kind == .unavailable)
                    #expect(error.isRetryable)
                }
            }
        }
    }

    @Test func preparedStatementsAreReusedAcrossCalls() async throws {
        try await withPool("pool_prepared", size: 1) { pool in
            let counts = try await pool.withConnection { connection -> (Int64, Int64) in
                let before = try connection.query("SELECT count(*) FROM pg_prepared_statements")[0][0, as: Int64.self]
                for value in 0..<50 { _ = try connection.query("SELECT $1::int8 * 2", [Int64(value)]) }
                let after = try connection.query("SELECT count(*) FROM pg_prepared_statements")[0][0, as: Int64.self]
                return (before, after)
            }
            // The counting query was prepared before its first run, so only `SELECT $1::int8 * 2` is new.
            #expect(counts.1 - counts.0 == 1)
        }
    }

    @Test func affectedRowCountIsReported() async throws {
        try await withPool("pool_affected", size: 1) { pool in
            let (inserted, updated, deleted) = try await pool.withConnection { connection in
                try connection.executeScript("CREATE TABLE t (n int)")
                let inserted = try connection.execute("INSERT INTO t SELECT generate_series(1, $1::int)", [Int32(7)])
                let updated = try connection.execute("UPDATE t SET n = n + 1 WHERE n > $1", [Int64(4)])
                let deleted = try connection.execute("DELETE FROM t")
                return (inserted, updated, deleted)
            }
            #expect(inserted == 7)
            #expect(updated == 3)
            #expect(deleted == 7)
        }
    }
}

@Suite struct PoolLifecycleTests {
    @Test func aServiceGroupClosesThePoolOnShutdown() async throws {
        try await withPool("pool_service", size: 1) { pool in
            try await pool.ping()
            let group = ServiceGroup(services: [.init("postgres", pool)], signals: [], logger: Logger(label: "g", level: .critical))
            let running = Task { try await group.run() }
            group.triggerGracefulShutdown()
            try await running.value
            do {
                _ = try await pool.withConnection { _ in 1 }
                Issue.record("pool still open after shutdown")
            } catch let error as PostgresError {
                #expect(error.kind == .poolClosed)
            }
        }
    }
}

/// Runs alone (`deploy/dev test` gives suites named Isolated… their own pass):
/// it measures how freely the cooperative pool runs, which other suites in the
/// same process would disturb.
@Suite struct IsolatedSchedulingTests {
    @Test func manyConcurrentTasksShareASmallPoolWithoutBlockingTheCooperativePool() async throws {
        try await withPool("pool_concurrency", size: 8) { pool in
            let ticks = Counter()
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(5))
                    ticks.increment()
                }
            }
            let results = try await withThrowingTaskGroup(of: (Int64, String).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            let row = try connection.query("SELECT $1::int8 + 0 FROM pg_sleep(0.01)", [Int64(index)])
                            return (try row[0][0, as: Int64.self], currentThreadName())
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            ticker.cancel()
            #expect(results.map(\.0).reduce(0, +) == Int64((0..<200).reduce(0, +)))
            // Every blocking libpq call ran on one of the pool's own eight threads,
            // never on the cooperative pool…
            let threads = Set(results.map(\.1))
            #expect(threads.allSatisfy { $0.hasPrefix("postgres-") }, "bodies ran on \(threads)")
            #expect(threads.count <= 8)
            // …which stayed free to run other tasks meanwhile (200 × 10 ms on 8 connections ≥ 250 ms).
            #expect(ticks.value >= 10, "ticker starved: \(ticks.value) ticks")
            #expect(pool.metrics.snapshot().connectionsOpened <= 8)
        }
    }
}
