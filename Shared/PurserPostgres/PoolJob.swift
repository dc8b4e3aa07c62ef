import Dispatch
import Synchronization

/// Work waiting for a pool connection. Exactly one of `work` (run on a worker
/// thread) or `abandon` (cancellation, timeout, pool closed) ever runs: both
/// must first win `claim()`.
final class PoolJob: Sendable {
    private let claimed = Atomic<Bool>(false)
    let work: @Sendable (ConnectionWorker) -> Void
    let abandon: @Sendable (any Error) -> Void
    /// When the job was queued, for the pool's wait-time histogram.
    let enqueued = ContinuousClock.now

    init(work: @escaping @Sendable (ConnectionWorker) -> Void, abandon: @escaping @Sendable (any Error) -> Void) {
        self.work = work
        self.abandon = abandon
    }

    /// `true` for the first caller only.
    func claim() -> Bool {
        claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Abandons the job with `error` unless it already started.
    func cancel(_ error: any Error) {
        if claim() { abandon(error) }
    }
}

/// FIFO queue of jobs shared by the workers. Workers block on a semaphore that
/// counts queued jobs (plus one wake-up per worker at close); producers never block.
final class JobQueue: Sendable {
    private struct State {
        var jobs: [PoolJob?] = []
        var head = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Appends a job; abandons it with `.poolClosed` when the pool is closed.
    func enqueue(_ job: PoolJob) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted {
            available.signal()
        } else {
            job.cancel(PostgresError(.poolClosed, "the pool is closed"))
        }
    }

    /// Blocks the worker thread until a job arrives; `nil` once closed and drained.
    func next() -> PoolJob? {
        while true {
            available.wait()
            let job = state.withLock { state -> PoolJob?? in
                if state.head < state.jobs.count {
                    let job = state.jobs[state.head]
                    state.jobs[state.head] = nil
                    state.head += 1
                    if state.head > 1024, state.head * 2 > state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(job)
                }
                return state.closed ? .some(nil) : .none
            }
            switch job {
            case .some(let found): return found
            case .none: continue
            }
        }
    }

    /// Number of jobs waiting (including cancelled ones not yet skipped).
    var depth: Int { state.withLock { $0.jobs.count - $0.head } }

    /// Refuses new jobs, abandons the queued ones and wakes `workers` threads so they exit.
    func close(workers: Int) {
        let pending = state.withLock { state -> [PoolJob] in
            guard !state.closed else { return [] }
            state.closed = true
            let pending = state.jobs[state.head...].compactMap { $0 }
            state.jobs.removeAll()
            state.head = 0
            return pending
        }
        for job in pending { job.cancel(PostgresError(.poolClosed, "the pool is closed")) }
        for _ in 0..<workers { available.signal() }
    }
}

/// Resumes a continuation at most once, whoever comes first (the job or its timeout).
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { stored in
            let taken = stored
            stored = nil
            return taken
        }?.resume(with: result)
    }
}
