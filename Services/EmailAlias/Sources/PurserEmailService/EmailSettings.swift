import PurserEmail
import PurserKit
import PurserRPC
import PurserService

/// The Email-alias settings beyond the common ones (`PURSER_EMAIL_*`, see the README).
package struct EmailSettings: Sendable {
    /// Where the SMTP listener accepts inbound mail.
    package var smtpListen: Endpoint
    /// Name announced in the SMTP greeting and EHLO reply.
    package var smtpHostname: String
    /// Domain of agents' addresses when their tenant sets no `email_domain`.
    package var defaultDomain: String
    /// Largest message accepted (advertised as SIZE).
    package var maxMessageSize: Int
    /// Most recipients in one SMTP transaction.
    package var maxRecipients: Int
    /// Idle time allowed while waiting for a command; a client that never sends DATA is closed after it.
    package var commandTimeout: Duration
    /// Idle time allowed between chunks of message data.
    package var dataTimeout: Duration
    /// Most SMTP connections open at once; further clients get 421 and are closed.
    package var maxConnections: Int
    /// Most SMTP connections open at once from one remote IP address; its further clients get 421 and are closed.
    package var maxConnectionsPerAddress: Int
    /// Longest an SMTP connection may stay open, however active (then 421 and close).
    package var maxSessionDuration: Duration
    /// Commands that move no message forward (NOOP, RSET, HELP, VRFY, EXPN, EHLO, HELO) allowed per
    /// connection between accepted messages (beyond: 421 and close).
    package var maxJunkCommands: Int
    /// Event-loop threads serving SMTP connections.
    package var smtpEventLoops: Int
    /// Whether STARTTLS is offered (with the service's certificate).
    package var startTLS: Bool
    /// Messages older than this are deleted by the sweeper.
    package var retention: Duration
    /// How often the retention sweeper runs.
    package var sweepInterval: Duration
    /// How long agent handles and tenant settings fetched from Identity are reused.
    package var directoryCacheTTL: Duration

    /// Memberwise, for tests and embedders.
    package init(
        smtpListen: Endpoint = Endpoint(host: "0.0.0.0", port: ServiceName.defaultSMTPPort), smtpHostname: String = "localhost",
        defaultDomain: String = "agents.purser.local", maxMessageSize: Int = 10 * 1024 * 1024, maxRecipients: Int = 100,
        commandTimeout: Duration = .seconds(300), dataTimeout: Duration = .seconds(180), maxConnections: Int = 1000,
        maxConnectionsPerAddress: Int = 20, maxSessionDuration: Duration = .seconds(1_800), maxJunkCommands: Int = 100,
        smtpEventLoops: Int = 1, startTLS: Bool = true, retention: Duration = .seconds(30 * 86_400),
        sweepInterval: Duration = .seconds(600), directoryCacheTTL: Duration = .seconds(60)
    ) {
        self.smtpListen = smtpListen
        self.smtpHostname = smtpHostname
        self.defaultDomain = defaultDomain.lowercased()
        self.maxMessageSize = maxMessageSize
        self.maxRecipients = maxRecipients
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.maxSessionDuration = maxSessionDuration
        self.maxJunkCommands = maxJunkCommands
        self.smtpEventLoops = smtpEventLoops
        self.startTLS = startTLS
        self.retention = retention
        self.sweepInterval = sweepInterval
        self.directoryCacheTTL = directoryCacheTTL
    }

    /// Reads the settings from `configuration` (service `email`); errors name the variable.
    package init(configuration: Configuration) throws {
        let listen = try configuration.endpoint(
            "SMTP_LISTEN", default: "0.0.0.0:\(ServiceName.defaultSMTPPort)", ports: Endpoint.listenPorts,
            doc: "host:port the SMTP listener accepts inbound mail on")
        let domain = try configuration.string(
            "DEFAULT_DOMAIN", default: "agents.purser.local",
            doc: "domain of agent addresses when the tenant sets no email_domain")
        guard AliasAddress.isValidDomain(domain.lowercased()) else {
            throw SettingError(variable: configuration.variable("DEFAULT_DOMAIN"), value: domain, expected: "a DNS domain")
        }
        self.init(
            smtpListen: listen,
            smtpHostname: try configuration.string("SMTP_HOSTNAME", default: "localhost", doc: "name in the SMTP greeting"),
            defaultDomain: domain,
            maxMessageSize: try configuration.int(
                "SMTP_MAX_MESSAGE_SIZE", default: 10 * 1024 * 1024, in: 1024...(256 * 1024 * 1024),
                doc: "largest message accepted, in bytes (advertised as SIZE)"),
            maxRecipients: try configuration.int(
                "SMTP_MAX_RECIPIENTS", default: 100, in: 1...1000, doc: "most recipients per message"),
            commandTimeout: try configuration.duration(
                "SMTP_COMMAND_TIMEOUT", default: "5m", doc: "idle time allowed while waiting for a command"),
            dataTimeout: try configuration.duration(
                "SMTP_DATA_TIMEOUT", default: "3m", doc: "idle time allowed between chunks of message data"),
            maxConnections: try configuration.int(
                "SMTP_MAX_CONNECTIONS", default: 1000, in: 1...100_000, doc: "SMTP connections open at once"),
            maxConnectionsPerAddress: try configuration.int(
                "SMTP_MAX_CONNECTIONS_PER_ADDRESS", default: 20, in: 1...100_000,
                doc: "SMTP connections open at once from one remote IP address"),
            maxSessionDuration: try configuration.duration(
                "SMTP_MAX_SESSION_DURATION", default: "30m", doc: "longest an SMTP connection may stay open, however active"),
            maxJunkCommands: try configuration.int(
                "SMTP_MAX_JUNK_COMMANDS", default: 100, in: 1...100_000,
                doc: "NOOP, RSET, HELP, VRFY, EXPN, EHLO and HELO commands allowed between accepted messages"),
            smtpEventLoops: try configuration.int(
                "SMTP_EVENT_LOOPS", default: 1, in: 1...64, doc: "event-loop threads serving SMTP"),
            startTLS: try configuration.bool("SMTP_STARTTLS", default: true, doc: "offer STARTTLS with TLS_CERT"),
            retention: try configuration.duration("RETENTION", default: "30d", doc: "messages older than this are deleted"),
            sweepInterval: try configuration.duration(
                "RETENTION_SWEEP_INTERVAL", default: "10m", doc: "how often old messages are deleted"),
            directoryCacheTTL: try configuration.duration(
                "DIRECTORY_CACHE_TTL", default: "60s", doc: "how long agent handles and tenant settings from Identity are reused"))
    }

    /// The SMTP session limits these settings describe.
    package func smtpConfiguration(startTLSAvailable: Bool) -> SMTPConfiguration {
        SMTPConfiguration(
            hostname: smtpHostname, maxMessageSize: maxMessageSize, maxRecipients: maxRecipients,
            startTLSAvailable: startTLSAvailable, commandTimeout: commandTimeout, dataTimeout: dataTimeout,
            maxJunkCommands: maxJunkCommands, maxSessionDuration: maxSessionDuration)
    }
}
