import Synchronization

/// The metrics of one process, rendered in the Prometheus text exposition
/// format 0.0.4 by `render()`.
///
/// Families are registered once (at start-up); each hands out its series,
/// which callers keep and update lock-free (`Counter`, `Gauge`, `Histogram`
/// are atomics). Looking a series up takes the family's lock, so callers do
/// it once per label set, never per observation. A `collect` family computes
/// its samples when scraped (values another component already keeps).
///
/// Registering a name again returns the family already registered when kind,
/// help and labels match (so a component started twice shares its series);
/// anything else is a programming error and traps.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[any MetricFamily]>([])

    public init() {}

    /// The counter family `name` (which must end in `_total`) with label names `labels`.
    public func counter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        register(CounterFamily(name: name, help: help, labelNames: labels))
    }

    /// The gauge family `name` with label names `labels`.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        register(GaugeFamily(name: name, help: help, labelNames: labels))
    }

    /// The histogram family `name`: `buckets` are the upper bounds in base
    /// units (seconds, bytes, items), ascending; observations are integers
    /// of `1 / ticksPerUnit` of the base unit (nanoseconds for seconds with
    /// `ticksPerUnit: 1_000_000_000`), so sums stay exact.
    public func histogram(
        _ name: String, help: String, labels: [String] = [], buckets: [Double], ticksPerUnit: Int = 1
    ) -> HistogramFamily {
        register(HistogramFamily(name: name, help: help, labelNames: labels, buckets: buckets, ticksPerUnit: ticksPerUnit))
    }

    /// A family whose samples `collect` returns at each scrape (`kind` is
    /// `.counter` or `.gauge`); registering the name again replaces `collect`.
    public func collect(
        _ name: String, help: String, kind: MetricKind, labels: [String] = [],
        _ collect: @escaping @Sendable () -> [MetricSample]
    ) {
        let family = CollectedFamily(name: name, help: help, kind: kind, labelNames: labels, collect: collect)
        families.withLock { families in
            if let index = families.firstIndex(where: { $0.name == name }) {
                precondition(families[index] is CollectedFamily, "metric \(name) registered twice with different kinds")
                families[index] = family
            } else {
                families.append(family)
            }
        }
    }

    /// Every family in the text exposition format 0.0.4, in registration order.
    public func render() -> String {
        var text = ""
        text.reserveCapacity(16 * 1024)
        for family in families.withLock({ $0 }) {
            family.render(into: &text)
        }
        return text
    }

    private func register<Family: MetricFamily>(_ family: Family) -> Family {
        MetricName.check(family.name, labels: family.labelNames)
        return families.withLock { families in
            if let existing = families.first(where: { $0.name == family.name }) {
                guard let same = existing as? Family, same.matches(family) else {
                    preconditionFailure("metric \(family.name) registered twice with different kinds, help or labels")
                }
                return same
            }
            families.append(family)
            return family
        }
    }
}

/// A Prometheus metric type.
public enum MetricKind: String, Sendable {
    case counter
    case gauge
    case histogram
}

/// One sample of a collected family: label values (in the family's label order) and the value.
public struct MetricSample: Sendable, Equatable {
    public var labels: [String]
    public var value: Double

    public init(_ labels: [String] = [], _ value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// What the registry keeps: a named family that renders itself.
protocol MetricFamily: AnyObject, Sendable {
    var name: String { get }
    var help: String { get }
    var labelNames: [String] { get }
    func render(into text: inout String)
}

extension MetricFamily {
    func matches(_ other: Self) -> Bool { help == other.help && labelNames == other.labelNames }
}

/// Valid metric and label names (`[a-zA-Z_:][a-zA-Z0-9_:]*`, labels without `:`
/// and not starting `__`); a bad name is a programming error.
enum MetricName {
    static func check(_ name: String, labels: [String]) {
        precondition(isValid(name, colon: true), "invalid metric name \(name)")
        for label in labels {
            precondition(isValid(label, colon: false) && !label.hasPrefix("__") && label != "le", "invalid label name \(label) of \(name)")
        }
    }

    static func isValid(_ name: String, colon: Bool) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5F
                || (colon && byte == 0x3A)
        }
    }
}
