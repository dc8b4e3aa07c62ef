import Synchronization

/// A monotonic count (a series of a `CounterFamily`). Lock-free; wraps only
/// past `Int.max`, which no process reaches.
public final class Counter: Sendable {
    let value = Atomic<Int>(0)
    /// Rendered while still 0 (else only once counted).
    let showWhenZero: Bool

    init(showWhenZero: Bool = true) {
        self.showWhenZero = showWhenZero
    }

    /// Adds `amount` (≥ 0).
    @inlinable public func increment(by amount: Int = 1) {
        add(amount)
    }

    @usableFromInline func add(_ amount: Int) {
        value.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current count.
    public var count: Int { value.load(ordering: .relaxed) }
}

/// A value that goes up and down (a series of a `GaugeFamily`). Lock-free.
public final class Gauge: Sendable {
    let value = Atomic<Int>(0)

    init() {}

    /// Sets the value.
    public func set(_ newValue: Int) { value.store(newValue, ordering: .relaxed) }

    /// Adds `amount` (negative to subtract).
    public func add(_ amount: Int) { value.wrappingAdd(amount, ordering: .relaxed) }

    /// The current value.
    public var current: Int { value.load(ordering: .relaxed) }
}

/// Counts observations into fixed buckets (a series of a `HistogramFamily`).
/// Observing costs a scan of the bounds and two atomic adds; no lock and no
/// allocation.
public final class Histogram: Sendable {
    /// Upper bounds in ticks, ascending; the last bucket (`+Inf`) has none.
    let bounds: [Int]
    /// Observations per bucket, not cumulative: `cells[i]` counts values in
    /// `(bounds[i-1], bounds[i]]`, the last one those above every bound.
    let cells: [Counter]
    let sum = Atomic<Int>(0)

    init(bounds: [Int]) {
        self.bounds = bounds
        self.cells = (0...bounds.count).map { _ in Counter() }
    }

    /// Records one observation of `ticks` (the family's unit fraction, e.g. nanoseconds).
    public func observe(_ ticks: Int) {
        var index = 0
        while index < bounds.count && ticks > bounds[index] { index += 1 }
        cells[index].add(1)
        sum.wrappingAdd(ticks, ordering: .relaxed)
    }

    /// Records `duration` in nanoseconds (for a family with `ticksPerUnit: 1_000_000_000`).
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000))
    }

    /// Observations so far.
    public var count: Int { cells.reduce(0) { $0 + $1.count } }

    /// The sum of the observations so far, in ticks.
    public var total: Int { sum.load(ordering: .relaxed) }
}
