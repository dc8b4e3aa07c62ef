import PurserHTTP
import PurserKit
import PurserMetrics
import PurserRPC

/// `purser-gateway`'s HTTPS server: every route of `GatewayRoutes`, plus
/// `/healthz`, `/v1/openapi.json`, `/.well-known/jwks.json` and the
/// dashboard (`/`, its assets, `/v1/dashboard/session`), served by one
/// `GatewayHandler` on the `PurserHTTP` server. A `Service`: runs until
/// cancelled, then drains (connections in progress finish) and stops.
/// With a `MetricsRegistry`, every route counts its requests by status and
/// their latency, and the server its connections and event-loop lag.
package final class GatewayServer: Service {
    package let settings: GatewaySettings
    private let server: HTTPServer
    private let upstream: RPCUpstream
    private let logger: Logger

    /// A server for `settings` whose calls go to `upstream`; its series go to `metrics`.
    package init(
        settings: GatewaySettings, mapping: JSONMapping, upstream: RPCUpstream, logger: Logger, metrics: MetricsRegistry? = nil
    ) {
        self.settings = settings
        self.upstream = upstream
        self.logger = logger
        let handler = GatewayHandler(mapping: mapping, upstream: upstream, deploymentID: settings.deploymentID)
        let limit = settings.maximumBodySize
        let serve: HTTPRouter.Handler = { request in
            let body = try await request.body.collect(upTo: limit)
            let answer = await handler.handle(GatewayRequest(
                verb: request.method, target: request.target,
                headers: request.headers.map { (name: $0.name, value: $0.value) }, body: body))
            return HTTPResponse(
                status: HTTPStatus(code: answer.status), headers: HTTPHeaders(answer.headers.map { ($0.name, $0.value) }),
                body: HTTPResponseBody(bytes: answer.body))
        }
        let routeMetrics = metrics.map(GatewayRouteMetrics.init(registry:))
        var router = HTTPRouter()
        func add(_ verb: String, _ path: String, maximumBodySize: Int64, _ handler: @escaping HTTPRouter.Handler) {
            router.add(verb, path, maximumBodySize: maximumBodySize, routeMetrics?.measuring(verb, path, handler) ?? handler)
        }
        for path in ["/healthz", "/v1/openapi.json", "/.well-known/jwks.json", "/x402/supported"] {
            add("GET", path, maximumBodySize: 0, serve)
        }
        for path in ["/x402/verify", "/x402/settle"] { add("POST", path, maximumBodySize: Int64(limit), serve) }
        for asset in DashboardAssets.all { add("GET", asset.path, maximumBodySize: 0, serve) }
        add("GET", GatewayHandler.dashboardSessionPath, maximumBodySize: 0, serve)
        add("POST", GatewayHandler.dashboardSessionPath, maximumBodySize: 4096, serve)
        add("DELETE", GatewayHandler.dashboardSessionPath, maximumBodySize: 0, serve)
        for route in GatewayRoutes.all {
            add(route.verb.rawValue, route.path, maximumBodySize: route.verb.readsQuery ? 0 : Int64(limit), serve)
        }
        let tls = settings.plaintext
            ? nil : TLSConfiguration.server(certificatePath: settings.tlsCertificatePath, privateKeyPath: settings.tlsPrivateKeyPath)
        server = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: settings.listen.host, port: settings.listen.port, tls: tls, allowPlaintextOnLoopback: settings.plaintext,
                allowTLS12: settings.allowTLS12,
                limits: HTTPServerLimits(
                    headerReadTimeout: settings.headerReadTimeout, idleTimeout: settings.idleTimeout,
                    maximumConnectionsPerAddress: settings.maximumConnectionsPerAddress)),
            router: router, logger: logger, metrics: metrics)
    }

    /// Binds and starts serving; returns the bound port.
    package func start() throws -> Int {
        let port = try server.start()
        logger.info("purser-gateway serving", ["listen": "\(settings.listen.host):\(port)", "tls": settings.plaintext ? "off" : "on"])
        return port
    }

    /// Open client connections.
    package var openConnectionCount: Int { server.openConnectionCount }

    /// Drains and stops the server, then closes the service clients.
    package func shutdown() async {
        await server.shutdown(gracePeriod: .seconds(5))
        upstream.close()
    }

    package func run() async throws {
        await untilCancelled()
        await shutdown()
    }
}
