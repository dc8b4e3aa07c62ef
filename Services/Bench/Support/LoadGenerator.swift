import PurserKit

/// How a load generator paces its calls.
public enum LoadMode: Sendable, Equatable {
    /// `concurrency` workers, each starting its next call as soon as the last
    /// one ends: measures the throughput the system sustains.
    case closed(concurrency: Int)
    /// Calls start on a fixed schedule of `ratePerSecond` shared by
    /// `concurrency` workers, whatever the system does; each latency is taken
    /// from the scheduled start, so a stall is charged to every call it
    /// delayed (no coordinated omission).
    case open(ratePerSecond: Double, concurrency: Int)

    /// Number of workers issuing calls.
    public var concurrency: Int {
        switch self {
        case .closed(let concurrency), .open(_, let concurrency): max(1, concurrency)
        }
    }
}

/// What one load run measured: latencies of the calls started after the
/// warm-up, their outcomes and the measured interval.
public struct LoadResult: Sendable {
    /// Latency of every measured call, successful or not.
    public var latencies = LatencyHistogram()
    /// Measured calls that succeeded.
    public var successes = 0
    /// Measured calls that failed.
    public var errors = 0
    /// Length of the measured interval.
    public var measured: Duration = .zero

    /// An empty result.
    public init() {}

    /// Successful calls per second of the measured interval.
    public var successesPerSecond: Double {
        let seconds = measured.secondsValue
        return seconds > 0 ? Double(successes) / seconds : 0
    }

    /// Adds the calls of `other` (same interval, another worker).
    public mutating func merge(_ other: LoadResult) {
        latencies.merge(other.latencies)
        successes += other.successes
        errors += other.errors
    }
}

/// Drives an async operation under a closed- or open-loop load for a warm-up
/// and then a measured interval, recording each measured call's latency in a
/// per-worker `LatencyHistogram` (merged at the end, so workers never contend).
public struct LoadGenerator: Sendable {
    /// Pacing of the calls.
    public var mode: LoadMode
    /// Interval whose calls are measured.
    public var duration: Duration
    /// Interval before it whose calls are made but not measured.
    public var warmup: Duration

    /// A generator for `mode` measuring `duration` after `warmup`.
    public init(mode: LoadMode, duration: Duration, warmup: Duration = .seconds(1)) {
        self.mode = mode
        self.duration = duration
        self.warmup = warmup
    }

    /// Runs `operation(worker, call)` until the measured interval ends and
    /// returns what was measured. `operation` returns whether the call
    /// succeeded; `worker` is in `0..<mode.concurrency` and `call` counts that
    /// worker's calls from 0.
    public func run(_ operation: @escaping @Sendable (_ worker: Int, _ call: Int) async -> Bool) async -> LoadResult {
        let clock = ContinuousClock()
        let start = clock.now
        let measureFrom = start.advanced(by: warmup)
        let end = measureFrom.advanced(by: duration)
        let workers = mode.concurrency
        let interval: Duration? =
            if case .open(let rate, _) = mode, rate > 0 { .nanoseconds(Int64(1e9 / rate)) } else { nil }
        var total = await withTaskGroup(of: LoadResult.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var result = LoadResult()
                    var call = 0
                    while true {
                        var began = clock.now
                        if let interval {
                            let scheduled = start.advanced(by: interval * (call * workers + worker))
                            guard scheduled < end else { break }
                            if scheduled > began { try? await Task.sleep(until: scheduled, clock: clock) }
                            began = scheduled
                        } else if began >= end {
                            break
                        }
                        let succeeded = await operation(worker, call)
                        call += 1
                        guard began >= measureFrom else { continue }
                        result.latencies.record(clock.now - began)
                        if succeeded { result.successes += 1 } else { result.errors += 1 }
                    }
                    return result
                }
            }
            var merged = LoadResult()
            for await result in group { merged.merge(result) }
            return merged
        }
        total.measured = duration
        return total
    }
}
