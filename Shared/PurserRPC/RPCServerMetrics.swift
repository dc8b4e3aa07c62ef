import CLinux
import PurserMetrics

/// The series of one method of an `RPCServer`: calls answered by status code
/// and their latency. Built once when the server starts, so recording a call
/// is an array index and three atomic adds.
final class RPCMethodSeries: Sendable {
    /// Indexed by `StatusCode.rawValue`.
    private let codes: [Counter]
    private let duration: Histogram

    init(method: String, calls: CounterFamily, duration: HistogramFamily) {
        // `ok` is shown from the start; the other codes once they happen.
        codes = StatusCode.allCases.map { code in
            calls.series(labels: [method, code.metricLabel], showWhenZero: code == .ok)
        }
        self.duration = duration.series(method)
    }

    /// Counts a call answered with `status` that began at monotonic `started` (nanoseconds).
    func record(_ status: StatusCode, started: UInt64) {
        codes[Int(status.rawValue)].increment()
        duration.observe(Int(truncatingIfNeeded: purser_monotonic_ns() &- started))
    }
}

/// What an `RPCServer` exports to a `MetricsRegistry`: calls by method and
/// code, latency by method, open and accepted connections, and the lag of
/// its event loops. A call counts once, when it is answered, its deadline
/// passes or the client cancels it; a call of an unknown method (refused
/// UNIMPLEMENTED before any handler) or one cut off by its connection
/// closing is not counted.
enum RPCServerMetrics {
    /// One series per method in `methods`, and the connection series read from `shared`.
    static func register(in registry: MetricsRegistry, methods: [String], shared: ServerShared) -> [String: RPCMethodSeries] {
        let calls = registry.counter(
            "purser_rpc_server_calls_total", help: "RPC calls answered, by method and status code (ok, invalid_argument, …).",
            labels: ["method", "code"])
        let duration = registry.histogram(
            "purser_rpc_server_duration_seconds", help: "Time from a request's arrival to its response, by method.",
            labels: ["method"], buckets: HistogramFamily.latencySeconds, ticksPerUnit: 1_000_000_000)
        registry.collect("purser_rpc_server_connections", help: "RPC connections open, handshaking ones included.", kind: .gauge) {
            [MetricSample([], Double(shared.openConnections.load(ordering: .relaxed)))]
        }
        registry.collect("purser_rpc_server_connections_accepted_total", help: "RPC connections accepted.", kind: .counter) {
            [MetricSample([], Double(shared.acceptedConnections.load(ordering: .relaxed)))]
        }
        var series: [String: RPCMethodSeries] = [:]
        for method in methods {
            series[method] = RPCMethodSeries(method: method, calls: calls, duration: duration)
        }
        return series
    }
}

extension StatusCode {
    /// The code as a metric label: `ok`, `invalid_argument`, `deadline_exceeded`, …
    public var metricLabel: String { name.lowercased() }
}
