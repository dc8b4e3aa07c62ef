import Glibc
import PurserKit

/// Exponential backoff with full jitter: after the n-th consecutive failure the
/// wait is uniform in `0...min(maximum, base·2ⁿ⁻¹)`. A pure value; callers sleep.
struct Backoff: Sendable {
    let base: Duration
    let maximum: Duration
    private(set) var failures = 0

    init(base: Duration, maximum: Duration) {
        self.base = base
        self.maximum = maximum
    }

    /// Records a failure and returns how long to wait before the next attempt.
    mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        failures += 1
        let ceiling = ceilingNanoseconds
        return .nanoseconds(Int64.random(in: 0...ceiling, using: &generator))
    }

    /// Records a failure and returns a jittered wait using the system generator.
    mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// Forgets past failures after a success.
    mutating func reset() { failures = 0 }

    /// Upper bound of the current wait, in nanoseconds.
    var ceilingNanoseconds: Int64 {
        let baseNanos = base.nanoseconds, maxNanos = maximum.nanoseconds
        let shift = min(max(failures - 1, 0), 30)
        let (scaled, overflow) = baseNanos.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? maxNanos : min(scaled, maxNanos)
    }
}

/// Blocks the calling (worker) thread for `duration`.
func sleepThread(_ duration: Duration) {
    let nanos = duration.nanoseconds
    guard nanos > 0 else { return }
    var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 { request = remaining }
}
