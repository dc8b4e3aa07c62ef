import Foundation
import PurserKit

/// When each pool worker may next try to connect, kept for the whole pool so
/// the workers share what they learn about the server: one worker's successful
/// connect clears every worker's backoff and wakes those sleeping through one,
/// so when PostgreSQL returns no job fails on a worker still waiting out a
/// backoff it earned while the server was down.
///
/// `@unchecked Sendable`: `slots` is read and written only with `condition` locked.
final class ReconnectSchedule: @unchecked Sendable {
    /// What a worker does before it needs a connection.
    enum Turn: Equatable {
        /// Try to connect now.
        case attempt
        /// The server is taken to be down: fail the job at once; the next attempt is this far off.
        case failFast(Duration)
    }

    private struct Slot {
        var backoff: Backoff
        var nextAttempt: ContinuousClock.Instant
    }

    private let condition = NSCondition()
    private var slots: [Slot]

    /// One backoff per worker, each from `base` doubling up to `maximum` (full jitter).
    init(workers: Int, base: Duration, maximum: Duration) {
        slots = Array(repeating: Slot(backoff: Backoff(base: base, maximum: maximum), nextAttempt: .now), count: workers)
    }

    /// Whether `worker` may try to connect. Returns `.attempt` at once when its
    /// backoff has passed or was cleared. After fewer than `failFastAfter`
    /// consecutive failures (a blip) it sleeps the backoff out, waking early when
    /// another worker connects; after more it returns `.failFast`.
    func turn(worker: Int, failFastAfter: Int) -> Turn {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let wait = ContinuousClock.now.duration(to: slots[worker].nextAttempt)
            guard wait > .zero else { return .attempt }
            guard slots[worker].backoff.failures < failFastAfter else { return .failFast(wait) }
            _ = condition.wait(until: Date(timeIntervalSinceNow: wait.secondsValue))
        }
    }

    /// Records a failed connect of `worker`; returns how long until its next attempt.
    @discardableResult
    func failed(worker: Int) -> Duration {
        condition.lock()
        defer { condition.unlock() }
        let wait = slots[worker].backoff.next()
        slots[worker].nextAttempt = ContinuousClock.now.advanced(by: wait)
        return wait
    }

    /// A worker connected: the server is reachable, so every worker's backoff is
    /// cleared and every worker sleeping through one is woken.
    func connected() {
        condition.lock()
        defer { condition.unlock() }
        let now = ContinuousClock.now
        for index in slots.indices {
            slots[index].backoff.reset()
            slots[index].nextAttempt = now
        }
        condition.broadcast()
    }

    /// Each worker's consecutive failed connects since the pool last connected.
    var consecutiveFailures: [Int] {
        condition.lock()
        defer { condition.unlock() }
        return slots.map(\.backoff.failures)
    }
}
