/// Latency samples of one series of calls, with the percentiles the suites compare.
struct Latency: CustomStringConvertible {
    private(set) var samples: [Duration] = []

    mutating func record(_ duration: Duration) { samples.append(duration) }

    /// The `fraction` percentile (0...1) by nearest rank; zero without samples.
    func percentile(_ fraction: Double) -> Duration {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var description: String {
        "n=\(samples.count) p50=\(Self.format(percentile(0.5))) p99=\(Self.format(percentile(0.99))) max=\(Self.format(percentile(1)))"
    }

    static func format(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        return micros >= 10_000 ? "\(micros / 1000) ms" : "\(micros) µs"
    }
}
