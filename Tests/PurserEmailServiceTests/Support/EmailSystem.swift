import Foundation
import Glibc
import PurserAPI
import PurserAuth
import PurserEmailService
import PurserIdentity
import PurserKit
import PurserRPC
import PurserService
import PurserServiceHarness
import PurserTestSupport

/// A real Identity and a real Email-alias service in-process, on ephemeral
/// ports, over TLS with the test certificates, on a fresh database. Identity
/// delivers revocations to the Email-alias service's `DisableAgent`.
final class EmailSystem: Sendable {
    let identityHost: ServiceHost
    let emailHost: ServiceHost
    let email: EmailService
    let identityPort: Int
    let emailPort: Int
    var smtpPort: Int { email.smtpPort }
    let databaseURL: String
    /// The operator's token (from the bootstrap key).
    let operatorToken: String
    private let identityClient: RPCClient
    private let emailClient: RPCClient
    private let serviceClients: [String: RPCClient]

    static let logger = Logger(label: "email-tests", level: .error)

    /// SMTP limits every test system uses: small enough to test, large enough for real clients.
    static let smtpMaxMessageSize = 64 * 1024
    static let smtpCommandTimeout: Duration = .seconds(5)

    /// Starts Identity and Email-alias in-process on a fresh database. The email
    /// port is chosen before Identity starts (Identity delivers revocations to it),
    /// so a port taken in between by another process is retried with a new one.
    /// `adjust` changes the Email-alias settings before the service starts.
    static func start(
        label: String, maxConnections: Int = 200, commandTimeout: Duration = smtpCommandTimeout,
        adjust: (inout EmailSettings) -> Void = { _ in }
    ) async throws -> EmailSystem {
        var attempt = 1
        while true {
            do {
                return try await startOnce(
                    label: label, maxConnections: maxConnections, commandTimeout: commandTimeout, adjust: adjust)
            } catch let error as RPCError where error.reason == "bind_failed" && attempt < 5 {
                attempt += 1
            }
        }
    }

    private static func startOnce(
        label: String, maxConnections: Int, commandTimeout: Duration, adjust: (inout EmailSettings) -> Void
    ) async throws -> EmailSystem {
        let databaseURL = try await TestDatabase.create(label: label)
        let emailPort = try TestRPC.freePort()
        let identity = try await InProcessIdentity.start(
            databaseURL: databaseURL,
            subscribers: [
                RevocationSubscriber(
                    name: "email", endpoint: Endpoint(host: "127.0.0.1", port: emailPort),
                    method: EmailAliasMethods.disableAgent.fullName)
            ],
            retrySchedule: RetrySchedule(initial: .milliseconds(50), maximum: .seconds(1)),
            dispatchInterval: .milliseconds(100), deliveryTimeout: .seconds(2), poolSize: 3, logLevel: .error, logger: logger)
        let identityHost = identity.host, identityPort = identity.port

        let emailHost = try await ServiceHost(
            settings: try ServiceSettings.test(
                "email", port: emailPort, databaseURL: databaseURL, poolSize: 4, logLevel: .error, identityPort: identityPort),
            migrations: EmailMigrations.all, authentication: .identityService, logger: logger)
        var emailSettings = EmailSettings(
            smtpListen: Endpoint(host: "127.0.0.1", port: 0), smtpHostname: "mx.test.local", defaultDomain: "agents.test",
            maxMessageSize: smtpMaxMessageSize, maxRecipients: 10, commandTimeout: commandTimeout,
            dataTimeout: commandTimeout, maxConnections: maxConnections,
            // Every client of these tests connects from 127.0.0.1: the per-address cap is the listener's cap.
            maxConnectionsPerAddress: maxConnections, smtpEventLoops: 2, startTLS: true,
            retention: .seconds(30 * 86_400), sweepInterval: .seconds(3_600), directoryCacheTTL: .milliseconds(200))
        adjust(&emailSettings)
        let email = try EmailService(
            host: emailHost, settings: emailSettings,
            directory: try EmailService.identityDirectory(host: emailHost, settings: emailSettings))
        let boundEmailPort: Int
        do {
            boundEmailPort = try emailHost.start()
        } catch {
            try? await identityHost.shutdown()
            throw error
        }

        let identityClient = try client(port: identityPort, certificate: "test-client")
        let bootstrap = try await identityClient.call(IdentityMethods.bootstrap, BootstrapRequest(label: "tests"))
        let operatorToken = try await identityClient.call(
            IdentityMethods.authenticate, AuthenticateRequest(secret: bootstrap.secret)
        ).token
        var services: [String: RPCClient] = [:]
        for name in ["identity", "wallet"] {
            services[name] = try client(port: boundEmailPort, certificate: name)
        }
        return EmailSystem(
            identityHost: identityHost, emailHost: emailHost, email: email, identityPort: identityPort,
            emailPort: boundEmailPort, databaseURL: databaseURL, operatorToken: operatorToken,
            identityClient: identityClient, emailClient: try client(port: boundEmailPort, certificate: "test-client"),
            serviceClients: services)
    }

    private init(
        identityHost: ServiceHost, emailHost: ServiceHost, email: EmailService, identityPort: Int, emailPort: Int,
        databaseURL: String, operatorToken: String, identityClient: RPCClient, emailClient: RPCClient,
        serviceClients: [String: RPCClient]
    ) {
        self.identityHost = identityHost
        self.emailHost = emailHost
        self.email = email
        self.identityPort = identityPort
        self.emailPort = emailPort
        self.databaseURL = databaseURL
        self.operatorToken = operatorToken
        self.identityClient = identityClient
        self.emailClient = emailClient
        self.serviceClients = serviceClients
    }

    func shutdown() async {
        identityClient.close()
        emailClient.close()
        for client in serviceClients.values { client.close() }
        try? await emailHost.shutdown()
        try? await identityHost.shutdown()
        for url in Set([emailHost.settings.databaseURL, identityHost.settings.databaseURL]) {
            try? await TestDatabase.drop(url: url)
        }
    }

    static func client(port: Int, certificate: String) throws -> RPCClient {
        try RPCClient(
            configuration: ClientConfiguration(
                host: "127.0.0.1", port: port,
                tls: .client(
                    trustRootsPath: try TestEnvironment.certificate("ca"),
                    certificatePath: try TestEnvironment.certificate(certificate),
                    privateKeyPath: try TestEnvironment.privateKey(certificate))),
            logger: logger)
    }

    // MARK: Identity

    /// A tenant with an admin token.
    func createTenant(slug: String, emailDomain: String = "", adminCanReadMail: Bool = false) async throws -> (Tenant, String) {
        let tenant = try await identityClient.call(
            IdentityMethods.createTenant,
            CreateTenantRequest(slug: slug, name: slug, emailDomain: emailDomain, adminCanReadMail: adminCanReadMail),
            metadata: bearer(operatorToken))
        let key = try await identityClient.call(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .admin),
            metadata: bearer(operatorToken))
        let token = try await identityClient.call(IdentityMethods.authenticate, AuthenticateRequest(secret: key.secret)).token
        return (tenant, token)
    }

    /// An agent of `tenantID` with its own token.
    func createAgent(tenantID: String, handle: String, adminToken: String) async throws -> (Agent, String) {
        let created = try await identityClient.call(
            IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenantID, handle: handle),
            metadata: bearer(adminToken))
        let token = try await identityClient.call(
            IdentityMethods.authenticate, AuthenticateRequest(secret: created.secret)
        ).token
        return (created.agent, token)
    }

    func revokeAgent(tenantID: String, agentID: String, adminToken: String) async throws -> RevokeAgentResponse {
        try await identityClient.call(
            IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: tenantID, agentID: agentID, reason: "compromised"),
            metadata: bearer(adminToken))
    }

    // MARK: Email-alias

    /// Calls the Email-alias service with a bearer token.
    func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String
    ) async throws(RPCError) -> Response {
        try await emailClient.call(method, request, metadata: bearer(token), timeout: .seconds(30))
    }

    /// Calls the Email-alias service as service `name` (mutual TLS, no token).
    func callAsService<Request, Response>(
        _ name: String, _ method: MethodDescriptor<Request, Response>, _ request: Request
    ) async throws -> Response {
        guard let client = serviceClients[name] else { throw TestFailure("no client for service \(name)") }
        return try await client.call(method, request, timeout: .seconds(30))
    }

    func bearer(_ token: String) -> Metadata { ["authorization": "Bearer \(token)"] }
}

/// A failure of the test harness itself.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
