import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService

/// The Email-alias service: `purser.email.v1.EmailAlias` on a `ServiceHost`,
/// an SMTP listener taking inbound mail for agents' aliases, and a retention
/// sweeper. Agent handles and tenant settings come from `directory`
/// (Identity in production).
///
/// Build it after the host (which has migrated the `email` schema), then run
/// the host: the SMTP listener is bound here and stops when the host shuts down.
package final class EmailService: Sendable {
    package let host: ServiceHost
    package let settings: EmailSettings
    package let aliases: AliasStore
    package let messages: MessageStore
    package let directory: any AgentDirectory
    package let smtp: SMTPListener
    /// The port the SMTP listener is bound to (useful with port 0).
    package let smtpPort: Int

    /// Registers every handler on `host`, binds the SMTP listener (STARTTLS
    /// with the host's certificate when `settings.startTLS`), and adds the
    /// listener and the retention sweeper to the host's background services.
    package init(host: ServiceHost, settings: EmailSettings, directory: any AgentDirectory) throws {
        self.host = host
        self.settings = settings
        self.aliases = AliasStore(pool: host.pool)
        self.messages = MessageStore(pool: host.pool)
        self.directory = directory
        // STARTTLS on the RPC layer's TLS: the service's certificate, TLS 1.2 or 1.3 (mail servers meet a
        // wider range of clients than purser/1), no ALPN, no client certificates.
        let tls = settings.startTLS
            ? try TLSContext(
                .server(certificatePath: host.settings.tlsCertificatePath, privateKeyPath: host.settings.tlsPrivateKeyPath),
                role: .server, applicationProtocol: .none, allowTLS12: true)
            : nil
        let smtp = SMTPListener(
            endpoint: settings.smtpListen, configuration: settings.smtpConfiguration(startTLSAvailable: tls != nil),
            tls: tls, maxConnections: settings.maxConnections,
            maxConnectionsPerAddress: settings.maxConnectionsPerAddress, eventLoops: settings.smtpEventLoops,
            mailbox: StoreMailbox(store: messages, logger: host.logger.with(["component": "smtp"])),
            logger: host.logger.with(["component": "smtp"]))
        self.smtp = smtp
        self.smtpPort = try smtp.start()
        host.logger.notice("smtp listening", ["host": settings.smtpListen.host, "port": "\(smtpPort)"])
        host.addBackground("smtp", smtp)
        host.addBackground(
            "retention",
            RetentionSweeper(
                store: messages, retention: settings.retention, interval: settings.sweepInterval,
                logger: host.logger.with(["component": "retention"])))
        if let identity = host.identity {
            host.addBackground(
                "event-relay",
                EventRelay(pool: host.pool, schema: "email", identity: identity, logger: host.logger.with(["component": "event-relay"])))
        }
        registerHandlers()
    }

    /// The directory for production: Identity over the host's mutual-TLS connection.
    package static func identityDirectory(host: ServiceHost, settings: EmailSettings) throws -> IdentityDirectory {
        guard let identity = host.identity else {
            throw SettingError(variable: "PURSER_EMAIL_IDENTITY_ENDPOINT", value: "", expected: "host:port of Identity")
        }
        return IdentityDirectory(client: identity.client, ttl: settings.directoryCacheTTL)
    }

    private func registerHandlers() {
        host.handle(EmailAliasMethods.createAlias, allowing: [.agent, .tenantAdmin, .service], services: ["identity"]) {
            [self] request, principal, _ in
            try await createAlias(request, principal: principal)
        }
        host.handle(EmailAliasMethods.listAliases, allowing: [.agent, .tenantAdmin, .service], services: ["identity"]) {
            [self] request, principal, _ in
            try await listAliases(request, principal: principal)
        }
        host.handle(EmailAliasMethods.disableAlias, allowing: [.agent, .tenantAdmin]) { [self] request, principal, _ in
            try await setAlias(tenantID: request.tenantID, aliasID: request.aliasID, enabled: false, principal: principal)
        }
        host.handle(EmailAliasMethods.enableAlias, allowing: [.agent, .tenantAdmin]) { [self] request, principal, _ in
            try await setAlias(tenantID: request.tenantID, aliasID: request.aliasID, enabled: true, principal: principal)
        }
        host.handle(EmailAliasMethods.disableAgent, allowing: [.service], services: ["identity"]) { [self] request, _, context in
            try await disableAgent(request, logger: context.logger)
        }
        host.handle(EmailAliasMethods.listMessages, allowing: [.agent, .tenantAdmin]) { [self] request, principal, _ in
            try await listMessages(request, principal: principal)
        }
        host.handle(EmailAliasMethods.getMessage, allowing: [.agent, .tenantAdmin]) { [self] request, principal, _ in
            try await getMessage(request, principal: principal)
        }
        host.handle(EmailAliasMethods.deleteMessage, allowing: [.agent, .tenantAdmin]) { [self] request, principal, _ in
            try await deleteMessage(request, principal: principal)
        }
    }
}
