import PurserKit
import PurserPostgres
import PurserTestSupport
import Testing

/// While PostgreSQL cannot be reached, the pool answers `.unavailable` at once
/// instead of holding its threads through the reconnect backoff on every
/// retry, so calls behind it fail within their deadlines. The suite runs
/// alone, so other tests' load does not stretch its bounds.
@Suite struct IsolatedUnreachableServerTests {
    /// A pool on a port nothing listens on (connections are refused at once).
    func unreachablePool(size: Int) -> PostgresPool {
        PostgresPool(
            configuration: PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:1/postgres", size: size),
            logger: Logger(label: "unreachable", level: .critical))
    }

    @Test func transactionsOnAnUnreachableServerFailFastOneAfterAnother() async throws {
        let pool = unreachablePool(size: 1)
        try await using(pool, cleanup: { await $0.close() }) { pool in
            for _ in 0..<3 {
                let started = ContinuousClock.now
                do {
                    try await pool.withTransaction { _ = try $0.query("SELECT 1").rowCount }
                    Issue.record("a transaction on an unreachable server succeeded")
                } catch let error as PostgresError {
                    #expect(error.kind == .unavailable)
                }
                #expect(ContinuousClock.now - started < .seconds(1), "failed after \(ContinuousClock.now - started)")
            }
            #expect(pool.metrics.snapshot().connectFailures >= 1)
        }
    }

    @Test func callsQueuedBehindAnUnreachableServerAllFailFast() async throws {
        let pool = unreachablePool(size: 2)
        try await using(pool, cleanup: { await $0.close() }) { pool in
            let started = ContinuousClock.now
            let kinds = await withTaskGroup(of: PostgresError.Kind?.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        do {
                            try await pool.withTransaction { _ = try $0.query("SELECT 1").rowCount }
                            return nil
                        } catch {
                            return (error as? PostgresError)?.kind
                        }
                    }
                }
                var kinds: [PostgresError.Kind?] = []
                for await kind in group { kinds.append(kind) }
                return kinds
            }
            #expect(kinds.count == 40 && kinds.allSatisfy { $0 == .unavailable })
            // Each call's own retries take a few hundred milliseconds at most; none waits out a reconnect backoff.
            #expect(ContinuousClock.now - started < .seconds(10), "40 calls took \(ContinuousClock.now - started)")
        }
    }
}
