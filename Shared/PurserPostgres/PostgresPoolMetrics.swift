import Synchronization

/// Counters a pool keeps for health pages, tests and benchmarks. Monotonic;
/// read them with `snapshot()`.
public final class PostgresPoolMetrics: Sendable {
    let transactionAttempts = Atomic<Int>(0)
    let transactionRetries = Atomic<Int>(0)
    let transactionsCommitted = Atomic<Int>(0)
    let connectionsOpened = Atomic<Int>(0)
    let connectionsLost = Atomic<Int>(0)
    let connectFailures = Atomic<Int>(0)

    init() {}

    /// A consistent-enough copy of every counter.
    public struct Snapshot: Sendable, Equatable {
        /// Transaction bodies started (first tries and retries).
        public var transactionAttempts: Int
        /// Bodies re-run after a serialization failure, deadlock or lost connection.
        public var transactionRetries: Int
        /// Transactions that committed.
        public var transactionsCommitted: Int
        /// Connections established (including reconnections).
        public var connectionsOpened: Int
        /// Connections found broken and discarded.
        public var connectionsLost: Int
        /// Failed attempts to connect.
        public var connectFailures: Int
    }

    /// The current value of every counter.
    public func snapshot() -> Snapshot {
        Snapshot(
            transactionAttempts: transactionAttempts.load(ordering: .relaxed),
            transactionRetries: transactionRetries.load(ordering: .relaxed),
            transactionsCommitted: transactionsCommitted.load(ordering: .relaxed),
            connectionsOpened: connectionsOpened.load(ordering: .relaxed),
            connectionsLost: connectionsLost.load(ordering: .relaxed),
            connectFailures: connectFailures.load(ordering: .relaxed))
    }
}
