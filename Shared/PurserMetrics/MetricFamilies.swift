import Synchronization

/// Series of one labelled family, created on first use and kept for the
/// life of the process. The lock guards only lookups and rendering.
final class SeriesTable<Series: AnyObject & Sendable>: Sendable {
    private let table = Mutex<[[String]: Series]>([:])
    let labelNames: [String]
    private let make: @Sendable (_ showWhenZero: Bool) -> Series

    init(labelNames: [String], make: @escaping @Sendable (_ showWhenZero: Bool) -> Series) {
        self.labelNames = labelNames
        self.make = make
        // A family without labels has its one series from the start, so it renders 0.
        if labelNames.isEmpty { table.withLock { $0[[]] = make(true) } }
    }

    /// The series of `values`, created on first use; a series created with
    /// `showWhenZero: false` is left out of scrapes until it counts something.
    func series(_ values: [String], showWhenZero: Bool = true) -> Series {
        precondition(values.count == labelNames.count, "expected \(labelNames.count) label values, got \(values.count)")
        return table.withLock { table in
            if let series = table[values] { return series }
            let series = make(showWhenZero)
            table[values] = series
            return series
        }
    }

    /// Every series, ordered by label values (so output is stable).
    func sorted() -> [(labels: [String], series: Series)] {
        table.withLock { $0.map { (labels: $0.key, series: $0.value) } }
            .sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }
}

/// A family of counters (`purser_…_total`).
public final class CounterFamily: MetricFamily {
    public let name: String
    public let help: String
    let table: SeriesTable<Counter>
    var labelNames: [String] { table.labelNames }

    init(name: String, help: String, labelNames: [String]) {
        precondition(name.hasSuffix("_total"), "counter \(name) must end in _total")
        self.name = name
        self.help = help
        self.table = SeriesTable(labelNames: labelNames, make: { Counter(showWhenZero: $0) })
    }

    /// The counter for `labels` (values in the family's label order); look it up once and keep it.
    public func series(_ labels: String...) -> Counter { table.series(labels) }

    /// The counter for `labels` (values in the family's label order); with
    /// `showWhenZero: false` it appears in scrapes only once it has counted.
    public func series(labels: [String], showWhenZero: Bool = true) -> Counter { table.series(labels, showWhenZero: showWhenZero) }

    func render(into text: inout String) {
        PrometheusText.header(name, help: help, kind: .counter, into: &text)
        for (labels, counter) in table.sorted() where counter.showWhenZero || counter.count > 0 {
            PrometheusText.sample(name, labelNames, labels, value: counter.count, into: &text)
        }
    }
}

/// A family of gauges.
public final class GaugeFamily: MetricFamily {
    public let name: String
    public let help: String
    let table: SeriesTable<Gauge>
    var labelNames: [String] { table.labelNames }

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.table = SeriesTable(labelNames: labelNames, make: { _ in Gauge() })
    }

    /// The gauge for `labels`; look it up once and keep it.
    public func series(_ labels: String...) -> Gauge { table.series(labels) }

    func render(into text: inout String) {
        PrometheusText.header(name, help: help, kind: .gauge, into: &text)
        for (labels, gauge) in table.sorted() {
            PrometheusText.sample(name, labelNames, labels, value: gauge.current, into: &text)
        }
    }
}

/// A family of histograms sharing one set of bucket bounds. A labelled
/// series appears in scrapes once it has an observation.
public final class HistogramFamily: MetricFamily {
    public let name: String
    public let help: String
    /// Upper bounds in base units, as registered.
    public let buckets: [Double]
    /// Ticks (observed integers) per base unit.
    public let ticksPerUnit: Int
    let table: SeriesTable<Histogram>
    var labelNames: [String] { table.labelNames }

    /// Latency bounds in seconds, 0.5 ms to 10 s.
    public static let latencySeconds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(name: String, help: String, labelNames: [String], buckets: [Double], ticksPerUnit: Int) {
        precondition(!buckets.isEmpty && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "buckets of \(name) must ascend")
        precondition(ticksPerUnit > 0)
        self.name = name
        self.help = help
        self.buckets = buckets
        self.ticksPerUnit = ticksPerUnit
        let bounds = buckets.map { Int(($0 * Double(ticksPerUnit)).rounded()) }
        self.table = SeriesTable(labelNames: labelNames, make: { _ in Histogram(bounds: bounds) })
    }

    /// The histogram for `labels`; look it up once and keep it.
    public func series(_ labels: String...) -> Histogram { table.series(labels) }

    func matches(_ other: HistogramFamily) -> Bool {
        help == other.help && labelNames == other.labelNames && buckets == other.buckets && ticksPerUnit == other.ticksPerUnit
    }

    func render(into text: inout String) {
        PrometheusText.header(name, help: help, kind: .histogram, into: &text)
        let bucketLabels = labelNames + ["le"]
        for (labels, histogram) in table.sorted() where labelNames.isEmpty || histogram.count > 0 {
            var cumulative = 0
            for (index, cell) in histogram.cells.enumerated() {
                cumulative += cell.count
                let bound = index < buckets.count ? PrometheusText.format(buckets[index]) : "+Inf"
                PrometheusText.sample(name + "_bucket", bucketLabels, labels + [bound], value: cumulative, into: &text)
            }
            let sum = Double(histogram.sum.load(ordering: .relaxed)) / Double(ticksPerUnit)
            PrometheusText.sample(name + "_sum", labelNames, labels, value: sum, into: &text)
            PrometheusText.sample(name + "_count", labelNames, labels, value: cumulative, into: &text)
        }
    }
}

/// A family computed at scrape time.
final class CollectedFamily: MetricFamily {
    let name: String
    let help: String
    let kind: MetricKind
    let labelNames: [String]
    let collect: @Sendable () -> [MetricSample]

    init(name: String, help: String, kind: MetricKind, labelNames: [String], collect: @escaping @Sendable () -> [MetricSample]) {
        precondition(kind != .histogram, "a collected family is a counter or a gauge")
        precondition(kind != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        MetricName.check(name, labels: labelNames)
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.collect = collect
    }

    func render(into text: inout String) {
        PrometheusText.header(name, help: help, kind: kind, into: &text)
        for sample in collect() where sample.labels.count == labelNames.count {
            PrometheusText.sample(name, labelNames, sample.labels, value: sample.value, into: &text)
        }
    }
}
