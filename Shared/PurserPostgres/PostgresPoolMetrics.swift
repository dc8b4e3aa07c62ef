import PurserMetrics
import Synchronization

/// Counters a pool keeps for health pages, tests and benchmarks. Monotonic;
/// read them with `snapshot()`. The pool also exports them, with its
/// connections in use and its wait times, to a `MetricsRegistry`
/// (`register(in:size:queueDepth:)`).
public final class PostgresPoolMetrics: Sendable {
    let transactionAttempts = Atomic<Int>(0)
    let transactionRetries = Atomic<Int>(0)
    let transactionsCommitted = Atomic<Int>(0)
    let connectionsOpened = Atomic<Int>(0)
    let connectionsLost = Atomic<Int>(0)
    let connectFailures = Atomic<Int>(0)
    /// Workers running a job right now.
    let busyWorkers = Atomic<Int>(0)
    /// From a job's enqueueing to a worker starting it, in nanoseconds.
    let waitTime: Histogram

    init(registry: MetricsRegistry) {
        waitTime = registry.histogram(
            "purser_db_pool_wait_seconds", help: "Time a job waited for a PostgreSQL connection of the pool.",
            buckets: HistogramFamily.latencySeconds, ticksPerUnit: 1_000_000_000
        ).series()
    }

    /// Registers the pool's series in `registry`: connections by state
    /// (`in_use`, `idle`), the configured size, jobs waiting, and the
    /// transaction and connection counters.
    func register(in registry: MetricsRegistry, size: Int, queueDepth: @escaping @Sendable () -> Int) {
        registry.collect("purser_db_pool_size", help: "PostgreSQL connections the pool is configured with.", kind: .gauge) {
            [MetricSample([], Double(size))]
        }
        registry.collect(
            "purser_db_pool_connections", help: "PostgreSQL connections of the pool by state.", kind: .gauge, labels: ["state"]
        ) { [self] in
            let busy = min(size, busyWorkers.load(ordering: .relaxed))
            return [MetricSample(["idle"], Double(size - busy)), MetricSample(["in_use"], Double(busy))]
        }
        registry.collect("purser_db_pool_queue_depth", help: "Jobs waiting for a PostgreSQL connection.", kind: .gauge) {
            [MetricSample([], Double(queueDepth()))]
        }
        counter(registry, "purser_db_transaction_attempts_total", "Transaction bodies started, first tries and retries.") { $0.transactionAttempts }
        counter(registry, "purser_db_transaction_retries_total", "Transaction bodies re-run after a serialization failure, deadlock or lost connection.") { $0.transactionRetries }
        counter(registry, "purser_db_transactions_committed_total", "Transactions committed.") { $0.transactionsCommitted }
        counter(registry, "purser_db_connections_opened_total", "PostgreSQL connections established, reconnections included.") { $0.connectionsOpened }
        counter(registry, "purser_db_connections_lost_total", "PostgreSQL connections found broken and discarded.") { $0.connectionsLost }
        counter(registry, "purser_db_connect_failures_total", "Failed attempts to connect to PostgreSQL.") { $0.connectFailures }
    }

    private func counter(_ registry: MetricsRegistry, _ name: String, _ help: String, _ value: @escaping @Sendable (Snapshot) -> Int) {
        registry.collect(name, help: help, kind: .counter) { [self] in [MetricSample([], Double(value(snapshot())))] }
    }

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
