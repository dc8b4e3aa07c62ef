import CLinux
import PurserMetrics

/// Measures how late an event loop runs its timers: every `interval` a timer
/// is due, and how long after that it actually fires is observed in
/// `purser_event_loop_lag_seconds{loop=…}`. A loop stalled by long work shows
/// up as a large lag. The timer lives on the loop and ends with it.
public enum EventLoopLagProbe {
    /// Lag bounds in seconds, 0.1 ms to 1 s.
    static let buckets: [Double] = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
    static let interval: UInt64 = 250_000_000

    /// Starts probing each of `loops` (already started), recording into `registry`.
    public static func start(on loops: [EventLoop], registry: MetricsRegistry) {
        let family = registry.histogram(
            "purser_event_loop_lag_seconds", help: "How late an event loop fires a timer that is due every 250 ms, by loop.",
            labels: ["loop"], buckets: buckets, ticksPerUnit: 1_000_000_000)
        for loop in loops {
            let series = family.series(loop.name)
            loop.execute { tick(loop, series, due: purser_monotonic_ns() &+ interval) }
        }
    }

    private static func tick(_ loop: EventLoop, _ series: Histogram, due: UInt64) {
        _ = loop.schedule(afterNanoseconds: interval) {
            let now = purser_monotonic_ns()
            series.observe(now > due ? Int(now - due) : 0)
            tick(loop, series, due: now &+ interval)
        }
    }
}
