import Dispatch
import Foundation
import PurserKit
import PurserMetrics
import Synchronization

/// A fixed set of PostgreSQL connections, each owned by its own OS thread.
///
/// Async callers enqueue work and suspend on a continuation; jobs run in FIFO
/// order on whichever connection frees up first. No libpq call ever runs on
/// the Swift cooperative pool. Broken connections are discarded and reopened
/// with jittered backoff; callers see a retryable `.connectionLost` or
/// `.unavailable`, never a hang or a crash. The workers share their backoffs
/// (`ReconnectSchedule`): once any of them connects, all may connect at once.
public final class PostgresPool: Sendable {
    /// Counters for retries, commits and connections.
    public let metrics: PostgresPoolMetrics
    /// What the pool was created with.
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let queue = JobQueue()
    private let workersDone = DispatchGroup()
    private let listeners = Mutex<[PostgresListenerState]>([])
    private let closed = Atomic<Bool>(false)
    /// Every worker's reconnect backoff; one successful connect clears them all.
    private let schedule: ReconnectSchedule

    /// Starts `configuration.size` worker threads; connections open lazily on
    /// first use. The pool's series (`purser_db_…`) go to `registry`.
    public init(configuration: PostgresConfiguration, logger: Logger, registry: MetricsRegistry = MetricsRegistry()) {
        self.configuration = configuration
        self.logger = logger
        let metrics = PostgresPoolMetrics(registry: registry)
        self.metrics = metrics
        let schedule = ReconnectSchedule(
            workers: configuration.size, base: .milliseconds(50), maximum: configuration.maximumReconnectBackoff)
        self.schedule = schedule
        let queue = self.queue
        metrics.register(in: registry, size: configuration.size) { queue.depth }
        for id in 0..<configuration.size {
            let worker = ConnectionWorker(id: id, configuration: configuration, metrics: metrics, schedule: schedule, logger: logger)
            let queue = self.queue
            let done = workersDone
            done.enter()
            Thread {
                // Named for `top -H` and debuggers, and so tests can see where bodies run.
                setCurrentThreadName("postgres-\(id)")
                worker.runLoop(queue: queue)
                done.leave()
            }.start()
        }
    }

    deinit { shutDown() }

    /// Runs `body` synchronously on a connection's own thread and returns its
    /// result. Many statements in one body cost no thread hops. If the task is
    /// cancelled before a connection is free, the job is dropped and this
    /// throws `CancellationError`. A transaction the body leaves open is rolled back.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await submit { worker in
            try body(try worker.liveConnection())
        }
    }

    /// Enqueues `work` for a worker thread and suspends until it finishes, the
    /// task is cancelled while it waits, or `timeout` passes (then `.timedOut`
    /// is thrown at once; work already running finishes on its thread).
    func submit<T: Sendable>(
        timeout: Duration? = nil, _ work: @escaping @Sendable (ConnectionWorker) throws -> T
    ) async throws -> T {
        let box = Mutex<PoolJob?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let once = ResumeOnce(continuation)
                let job = PoolJob(
                    work: { worker in once.resume(with: Result { try work(worker) }) },
                    abandon: { error in once.resume(with: .failure(error)) })
                box.withLock { $0 = job }
                if Task.isCancelled { job.cancel(CancellationError()) }
                queue.enqueue(job)
                if let timeout {
                    Task {
                        try? await Task.sleep(for: timeout)
                        let error = PostgresError(.timedOut, "no answer from PostgreSQL within \(timeout)")
                        job.cancel(error)
                        once.resume(with: .failure(error))
                    }
                }
            }
        } onCancel: {
            box.withLock { $0 }?.cancel(CancellationError())
        }
    }

    /// `true` when a `SELECT 1` answers within `timeout` (queueing included).
    public func isHealthy(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            try await ping(timeout: timeout)
            return true
        } catch {
            return false
        }
    }

    /// Runs `SELECT 1`; throws `.timedOut` when no answer arrives within `timeout`,
    /// or the connection error when the server cannot be reached.
    public func ping(timeout: Duration = .seconds(2)) async throws {
        _ = try await submit(timeout: timeout) { worker in
            try worker.liveConnection().query("SELECT 1").rowCount
        }
    }

    /// Each worker's consecutive failed connection attempts since the pool
    /// last connected (any worker's connect clears them all), in worker order.
    package var reconnectFailures: [Int] { schedule.consecutiveFailures }

    /// Jobs waiting for a connection.
    public var queueDepth: Int { queue.depth }

    /// Stops the pool: queued jobs fail with `.poolClosed`, running jobs finish,
    /// listeners end, and this returns once every connection is closed.
    public func close() async {
        shutDown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            workersDone.notify(queue: .global()) { continuation.resume() }
        }
    }

    private func shutDown() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.close(workers: configuration.size)
        for listener in listeners.withLock({ $0 }) { listener.stop() }
    }

    func register(_ listener: PostgresListenerState) {
        listeners.withLock { $0.append(listener) }
        if closed.load(ordering: .acquiring) { listener.stop() }
    }
}
