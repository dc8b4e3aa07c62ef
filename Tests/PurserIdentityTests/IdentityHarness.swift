import Foundation
import PurserAPI
import PurserAuth
import PurserIdentity
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService
import PurserServiceHarness
import PurserTestSupport
import PurserWire

/// A real Identity service for one test: its own database on the test
/// PostgreSQL, TLS with the test certificates on an ephemeral port, and
/// clients that call it as the different principals.
final class IdentityHarness: Sendable {
    let host: ServiceHost
    let service: IdentityService
    let port: Int
    let databaseURL: String
    let kek: KeyEncryptionKey
    let logger: Logger
    /// Calls without a client certificate (bearer tokens only).
    let anonymous: RPCClient
    /// Calls over mutual TLS as `wallet`, a service principal.
    let wallet: RPCClient
    /// Calls over mutual TLS as `test-client`: a deployment certificate that is no service.
    let deploymentClient: RPCClient

    static func start(
        label: String, subscribers: [RevocationSubscriber] = [], tokenLifetime: Duration = .seconds(900),
        webhooks: WebhookSettings = WebhookSettings()
    ) async throws -> IdentityHarness {
        let databaseURL = try await TestDatabase.create(label: label)
        let logger = Logger(label: "identity-test", level: .warning)
        let identity = try await InProcessIdentity.start(
            databaseURL: databaseURL, subscribers: subscribers, tokenLifetime: tokenLifetime, deliveryTimeout: .seconds(2),
            webhooks: webhooks, logger: logger)
        return IdentityHarness(
            host: identity.host, service: identity.service, port: identity.port, databaseURL: databaseURL,
            kek: identity.keyEncryptionKey, logger: logger,
            anonymous: try TestRPC.client(port: identity.port, certificate: nil, logger: logger),
            wallet: try TestRPC.client(port: identity.port, certificate: "wallet", logger: logger),
            deploymentClient: try TestRPC.client(port: identity.port, certificate: "test-client", logger: logger))
    }

    private init(
        host: ServiceHost, service: IdentityService, port: Int, databaseURL: String, kek: KeyEncryptionKey, logger: Logger,
        anonymous: RPCClient, wallet: RPCClient, deploymentClient: RPCClient
    ) {
        self.host = host
        self.service = service
        self.port = port
        self.databaseURL = databaseURL
        self.kek = kek
        self.logger = logger
        self.anonymous = anonymous
        self.wallet = wallet
        self.deploymentClient = deploymentClient
    }

    func stop() async {
        anonymous.close()
        wallet.close()
        deploymentClient.close()
        try? await host.shutdown()
        try? await TestDatabase.drop(url: host.settings.databaseURL)
    }

    /// Calls `method` with a bearer token (or none) over `client` (anonymous by default).
    func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil, via client: RPCClient? = nil
    ) async throws(RPCError) -> Response {
        var metadata: Metadata = [:]
        if let token { metadata["authorization"] = "Bearer \(token)" }
        return try await (client ?? anonymous).call(method, request, metadata: metadata, timeout: .seconds(10))
    }

    /// Exchanges a secret for a token.
    func token(_ secret: String, audience: String = "") async throws -> String {
        try await call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: audience)).token
    }

    /// Bootstraps the operator (over mutual TLS) and returns an operator token.
    func operatorToken() async throws -> String {
        let bootstrap = try await call(IdentityMethods.bootstrap, BootstrapRequest(label: "test"), via: deploymentClient)
        return try await token(bootstrap.secret)
    }

    /// A tenant created by the operator, with an admin and a finance key and their tokens.
    struct TenantFixture: Sendable {
        let tenant: Tenant
        let adminSecret: String
        let adminToken: String
        let financeToken: String
    }

    func makeTenant(_ slug: String, operatorToken: String) async throws -> TenantFixture {
        let tenant = try await call(
            IdentityMethods.createTenant, CreateTenantRequest(slug: slug, name: "Tenant \(slug)"), token: operatorToken)
        let admin = try await call(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .admin, label: "admin"),
            token: operatorToken)
        let finance = try await call(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .finance, label: "finance"),
            token: operatorToken)
        return TenantFixture(
            tenant: tenant, adminSecret: admin.secret, adminToken: try await token(admin.secret),
            financeToken: try await token(finance.secret))
    }

    /// An agent of `tenant` created by its admin, with its secret.
    func makeAgent(_ handle: String, in fixture: TenantFixture) async throws -> CreateAgentResponse {
        try await call(
            IdentityMethods.createAgent, CreateAgentRequest(tenantID: fixture.tenant.id, handle: handle, displayName: handle),
            token: fixture.adminToken)
    }

    /// The current private signing key, read from the database and opened with
    /// the KEK (what an attacker without the KEK could not do), for minting
    /// tokens with chosen claims.
    func currentSigningKey() async throws -> SigningKey {
        let row = try await query("SELECT kid || ' ' || encode(sealed_private_key, 'hex') FROM identity.signing_keys WHERE retired_at IS NULL")
        let parts = (row.first ?? nil)?.split(separator: " ") ?? []
        guard parts.count == 2 else { throw RPCError(.notFound, "no current signing key") }
        var sealed: [UInt8] = []
        var index = parts[1].startIndex
        while index < parts[1].endIndex {
            let next = parts[1].index(index, offsetBy: 2)
            sealed.append(UInt8(parts[1][index..<next], radix: 16) ?? 0)
            index = next
        }
        return try kek.openSigningKey(sealed, keyID: String(parts[0]))
    }

    /// Runs `sql` against this Identity's database and returns the first column of each row as text.
    func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) async throws -> [String?] {
        let pool = PostgresPool(configuration: TestDatabase.configuration(url: databaseURL, size: 1, applicationName: "purser-tests"), logger: logger)
        let values = try await pool.withConnection { connection -> [String?] in
            try connection.query(sql, parameters).map { try $0.decode(String?.self, at: 0) }
        }
        await pool.close()
        return values
    }
}

/// Runs `body` with a fresh harness and always stops it.
func withIdentity<T>(
    _ label: String, subscribers: [RevocationSubscriber] = [], tokenLifetime: Duration = .seconds(900),
    webhooks: WebhookSettings = WebhookSettings(), _ body: (IdentityHarness) async throws -> T
) async throws -> T {
    try await withStarted(
        { try await IdentityHarness.start(label: label, subscribers: subscribers, tokenLifetime: tokenLifetime, webhooks: webhooks) },
        stop: { await $0.stop() }, body)
}

