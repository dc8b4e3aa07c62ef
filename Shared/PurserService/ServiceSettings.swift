import PurserKit
import PurserRPC

/// The settings every Purser service reads, from `PURSER_<SERVICE>_<SETTING>`
/// (see the README): where it listens, its TLS files, its database, its log
/// level, where Identity is and how tokens are checked.
public struct ServiceSettings: Sendable {
    /// Lower-case service name: `identity`, `wallet`, `policy`, `settlement`, `email`.
    public var name: String
    public var listen: Endpoint
    /// Where `GET /metrics` is served over plain HTTP; nil (the default) serves no metrics.
    public var metricsListen: Endpoint?
    public var tlsCertificatePath: String
    public var tlsPrivateKeyPath: String
    /// The deployment CA: verifies client certificates and the peers this service calls.
    public var tlsCAPath: String
    public var databaseURL: String
    public var databasePoolSize: Int
    /// Bound on opening one PostgreSQL connection (whole seconds, at least 1).
    public var databaseConnectTimeout: Duration
    public var logLevel: Logger.Level
    /// Identity's endpoint for signing keys and revocations; `nil` for Identity itself.
    public var identityEndpoint: Endpoint?
    /// `iss` every token must carry.
    public var tokenIssuer: String
    /// The `aud` entry every token must carry.
    public var tokenAudience: String
    /// How often the revoked-subject set is refreshed from Identity.
    public var revocationPollInterval: Duration
    /// How often the verification keys are refreshed.
    public var signingKeyRefreshInterval: Duration
    /// Bound on the graceful drain after SIGTERM.
    public var drainTimeout: Duration
    /// Client-certificate names accepted as service principals.
    public var servicePeers: Set<String>

    /// Memberwise, for tests and embedders.
    public init(
        name: String, listen: Endpoint, tlsCertificatePath: String, tlsPrivateKeyPath: String, tlsCAPath: String,
        databaseURL: String, databasePoolSize: Int = 8, databaseConnectTimeout: Duration = .seconds(5), logLevel: Logger.Level = .info, identityEndpoint: Endpoint?,
        tokenIssuer: String = "purser-identity", tokenAudience: String = "purser",
        revocationPollInterval: Duration = .milliseconds(250), signingKeyRefreshInterval: Duration = .seconds(300),
        drainTimeout: Duration = .seconds(10), servicePeers: Set<String> = ServiceSettings.defaultServicePeers,
        metricsListen: Endpoint? = nil
    ) {
        self.name = name
        self.listen = listen
        self.metricsListen = metricsListen
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsPrivateKeyPath = tlsPrivateKeyPath
        self.tlsCAPath = tlsCAPath
        self.databaseURL = databaseURL
        self.databasePoolSize = databasePoolSize
        self.databaseConnectTimeout = databaseConnectTimeout
        self.logLevel = logLevel
        self.identityEndpoint = identityEndpoint
        self.tokenIssuer = tokenIssuer
        self.tokenAudience = tokenAudience
        self.revocationPollInterval = revocationPollInterval
        self.signingKeyRefreshInterval = signingKeyRefreshInterval
        self.drainTimeout = drainTimeout
        self.servicePeers = servicePeers
    }

    /// The five services' certificate names.
    public static let defaultServicePeers: Set<String> = Set(ServiceName.allCases.map(\.rawValue))

    /// Reads the common variables of service `name` from `configuration`
    /// (whose service must be `name`). Errors name the variable.
    public init(name: String, configuration: Configuration) throws {
        let name = name.lowercased()
        let port = ServiceName(rawValue: name)?.defaultPort ?? 7100
        let listen = try configuration.endpoint(
            "LISTEN", default: "0.0.0.0:\(port)", ports: Endpoint.listenPorts, doc: "host:port to serve RPC on")
        let metricsListen = try configuration.optionalListenEndpoint(
            "METRICS_LISTEN", doc: "host:port to serve GET /metrics on (plain HTTP, Prometheus text format); unset: no metrics")
        var identityEndpoint: Endpoint?
        if name != "identity" {
            identityEndpoint = try configuration.endpoint(
                "IDENTITY_ENDPOINT", default: ServiceName.identity.defaultEndpoint.description, doc: "host:port of Identity (signing keys, revocations)")
        }
        let levelText = try configuration.string("LOG_LEVEL", default: "info", doc: "trace, debug, info, notice, warning, error or critical")
        guard let level = Logger.Level(name: levelText) else {
            throw SettingError(variable: configuration.variable("LOG_LEVEL"), value: levelText, expected: "one of trace, debug, info, notice, warning, error, critical")
        }
        let peers = try configuration.list(
            "SERVICE_PEERS", default: ServiceSettings.defaultServicePeers.sorted(),
            doc: "client-certificate names accepted as service principals")
        self.init(
            name: name,
            listen: listen,
            tlsCertificatePath: try configuration.path("TLS_CERT", doc: "PEM certificate this service presents"),
            tlsPrivateKeyPath: try configuration.path("TLS_KEY", doc: "PEM private key of TLS_CERT"),
            tlsCAPath: try configuration.path("TLS_CA", doc: "PEM deployment CA: verifies client certificates and peers"),
            databaseURL: try configuration.string("DATABASE_URL", doc: "PostgreSQL connection URL"),
            databasePoolSize: try configuration.int("DB_POOL_SIZE", default: 8, in: 1...256, doc: "PostgreSQL connections in the pool"),
            databaseConnectTimeout: try configuration.duration(
                "DB_CONNECT_TIMEOUT", default: "5s", doc: "bound on opening one PostgreSQL connection"),
            logLevel: level,
            identityEndpoint: identityEndpoint,
            tokenIssuer: try configuration.string("TOKEN_ISSUER", default: "purser-identity", doc: "iss of every token"),
            tokenAudience: try configuration.string("TOKEN_AUDIENCE", default: "purser", doc: "aud every token must carry"),
            revocationPollInterval: try configuration.duration(
                "REVOCATION_POLL_INTERVAL", default: "250ms", doc: "how often revoked subjects are fetched"),
            signingKeyRefreshInterval: try configuration.duration(
                "SIGNING_KEY_REFRESH_INTERVAL", default: "5m", doc: "how often verification keys are refreshed"),
            drainTimeout: try configuration.duration("DRAIN_TIMEOUT", default: "10s", doc: "bound on the graceful drain after SIGTERM"),
            servicePeers: Set(peers),
            metricsListen: metricsListen)
    }
}

/// A setting whose value cannot be used; the description names the variable,
/// the value and what was expected (as `ConfigurationError` does).
public struct SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let value: String
    public let expected: String

    /// An error for `variable` holding `value` where `expected` was required.
    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable): \"\(value)\" is not \(expected)" }
}
