import PurserHTTP
import PurserKit
import PurserRPC

/// The settings of `purser-gateway`, read from `PURSER_GATEWAY_*`.
package struct GatewaySettings: Sendable {
    /// The port the gateway serves HTTPS on unless configured otherwise.
    package static let defaultPort = 8443
    /// The deployment id unless configured otherwise.
    package static let defaultDeploymentID = "local"

    package var listen: Endpoint
    /// Where `GET /metrics` is served over plain HTTP; nil (the default) serves no metrics.
    package var metricsListen: Endpoint?
    /// PEM certificate and key the gateway presents; empty only with `plaintext`.
    package var tlsCertificatePath: String
    package var tlsPrivateKeyPath: String
    /// The deployment CA: verifies the services the gateway calls.
    package var tlsCAPath: String
    /// Serve plain HTTP (development only; refused unless `listen` is loopback).
    package var plaintext: Bool
    /// Accept TLS 1.2 clients as well as 1.3.
    package var allowTLS12: Bool
    /// Each service's `purser/1` endpoint.
    package var endpoints: [String: Endpoint]
    /// Largest JSON body accepted.
    package var maximumBodySize: Int
    /// Deadline of each call to a service.
    package var callTimeout: Duration
    package var headerReadTimeout: Duration
    package var idleTimeout: Duration
    /// Open connections one client address may hold.
    package var maximumConnectionsPerAddress: Int
    package var logLevel: Logger.Level
    /// Names this deployment's x402 network, `purser:<id>`.
    package var deploymentID: String

    /// Reads every setting from `configuration`; errors name the variable.
    package init(configuration: Configuration) throws {
        listen = try configuration.endpoint(
            "LISTEN", default: "0.0.0.0:\(Self.defaultPort)", ports: Endpoint.listenPorts, doc: "host:port to serve HTTPS on")
        metricsListen = try configuration.optionalListenEndpoint(
            "METRICS_LISTEN", doc: "host:port to serve GET /metrics on (plain HTTP, Prometheus text format); unset: no metrics")
        plaintext = try configuration.bool(
            "PLAINTEXT", default: false, doc: "serve plain HTTP (development only: refused unless LISTEN is a loopback address)")
        tlsCertificatePath = try configuration.string("TLS_CERT", default: "", doc: "PEM certificate the gateway presents")
        tlsPrivateKeyPath = try configuration.string("TLS_KEY", default: "", doc: "PEM private key of TLS_CERT")
        tlsCAPath = try configuration.path("TLS_CA", doc: "PEM deployment CA: verifies the services the gateway calls")
        allowTLS12 = try configuration.bool("ALLOW_TLS12", default: false, doc: "accept TLS 1.2 clients as well as TLS 1.3")
        var endpoints: [String: Endpoint] = [:]
        for service in ServiceName.allCases {
            endpoints[service.rawValue] = try configuration.endpoint(
                "\(service.rawValue.uppercased())_ENDPOINT", default: service.defaultEndpoint.description,
                doc: "host:port of \(service.rawValue)")
        }
        self.endpoints = endpoints
        maximumBodySize = try configuration.int(
            "MAX_BODY_BYTES", default: 65_536, in: 1_024...16_777_216, doc: "largest JSON request body accepted")
        callTimeout = try configuration.duration("CALL_TIMEOUT", default: "30s", doc: "deadline of each call to a service")
        headerReadTimeout = try configuration.duration(
            "HEADER_TIMEOUT", default: "10s", doc: "time a client has to send a request's head")
        idleTimeout = try configuration.duration("IDLE_TIMEOUT", default: "60s", doc: "an idle keep-alive connection is closed after this")
        maximumConnectionsPerAddress = try configuration.int(
            "MAX_CONNECTIONS_PER_ADDRESS", default: 1_000, in: 1...100_000, doc: "open connections one client address may hold")
        deploymentID = try configuration.string(
            "DEPLOYMENT_ID", default: Self.defaultDeploymentID, doc: "this deployment's id: the x402 network is purser:<id>")
        guard !deploymentID.isEmpty, deploymentID.utf8.count <= 32,
              deploymentID.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 })
        else {
            throw ConfigurationError.invalid(
                variable: configuration.variable("DEPLOYMENT_ID"), value: deploymentID, expected: "1 to 32 of [a-z0-9-]")
        }
        let levelText = try configuration.string(
            "LOG_LEVEL", default: "info", doc: "trace, debug, info, notice, warning, error or critical")
        guard let level = Logger.Level(name: levelText) else {
            throw ConfigurationError.invalid(
                variable: configuration.variable("LOG_LEVEL"), value: levelText,
                expected: "one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = level
        if plaintext {
            guard HTTPServerConfiguration.isLoopback(listen.host) else {
                throw ConfigurationError.invalid(
                    variable: configuration.variable("PLAINTEXT"), value: "true",
                    expected: "false unless LISTEN is a loopback address (\(listen) is not)")
            }
        } else if tlsCertificatePath.isEmpty || tlsPrivateKeyPath.isEmpty {
            throw ConfigurationError.invalid(
                variable: configuration.variable(tlsCertificatePath.isEmpty ? "TLS_CERT" : "TLS_KEY"), value: "",
                expected: "a PEM file (the gateway serves HTTPS unless PLAINTEXT is set on a loopback LISTEN)")
        }
    }

}
