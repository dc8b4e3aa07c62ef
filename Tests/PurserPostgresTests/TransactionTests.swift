import Foundation
import Synchronization
import Testing
import PurserPostgres

/// A shared counter for coordinating transaction bodies running on pool threads.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    @discardableResult func increment() -> Int { storage.add(1, ordering: .relaxed).newValue }
    var value: Int { storage.load(ordering: .relaxed) }
}

@Suite struct TransactionTests {
    struct Refused: Error {}

    @Test func aThrowingBodyIsRolledBack() async throws {
        try await withPool("tx_rollback") { pool in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE items (id int8 PRIMARY KEY)") }
            await #expect(throws: Refused.self) {
                try await pool.withTransaction { connection in
                    _ = try connection.execute("INSERT INTO items VALUES (1)")
                    throw Refused()
                }
            }
            let count = try await pool.withConnection { try $0.query("SELECT count(*) FROM items")[0][0, as: Int64.self] }
            #expect(count == 0)
            #expect(pool.metrics.snapshot().transactionRetries == 0)
        }
    }

    @Test func committedWorkIsVisibleAfterwards() async throws {
        try await withPool("tx_commit") { pool in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE items (id int8 PRIMARY KEY)") }
            try await pool.withTransaction { _ = try $0.execute("INSERT INTO items VALUES ($1), ($2)", [Int64(1), Int64(2)]) }
            let count = try await pool.withConnection { try $0.query("SELECT count(*) FROM items")[0][0, as: Int64.self] }
            #expect(count == 2)
        }
    }

    @Test func deadlockedTransactionIsRetriedAndBothSucceed() async throws {
        try await withPool("tx_deadlock", size: 2) { pool in
            try await pool.withConnection {
                try $0.executeScript("CREATE TABLE accounts (id int8 PRIMARY KEY, balance int8 NOT NULL); INSERT INTO accounts VALUES (1, 0), (2, 0)")
            }
            // Both bodies lock their first row, meet at a barrier, then lock the other's row.
            let arrived = Counter()
            let a = Task { try await Self.transfer(pool, first: 1, second: 2, barrier: arrived) }
            let b = Task { try await Self.transfer(pool, first: 2, second: 1, barrier: arrived) }
            let attemptsA = try await a.value, attemptsB = try await b.value
            // The server aborts one side as the deadlock victim; it must have been re-run,
            // and the pool's retry counter must account for every extra run.
            #expect(attemptsA + attemptsB >= 3)
            #expect(pool.metrics.snapshot().transactionRetries == attemptsA + attemptsB - 2)
            #expect(pool.metrics.snapshot().transactionsCommitted == 2)
            let balances = try await pool.withConnection { connection in
                try connection.query("SELECT balance FROM accounts ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
            }
            #expect(balances == [2, 2])
        }
    }

    /// Moves one unit to each of two rows, locking `first` then `second`; returns how many times the body ran.
    static func transfer(_ pool: PostgresPool, first: Int64, second: Int64, barrier: Counter) async throws -> Int {
        let attempts = Atomic<Int>(0)
        try await pool.withTransaction { connection in
            let attempt = attempts.add(1, ordering: .relaxed).newValue
            _ = try connection.execute("UPDATE accounts SET balance = balance + 1 WHERE id = $1", [first])
            if attempt == 1 {
                barrier.increment()
                let deadline = Date().addingTimeInterval(5)
                while barrier.value < 2, Date() < deadline { usleep(1_000) }
            }
            _ = try connection.execute("UPDATE accounts SET balance = balance + 1 WHERE id = $1", [second])
        }
        return attempts.load(ordering: .relaxed)
    }

    @Test func serializationFailureIsRetriedUntilItCommits() async throws {
        try await withPool("tx_serializable", size: 8) { pool in
            try await pool.withConnection {
                try $0.executeScript("CREATE TABLE counters (id int PRIMARY KEY, n int8 NOT NULL); INSERT INTO counters VALUES (1, 0)")
            }
            let options = TransactionOptions(isolation: .serializable, maximumAttempts: 100)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        try await pool.withTransaction(options) { connection in
                            let n = try connection.query("SELECT n FROM counters WHERE id = 1")[0][0, as: Int64.self]
                            usleep(2_000)
                            _ = try connection.execute("UPDATE counters SET n = $1 WHERE id = 1", [n + 1])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let n = try await pool.withConnection { try $0.query("SELECT n FROM counters")[0][0, as: Int64.self] }
            #expect(n == 16, "no lost update under SERIALIZABLE")
            #expect(pool.metrics.snapshot().transactionRetries > 0, "concurrent read-modify-write must have conflicted")
            #expect(pool.metrics.snapshot().transactionsCommitted == 16)
        }
    }

    @Test func nonRetryableErrorsAreNotRetried() async throws {
        try await withPool("tx_unique") { pool in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE items (id int8 CONSTRAINT items_pk PRIMARY KEY)") }
            do {
                try await pool.withTransaction { connection in
                    _ = try connection.execute("INSERT INTO items VALUES (1)")
                    _ = try connection.execute("INSERT INTO items VALUES (1)")
                }
                Issue.record("duplicate key accepted")
            } catch let error as PostgresError {
                #expect(error.kind == .uniqueViolation)
                #expect(error.constraint == "items_pk")
                #expect(error.table == "items")
                #expect(error.sqlState == "23505")
                #expect(!error.isRetryable)
            }
            #expect(pool.metrics.snapshot().transactionAttempts == 1)
        }
    }

    @Test func localSettingsAndTimeoutsApplyOnlyInsideTheTransaction() async throws {
        try await withPool("tx_settings", size: 1) { pool in
            let options = TransactionOptions(
                isolation: .repeatableRead, readOnly: true, statementTimeout: .milliseconds(1500), lockTimeout: .milliseconds(300),
                settings: [("application_name", "inside")])
            let inside = try await pool.withTransaction(options) { connection in
                let row = try connection.query(
                    "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), current_setting('transaction_isolation'), current_setting('transaction_read_only'), current_setting('application_name')")[0]
                return try (0..<5).map { try row.decode(String.self, at: $0) }
            }
            #expect(inside == ["1500ms", "300ms", "repeatable read", "on", "inside"])
            let outside = try await pool.withConnection { try $0.query("SELECT current_setting('statement_timeout')")[0][0, as: String.self] }
            #expect(outside == "0")
        }
    }

    @Test func statementTimeoutCancelsASlowStatement() async throws {
        try await withPool("tx_timeout", size: 1) { pool in
            do {
                try await pool.withTransaction(TransactionOptions(statementTimeout: .milliseconds(50))) { connection in
                    try connection.executeScript("SELECT pg_sleep(2)")
                }
                Issue.record("slow statement was not cancelled")
            } catch let error as PostgresError {
                #expect(error.kind == .queryCanceled)
            }
            // The connection is usable afterwards.
            #expect(try await pool.withConnection { try $0.query("SELECT 1")[0][0, as: Int32.self] } == 1)
        }
    }

    @Test func swallowingAnErrorInsideTheBodyDoesNotReportACommit() async throws {
        try await withPool("tx_aborted", size: 1) { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    _ = try? connection.query("SELECT 1/0")
                }
            }
            // in_failed_sql_transaction: the body left the transaction aborted, so nothing was committed.
            #expect(error?.sqlState == "25P02")
            #expect(pool.metrics.snapshot().transactionsCommitted == 0)
        }
    }
}
