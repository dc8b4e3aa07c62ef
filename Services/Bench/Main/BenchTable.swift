import Foundation
import PurserBench

/// Rows of the Markdown table the benchmark prints.
struct BenchTable {
    private(set) var lines = [
        "| measurement | ops/s | p50 ms | p90 ms | p99 ms | max ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]

    /// A row for a load run.
    mutating func add(_ name: String, _ result: LoadResult) {
        let h = result.latencies
        lines.append(
            "| \(name) | \(String(format: "%.0f", result.successesPerSecond)) | \(ms(h.valueAt(fraction: 0.5))) | "
                + "\(ms(h.valueAt(fraction: 0.9))) | \(ms(h.valueAt(fraction: 0.99))) | \(ms(h.maximumNanoseconds)) | \(result.errors) |")
    }

    /// A row of latencies measured one call at a time (no rate: the calls never overlap).
    mutating func add(_ name: String, sequential h: LatencyHistogram) {
        lines.append(
            "| \(name) | | \(ms(h.valueAt(fraction: 0.5))) | \(ms(h.valueAt(fraction: 0.9))) | "
                + "\(ms(h.valueAt(fraction: 0.99))) | \(ms(h.maximumNanoseconds)) | 0 |")
    }

    /// A row with a single figure in the ops/s column.
    mutating func add(_ name: String, figure: String) {
        lines.append("| \(name) | \(figure) | | | | | |")
    }

    private func ms(_ nanoseconds: UInt64) -> String {
        String(format: "%.2f", Double(nanoseconds) / 1e6)
    }
}

/// Lines comparing a measured figure with its reference and target.
struct RatioTable {
    private(set) var lines = [
        "| ratio | value | target | verdict |",
        "|---|---|---|---|",
    ]

    /// A row `name` = `value` / `reference`, met when ≥ `target`.
    mutating func add(_ name: String, value: Double, reference: Double?, target: Double) {
        guard let reference, reference > 0 else {
            lines.append("| \(name) | no reference | ≥ \(target) | — |")
            return
        }
        let ratio = value / reference
        let verdict = ratio >= target ? "met" : String(format: "missed by %.0f %%", (1 - ratio / target) * 100)
        lines.append("| \(name) | \(String(format: "%.2f", ratio)) | ≥ \(target) | \(verdict) |")
    }

    /// A row stating a check and whether it held.
    mutating func add(_ name: String, value: String, target: String, met: Bool) {
        lines.append("| \(name) | \(value) | \(target) | \(met ? "met" : "missed") |")
    }
}
