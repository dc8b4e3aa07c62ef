import Foundation
import PurserKit
import PurserPostgres
import PurserRPC
import Synchronization

/// Counters of one `Ledger`, for benchmarks and diagnostics.
package final class LedgerMetrics: Sendable {
    let retryCounter = Atomic<Int>(0)

    init() {}

    /// Statements run again after a retryable failure (serialization failure,
    /// deadlock, lost connection) since the ledger was made.
    package var retries: Int { retryCounter.load(ordering: .relaxed) }
}

/// The Wallet's double-entry ledger in PostgreSQL: every money movement is one
/// call of a function in the `wallet` schema, run as a single autocommit
/// statement (one round trip, atomic), which takes its row locks in the fixed
/// order, checks the ledger's rules, writes the entries and stores the
/// outcome under the caller's idempotency key in the same transaction.
///
/// Because every mutating call is keyed, a statement whose outcome is unknown
/// (connection lost, serialization failure, deadlock) is simply run again: a
/// committed first run is then replayed from its idempotency record.
package struct Ledger: Sendable {
    /// The connections the ledger runs on.
    package let pool: PostgresPool
    /// Tries of one statement (the first included) when its failure is retryable.
    package let maximumAttempts: Int
    /// Counters of this ledger's statements.
    package let metrics = LedgerMetrics()
    /// Most one tenant may bring in over one UTC day by Fund and Refund.
    package let tenantDailyMaximumMicros: Int64

    /// 10^15 µ (a billion units) per tenant and UTC day: with the per-call
    /// maximum, a month of one tenant's captures stays far below `Int64.max`.
    package static let defaultTenantDailyMaximumMicros: Int64 = 1_000_000_000_000_000

    /// A ledger on `pool` (its `wallet` schema migrated), retrying a statement
    /// up to `maximumAttempts` times, letting each tenant move at most
    /// `tenantDailyMaximumMicros` a UTC day.
    package init(
        pool: PostgresPool, maximumAttempts: Int = 8, tenantDailyMaximumMicros: Int64 = Ledger.defaultTenantDailyMaximumMicros
    ) {
        self.pool = pool
        self.maximumAttempts = max(1, maximumAttempts)
        self.tenantDailyMaximumMicros = max(1, tenantDailyMaximumMicros)
    }

    /// Runs `body` on a pooled connection, again on retryable failures with
    /// jittered backoff, and maps what remains to `RPCError`.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws(RPCError) -> T {
        var attempt = 0
        var delay: UInt64 = 1_000_000
        while true {
            attempt += 1
            do {
                return try await pool.withConnection(body)
            } catch let error as RPCError {
                throw error
            } catch let error as PostgresError {
                if error.isRetryable && attempt < maximumAttempts {
                    metrics.retryCounter.add(1, ordering: .relaxed)
                    try? await Task.sleep(nanoseconds: UInt64.random(in: delay / 2...delay))
                    delay = min(delay * 2, 100_000_000)
                    continue
                }
                throw Ledger.walletError(error)
            } catch is CancellationError {
                throw RPCError(
                    .unavailable, "the call was cancelled before it reached the database", reason: "cancelled")
            } catch {
                throw RPCError(.internal, "\(error)", reason: "internal")
            }
        }
    }

    /// How a database failure reads to a caller. An unreachable database is
    /// UNAVAILABLE `database_unavailable`, the reason every service gives for it.
    static func walletError(_ error: PostgresError) -> RPCError {
        switch error.kind {
        case .connectionLost, .unavailable, .poolClosed, .timedOut:
            return RPCError(
                .unavailable, "the ledger database is unavailable: \(error.message)", reason: "database_unavailable")
        case .serializationFailure, .deadlock:
            return .unavailable("the ledger database is unavailable: \(error.message)")
        default:
            if error.sqlState == "22003" {
                return .invalid("amount_micros", "the amount would overflow a balance", reason: "amount_invalid")
            }
            return RPCError(.internal, "ledger database error: \(error.kind.reason)", reason: "internal")
        }
    }

    /// Runs a ledger function returning one `jsonb` outcome and decodes it.
    func outcome(_ sql: String, _ parameters: [(any PostgresEncodable)?]) async throws(RPCError) -> LedgerOutcome {
        let text = try await run { connection in
            let rows = try connection.query(sql, parameters)
            guard let row = rows.first else {
                throw PostgresError(.decoding, "the ledger function returned no row")
            }
            return try row.decode(String.self, at: 0)
        }
        return try LedgerOutcome.decode(text)
    }
}
