import Foundation
import Synchronization
import Testing
import PurserPostgres

@Suite struct PoolTests {
    @Test func manyConcurrentTasksShareASmallPoolWithoutBlockingTheCooperativePool() async throws {
        let pool = try await makePool("pool_concurrency", size: 8)
        defer { Task { await pool.close() } }
        let ticks = Atomic<Int>(0)
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
                ticks.add(1, ordering: .relaxed)
            }
        }
        let started = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await pool.withConnection { connection in
                        let row = try connection.query("SELECT $1::int8 + 0 FROM pg_sleep(0.01)", [Int64(index)])
                        return try row[0][0, as: Int64.self]
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        ticker.cancel()
        #expect(total == Int64((0..<200).reduce(0, +)))
        // 200 × 10 ms over 8 connections ≈ 250 ms: the 5 ms ticker must have kept running.
        #expect(ticks.load(ordering: .relaxed) >= 10, "ticker starved: \(ticks.load(ordering: .relaxed)) ticks in \(elapsed)")
        #expect(pool.metrics.snapshot().connectionsOpened <= 8)
    }

    @Test func jobsRunOnOneConnectionInFIFOOrderWhenThePoolIsBusy() async throws {
        let pool = try await makePool("pool_fifo", size: 1)
        defer { Task { await pool.close() } }
        try await pool.withConnection { try $0.executeScript("CREATE TABLE log (n int8)") }
        let blocker = Task { try await pool.withConnection { try $0.executeScript("SELECT pg_sleep(0.2)") } }
        try await Task.sleep(for: .milliseconds(50))
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<20 {
            tasks.append(Task { try await pool.withConnection { _ = try $0.execute("INSERT INTO log VALUES ($1)", [Int64(index)]) } })
            try await Task.sleep(for: .milliseconds(2))
        }
        try await blocker.value
        for task in tasks { try await task.value }
        let order = try await pool.withConnection { connection in
            try connection.query("SELECT n FROM log ORDER BY ctid").map { try $0.decode(Int64.self, at: 0) }
        }
        #expect(order == (0..<20).map(Int64.init))
    }

    @Test func cancelledWaitingJobIsDroppedWithoutRunning() async throws {
        let pool = try await makePool("pool_cancel", size: 1)
        defer { Task { await pool.close() } }
        try await pool.withConnection { try $0.executeScript("CREATE TABLE hits (n int)") }
        let blocker = Task { try await pool.withConnection { try $0.executeScript("SELECT pg_sleep(0.3)") } }
        try await Task.sleep(for: .milliseconds(50))
        let waiting = Task { try await pool.withConnection { _ = try $0.execute("INSERT INTO hits VALUES (1)") } }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        try await blocker.value
        let count = try await pool.withConnection { try $0.query("SELECT count(*) FROM hits")[0][0, as: Int64.self] }
        #expect(count == 0)
    }

    @Test func closedPoolRefusesWork() async throws {
        let pool = try await makePool("pool_closed", size: 2)
        try await pool.ping()
        await pool.close()
        await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
        #expect(await pool.isHealthy() == false)
    }

    @Test func pingReportsHealthyServerAndUnreachableOneQuickly() async throws {
        let pool = try await makePool("pool_ping", size: 1)
        defer { Task { await pool.close() } }
        #expect(await pool.isHealthy())
        let nowhere = PostgresPool(
            configuration: PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:1/postgres", size: 1),
            logger: .init(label: "nowhere", level: .critical))
        defer { Task { await nowhere.close() } }
        let started = ContinuousClock.now
        #expect(await nowhere.isHealthy(timeout: .seconds(1)) == false)
        #expect(ContinuousClock.now - started < .seconds(3))
        do {
            try await nowhere.ping()
            Issue.record("ping of an unreachable server succeeded")
        } catch let error as PostgresError {
            #expect(error.kind == .unavailable)
            #expect(error.isRetryable)
        }
    }

    @Test func preparedStatementsAreReusedAcrossCalls() async throws {
        let pool = try await makePool("pool_prepared", size: 1)
        defer { Task { await pool.close() } }
        let counts = try await pool.withConnection { connection -> (Int64, Int64) in
            let before = try connection.query("SELECT count(*) FROM pg_prepared_statements")[0][0, as: Int64.self]
            for value in 0..<50 { _ = try connection.query("SELECT $1::int8 * 2", [Int64(value)]) }
            let after = try connection.query("SELECT count(*) FROM pg_prepared_statements")[0][0, as: Int64.self]
            return (before, after)
        }
        // The counting query was prepared before its first run, so only `SELECT $1::int8 * 2` is new.
        #expect(counts.1 - counts.0 == 1)
    }

    @Test func affectedRowCountIsReported() async throws {
        let pool = try await makePool("pool_affected", size: 1)
        defer { Task { await pool.close() } }
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
