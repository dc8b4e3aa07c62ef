import PurserHTTP
import PurserMetrics
import Synchronization

/// The gateway's HTTP series: `purser_gateway_http_requests_total{method,
/// route, status}` and `purser_gateway_http_request_duration_seconds{method,
/// route}`, where `route` is the route's pattern (`/v1/agents/{agent}/balance`),
/// never the requested path, so label values stay bounded.
struct GatewayRouteMetrics: Sendable {
    let requests: CounterFamily
    let duration: HistogramFamily

    init(registry: MetricsRegistry) {
        requests = registry.counter(
            "purser_gateway_http_requests_total", help: "HTTP requests answered by the gateway, by method, route pattern and status.",
            labels: ["method", "route", "status"])
        duration = registry.histogram(
            "purser_gateway_http_request_duration_seconds",
            help: "Time from a request's head to its response, by method and route pattern.",
            labels: ["method", "route"], buckets: HistogramFamily.latencySeconds, ticksPerUnit: 1_000_000_000)
    }

    /// `handler` for `verb` on `pattern`, counting each answer and its latency.
    func measuring(_ verb: String, _ pattern: String, _ handler: @escaping HTTPRouter.Handler) -> HTTPRouter.Handler {
        let series = RouteSeries(verb: verb, pattern: pattern, metrics: self)
        return { request in
            let started = ContinuousClock.now
            do {
                let response = try await handler(request)
                series.record(status: response.status.code, since: started)
                return response
            } catch let error as HTTPError {
                series.record(status: error.status.code, since: started)
                throw error
            } catch {
                series.record(status: 500, since: started)
                throw error
            }
        }
    }
}

/// One route's series. The latency histogram is looked up once; counters by
/// status are kept per route (a lock held only by this route's requests for
/// a dictionary lookup), since the statuses a route answers are not known up front.
final class RouteSeries: Sendable {
    private let verb: String
    private let pattern: String
    private let family: CounterFamily
    private let duration: Histogram
    private let byStatus = Mutex<[Int: Counter]>([:])

    init(verb: String, pattern: String, metrics: GatewayRouteMetrics) {
        self.verb = verb
        self.pattern = pattern
        self.family = metrics.requests
        self.duration = metrics.duration.series(verb, pattern)
    }

    func record(status: Int, since started: ContinuousClock.Instant) {
        duration.observe(ContinuousClock.now - started)
        let counter = byStatus.withLock { table in
            if let counter = table[status] { return counter }
            let counter = family.series(labels: [verb, pattern, String(status)])
            table[status] = counter
            return counter
        }
        counter.increment()
    }
}
