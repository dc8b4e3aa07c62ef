import PurserClient
import PurserKit
import PurserRPC
import Synchronization

/// Everything a command handler needs: its flags, the resolved settings and
/// a client made on first use with the configured credentials.
public final class CommandContext: Sendable {
    public let command: ParsedCommand
    public let settings: CLISettings
    private let logger: Logger
    private let made = Mutex<[String: PurserClient]>([:])

    init(command: ParsedCommand, settings: CLISettings, logger: Logger) {
        self.command = command
        self.settings = settings
        self.logger = logger
    }

    deinit { closeClients() }

    /// A client authenticating with the configured secret (`--secret`,
    /// `PURSER_SECRET` or the profile); a usage error when there is none.
    public func client() throws(UsageError) -> PurserClient {
        guard let secret = settings.secret else {
            throw UsageError(reason: "missing_secret",
                             "\(commandName) needs credentials: set PURSER_SECRET, pass --secret, or use a profile (PURSER_CONFIG)",
                             path: command.path)
        }
        return try client(credentials: .secret(secret))
    }

    /// A client presenting the configured client certificate and no token
    /// (bootstrap, health checks).
    public func anonymousClient(endpoints: [ServiceName: Endpoint]? = nil) throws(UsageError) -> PurserClient {
        try client(credentials: .anonymous, endpoints: endpoints)
    }

    /// The tenant a tenant-scoped command acts on: `--tenant` (or
    /// `PURSER_TENANT`/profile), else the tenant of the caller's own token.
    public func tenantID(_ client: PurserClient) async throws -> String {
        if let tenant = settings.tenantID { return tenant }
        if let session = try await client.session(), !session.tenantID.isEmpty { return session.tenantID }
        throw UsageError(reason: "missing_flag", "\(commandName) needs --tenant ID (the credentials are not a tenant's)",
                         path: command.path)
    }

    /// `--idempotency-key` when given: lets a caller repeat a mutating command safely.
    public var idempotencyKey: String? { command.string("idempotency-key") }

    func closeClients() {
        let clients = made.withLock { made -> [PurserClient] in
            defer { made.removeAll() }
            return Array(made.values)
        }
        for client in clients { client.close() }
    }

    private var commandName: String { (["purser"] + command.path).joined(separator: " ") }

    private func client(credentials: Credentials, endpoints: [ServiceName: Endpoint]? = nil) throws(UsageError) -> PurserClient {
        guard let caPath = settings.caPath else {
            throw UsageError(reason: "missing_ca",
                             "\(commandName) needs the deployment CA: set PURSER_CA, pass --ca, or use a profile (PURSER_CONFIG)",
                             path: command.path)
        }
        let key: String
        switch credentials {
        case .anonymous: key = endpoints == nil ? "anonymous" : "anonymous-custom"
        case .secret: key = "secret"
        case .token: key = "token"
        }
        let configuration = PurserClientConfiguration(
            endpoints: endpoints ?? settings.endpoints, trustRootsPath: caPath, certificatePath: settings.certificatePath,
            privateKeyPath: settings.privateKeyPath, timeout: settings.timeout)
        let logger = self.logger
        return made.withLock { made in
            if let existing = made[key] { return existing }
            let client = PurserClient(configuration: configuration, credentials: credentials, logger: logger)
            made[key] = client
            return client
        }
    }
}
