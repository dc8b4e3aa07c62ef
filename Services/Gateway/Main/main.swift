import Foundation
import PurserGateway
import PurserHTTP
import PurserKit
import PurserMetrics
import PurserRPC

// purser-gateway: reads PURSER_GATEWAY_* (see the README) and serves the JSON API over HTTPS until SIGTERM.
//   --health-check   exit 0 when the running gateway answers GET /healthz with 200, 1 otherwise
//   --help-config    print every setting with its default

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help-config") {
    let documenting = Configuration.documenting(service: "gateway")
    _ = try? GatewaySettings(configuration: documenting)
    print(documenting.helpText(), terminator: "")
    exit(0)
}
let settings: GatewaySettings
do {
    settings = try GatewaySettings(configuration: Configuration(service: "gateway"))
} catch {
    FileHandle.standardError.write(Data("purser-gateway: \(error)\n".utf8))
    exit(2)
}
let logger = Logger(label: "purser-gateway", level: settings.logLevel)
if arguments.contains("--health-check") {
    exit(await GatewayHealthProbe.check(settings) ? 0 : 1)
}
do {
    let upstream = try RPCUpstream(
        endpoints: settings.endpoints, tls: .client(trustRootsPath: settings.tlsCAPath), timeout: settings.callTimeout, logger: logger)
    let metrics = MetricsRegistry()
    ProcessMetrics.register(in: metrics)
    let gateway = GatewayServer(settings: settings, mapping: JSONMapping(schema: try ProtoSchema.embedded()), upstream: upstream,
                                logger: logger, metrics: metrics)
    var services: [ServiceGroup.Entry] = []
    if let listen = settings.metricsListen {
        let listener = try MetricsListener.start(host: listen.host, port: listen.port, registry: metrics, logger: logger)
        logger.info("metrics serving", ["listen": "\(listen.host):\(listener.port)"])
        services.append(.init("metrics", listener))
    }
    _ = try gateway.start()
    try await ServiceGroup(services: services + [.init("gateway", gateway)], logger: logger).run()
} catch {
    logger.critical("purser-gateway stopped", ["error": "\(error)"])
    exit(1)
}
exit(0)
