import PurserKit
import PurserMetrics
import PurserRPC

/// A plain-HTTP listener that answers `GET /metrics` (and `HEAD`) with a
/// registry in the Prometheus text format; any other path is 404 and any
/// other method 405. It runs on its own event loop and port, apart from
/// the service it describes, with tight limits (few connections per
/// address, short timeouts), so a slow or hostile scraper stalls only
/// itself. Metrics carry nothing secret; keep the port on an internal network.
///
/// A `Service`: `start` binds, `run()` serves until cancelled, then stops.
public struct MetricsListener: Service {
    /// The bound port.
    public let port: Int
    let server: HTTPServer

    /// Binds `host:port` (0 picks a free port) and serves `registry`.
    /// Throws the HTTP server's `bind_failed` when the address is taken.
    public static func start(host: String, port: Int, registry: MetricsRegistry, logger: Logger) throws -> MetricsListener {
        var router = HTTPRouter()
        router.add("GET", "/metrics", maximumBodySize: 0) { _ in
            HTTPResponse(status: .ok, headers: ["Content-Type": PrometheusText.contentType], body: HTTPResponseBody(string: registry.render()))
        }
        let limits = HTTPServerLimits(
            maximumHeadSize: 8 * 1024, headerReadTimeout: .seconds(5), idleTimeout: .seconds(10),
            maximumConnectionsPerAddress: 16, maximumBufferedBytes: 4 << 20)
        let configuration = HTTPServerConfiguration(
            host: host, port: port, tls: nil, allowPlaintextOnAnyAddress: true, eventLoops: 1, limits: limits)
        let server = HTTPServer(configuration: configuration, router: router, logger: logger.with(["component": "metrics"]))
        return MetricsListener(port: try server.start(), server: server)
    }

    public func run() async throws {
        await untilCancelled()
        await stop()
    }

    /// Closes the listener and its connections.
    public func stop() async {
        await server.shutdown(gracePeriod: .seconds(1))
    }
}
