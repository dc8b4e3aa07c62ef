import Foundation
import PurserKit
import PurserTestSupport
import Testing

@testable import PurserPostgres

/// When PostgreSQL comes back, the first worker to connect tells the others:
/// every worker's reconnect backoff is cleared, so no call fails on a worker
/// still waiting out a backoff it earned while the server was down.
@Suite struct PoolRecoveryTests {
    static let workers = 4

    @Test func oneSuccessfulConnectClearsEveryWorkersBackoff() async throws {
        let url = try await TestDatabase.create(label: "recovery")
        let server = try #require(URLComponents(string: url))
        let forwarder = try TCPForwarder(targetPort: try #require(server.port))
        defer { forwarder.stop() }
        var unreachable = server
        unreachable.port = forwarder.port
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                url: try #require(unreachable.string), size: Self.workers, applicationName: "purser-tests",
                maximumReconnectBackoff: .seconds(30)),
            logger: Logger(label: "recovery", level: .critical))

        // While nothing listens, calls fail until every worker has failed enough
        // attempts to be backing off (and failing its jobs at once).
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(60))
        while pool.reconnectFailures.min() ?? 0 < ConnectionWorker.attemptsBeforeFailingFast {
            try #require(clock.now < deadline, "workers' failures: \(pool.reconnectFailures)")
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.workers {
                    group.addTask { _ = try? await pool.withConnection { try $0.query("SELECT 1").rowCount } }
                }
            }
        }
        #expect(pool.reconnectFailures.allSatisfy { $0 >= ConnectionWorker.attemptsBeforeFailingFast })

        // The server becomes reachable; calls are made one at a time until one succeeds.
        try forwarder.start()
        var failedMeanwhile = 0
        while true {
            do {
                _ = try await pool.withConnection { try $0.query("SELECT 1").rowCount }
                break
            } catch let error as PostgresError {
                #expect(error.kind == .unavailable)
                failedMeanwhile += 1
                try #require(clock.now < deadline, "no call succeeded after the server became reachable")
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        // That one success cleared every worker's backoff, not just its own.
        #expect(pool.reconnectFailures == Array(repeating: 0, count: Self.workers), "\(pool.reconnectFailures)")

        // Every worker serves at once: as many calls as workers, each holding its
        // connection long enough that each runs on a worker of its own.
        let failuresBefore = pool.metrics.snapshot().connectFailures
        let outcomes = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<Self.workers {
                group.addTask {
                    do {
                        _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(0.2)").rowCount }
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var failures: [String] = []
            for await outcome in group { if let outcome { failures.append(outcome) } }
            return failures
        }
        #expect(outcomes.isEmpty, "calls failed after the server was back: \(outcomes)")
        #expect(pool.metrics.snapshot().connectFailures == failuresBefore)
        await pool.close()
        try await TestDatabase.drop(url: url)
        print("pool recovery: \(failedMeanwhile) calls failed between the server becoming reachable and the first success")
    }
}
