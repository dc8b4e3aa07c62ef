import Foundation
import Testing
import PurserKit
import PurserPostgres
import PurserTestSupport

/// Restarts the shared test server: `deploy/dev test` skips suites named
/// `Disruptive…` in its main pass and runs them alone afterwards.
/// Opt-in: runs only with `PURSER_TEST_DISRUPTIVE=1` (set by `deploy/dev test`),
/// so a plain `swift test` never restarts the server under the other suites;
/// with it set, a server this process cannot restart fails every test here.
@Suite(
    .serialized,
    .enabled(if: TestEnvironment.runsDisruptiveSuites, "restarts PostgreSQL: set PURSER_TEST_DISRUPTIVE=1 (deploy/dev test does)"))
struct DisruptiveRestartTests {
    init() throws { try TestEnvironment.requireRestartablePostgres() }

    @Test func poolRecoversAfterPostgresRestartsDuringAStreamOfQueries() async throws {
        try await withPool("restart", size: 4) { pool in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE events (n int8)") }
            let stop = Counter()
            let outcomes = Counter(), failures = Counter()
            let stream = Task {
                var index: Int64 = 0
                while stop.value == 0 {
                    index += 1
                    let value = index
                    do {
                        try await pool.withTransaction { _ = try $0.execute("INSERT INTO events VALUES ($1)", [value]) }
                        outcomes.increment()
                    } catch let error as PostgresError {
                        #expect(error.isRetryable, "unexpected non-retryable error: \(error)")
                        failures.increment()
                        try? await Task.sleep(for: .milliseconds(10))
                    } catch {
                        Issue.record("unexpected error \(error)")
                    }
                }
            }
            try await waitUntil("the stream of queries to commit", timeout: .seconds(30)) { outcomes.value >= 10 }
            let beforeRestart = outcomes.value
            try await TestEnvironment.restartPostgres()
            let afterRestart = outcomes.value
            try await waitUntil("queries to commit again after the restart", timeout: .seconds(30)) { outcomes.value >= afterRestart + 10 }
            stop.increment()
            await stream.value
            #expect(beforeRestart > 0)
            #expect(outcomes.value > afterRestart, "queries succeed again after the restart")
            #expect(pool.metrics.snapshot().connectionsLost + pool.metrics.snapshot().transactionRetries > 0)
            #expect(await pool.isHealthy())
            let stored = try await pool.withConnection { try $0.query("SELECT count(*) FROM events")[0][0, as: Int64.self] }
            #expect(stored >= Int64(outcomes.value), "every reported commit is durable")
        }
    }

    @Test func idleConnectionsClosedByARestartAreReplacedBeforeUse() async throws {
        try await withPool("restart_idle", size: 4) { pool in
            // Open all four connections.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await pool.withConnection { try $0.executeScript("SELECT pg_sleep(0.05)") } } }
                try await group.waitForAll()
            }
            #expect(pool.metrics.snapshot().connectionsOpened == 4)
            try await TestEnvironment.restartPostgres()
            // withConnection never retries, so each of these would fail on a stale session.
            for _ in 0..<8 {
                let one = try await pool.withConnection { try $0.query("SELECT 1")[0][0, as: Int32.self] }
                #expect(one == 1)
            }
            #expect(pool.metrics.snapshot().connectionsLost >= 1)
        }
    }

    /// The time limit makes a listener that never hears again fail rather than hang.
    @Test(.timeLimit(.minutes(2))) func listenerListensAgainAfterRestart() async throws {
        try await withPool("restart_listen", size: 2) { pool in
            let stream = try await pool.listen(channel: "after_restart")
            try await TestEnvironment.restartPostgres()
            var iterator = stream.makeAsyncIterator()
            // Keep notifying until the re-established listener hears one.
            let sender = Task {
                while !Task.isCancelled {
                    try? await pool.notify(channel: "after_restart", payload: "hello")
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            defer { sender.cancel() }
            #expect(await iterator.next() == "hello")
        }
    }
}
