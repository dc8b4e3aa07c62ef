import Foundation
import Glibc
import PurserAPI
import PurserAuth
import PurserIdentity
import PurserKit
import PurserPolicyService
import PurserPostgres
import PurserRPC
import PurserService
import PurserTestSupport
import PurserWallet
import PurserWire

/// A real Identity, a real Policy and a real Wallet for one test, each with
/// its own database on the test PostgreSQL, talking over TLS on ephemeral ports
/// with the test certificates: Identity issues the tokens, answers the Wallet's
/// directory look-ups and delivers revocations to the Wallet's FreezeAccount;
/// Policy serves the agents' effective policies to the Wallet's PolicyClient.
final class WalletHarness: Sendable {
    let identityHost: ServiceHost
    let identityPort: Int
    let policyHost: ServiceHost
    /// Calls Policy with bearer tokens only.
    let policyClient: RPCClient
    /// The Wallet's own mutual-TLS client to Policy.
    let walletToPolicy: RPCClient
    let walletHost: ServiceHost
    let wallet: WalletService
    let walletPort: Int
    let logger: Logger
    /// Calls the Wallet with bearer tokens only.
    let anonymous: RPCClient
    /// Calls Identity with bearer tokens only.
    let identityClient: RPCClient
    /// Calls the Wallet over mutual TLS as each certificate name.
    let services: [String: RPCClient]

    /// Starts Identity, Policy and Wallet in-process. The Wallet's port is chosen
    /// before Identity starts (Identity delivers revocations to it), so a port taken
    /// in between by another process is retried with a new one.
    static func start(_ label: String, settings: WalletSettings = WalletSettings()) async throws -> WalletHarness {
        var attempt = 1
        while true {
            do {
                return try await startOnce(attempt == 1 ? label : "\(label)_\(attempt)", settings: settings)
            } catch let error as RPCError where error.reason == "bind_failed" && attempt < 5 {
                attempt += 1
            }
        }
    }

    private static func startOnce(_ label: String, settings: WalletSettings) async throws -> WalletHarness {
        let logger = Logger(label: "wallet-rpc-test", level: .error)
        let ca = try TestEnvironment.certificate("ca")
        let walletPort = try TestRPC.freePort()
        let identitySettings = ServiceSettings(
            name: "identity", listen: Endpoint(host: "127.0.0.1", port: 0),
            tlsCertificatePath: try TestEnvironment.certificate("identity"),
            tlsPrivateKeyPath: try TestEnvironment.privateKey("identity"), tlsCAPath: ca,
            databaseURL: try await TestDatabase.create(label: label + "_identity"), databasePoolSize: 4,
            identityEndpoint: nil, revocationPollInterval: .milliseconds(100), drainTimeout: .seconds(2))
        let identity = IdentitySettings(
            keyEncryptionKey: try KeyEncryptionKey.generate(), tokenLifetime: .seconds(900),
            revocationSubscribers: [
                RevocationSubscriber(
                    name: "wallet", endpoint: Endpoint(host: "127.0.0.1", port: walletPort),
                    method: WalletMethods.freezeAccount.fullName),
            ],
            retrySchedule: RetrySchedule(initial: .milliseconds(100), maximum: .milliseconds(400)),
            dispatchInterval: .milliseconds(50), deliveryTimeout: .seconds(5))
        let identityHost = try await ServiceHost(
            settings: identitySettings, migrations: IdentityMigrations.all,
            authentication: IdentityService.localAuthentication(settings: identity), logger: logger)
        let identityService = try IdentityService(
            host: identityHost, settings: identity,
            clientTLS: .client(
                trustRootsPath: ca, certificatePath: identitySettings.tlsCertificatePath,
                privateKeyPath: identitySettings.tlsPrivateKeyPath))
        try await identityService.prepareSigningKey()
        let identityPort = try identityHost.start()

        let policySettings = ServiceSettings(
            name: "policy", listen: Endpoint(host: "127.0.0.1", port: 0),
            tlsCertificatePath: try TestEnvironment.certificate("policy"),
            tlsPrivateKeyPath: try TestEnvironment.privateKey("policy"), tlsCAPath: ca,
            databaseURL: try await TestDatabase.create(label: label + "_policy"), databasePoolSize: 2,
            identityEndpoint: Endpoint(host: "127.0.0.1", port: identityPort),
            revocationPollInterval: .milliseconds(100), drainTimeout: .seconds(2))
        let policyHost = try await ServiceHost(
            settings: policySettings, migrations: PolicyMigrations.all, authentication: .identityService, logger: logger)
        guard let policyIdentity = policyHost.identity else { throw RPCError(.internal, "the policy host has no Identity connection") }
        let policyToWallet = try TestRPC.client(port: walletPort, certificate: "policy", logger: logger)
        _ = PolicyService(
            host: policyHost, directory: TenantDirectory(client: policyIdentity.client, ttl: .seconds(30)),
            wallet: WalletCounters(client: policyToWallet))
        let policyPort = try policyHost.start()
        let walletToPolicy = try TestRPC.client(port: policyPort, certificate: "wallet", logger: logger)

        let walletSettings = ServiceSettings(
            name: "wallet", listen: Endpoint(host: "127.0.0.1", port: walletPort),
            tlsCertificatePath: try TestEnvironment.certificate("wallet"),
            tlsPrivateKeyPath: try TestEnvironment.privateKey("wallet"), tlsCAPath: ca,
            databaseURL: try await TestDatabase.create(label: label + "_wallet"), databasePoolSize: 8,
            identityEndpoint: Endpoint(host: "127.0.0.1", port: identityPort),
            revocationPollInterval: .milliseconds(100), drainTimeout: .seconds(2))
        let walletHost = try await ServiceHost(
            settings: walletSettings, migrations: WalletMigrations.all, authentication: .identityService, logger: logger)
        guard let connection = walletHost.identity else { throw RPCError(.internal, "the wallet host has no Identity connection") }
        let wallet = WalletService(
            host: walletHost, settings: settings, directory: IdentityDirectory(client: connection.client, ttl: settings.directoryTTL),
            policy: PolicyClient(client: walletToPolicy, ttl: settings.policyCacheTTL, timeout: .seconds(5)))
        let port: Int
        do {
            port = try walletHost.start()
        } catch {
            try? await policyHost.shutdown()
            try? await identityHost.shutdown()
            throw error
        }

        var services: [String: RPCClient] = [:]
        services["policy"] = policyToWallet
        for name in ["identity", "settlement", "test-client"] {
            services[name] = try TestRPC.client(port: port, certificate: name, logger: logger)
        }
        return WalletHarness(
            identityHost: identityHost, identityPort: identityPort, policyHost: policyHost,
            policyClient: try TestRPC.client(port: policyPort, certificate: nil, logger: logger), walletToPolicy: walletToPolicy,
            walletHost: walletHost, wallet: wallet, walletPort: port,
            logger: logger, anonymous: try TestRPC.client(port: port, certificate: nil, logger: logger),
            identityClient: try TestRPC.client(port: identityPort, certificate: nil, logger: logger), services: services)
    }

    private init(
        identityHost: ServiceHost, identityPort: Int, policyHost: ServiceHost, policyClient: RPCClient,
        walletToPolicy: RPCClient, walletHost: ServiceHost, wallet: WalletService, walletPort: Int,
        logger: Logger, anonymous: RPCClient, identityClient: RPCClient, services: [String: RPCClient]
    ) {
        self.identityHost = identityHost
        self.identityPort = identityPort
        self.policyHost = policyHost
        self.policyClient = policyClient
        self.walletToPolicy = walletToPolicy
        self.walletHost = walletHost
        self.wallet = wallet
        self.walletPort = walletPort
        self.logger = logger
        self.anonymous = anonymous
        self.identityClient = identityClient
        self.services = services
    }



    func stop() async {
        anonymous.close()
        identityClient.close()
        policyClient.close()
        for client in services.values { client.close() }
        try? await walletHost.shutdown()
        walletToPolicy.close()
        try? await policyHost.shutdown()
        try? await identityHost.shutdown()
    }

    // MARK: Calls

    /// Calls a Wallet method as the holder of `token` (or as the service `service` over mutual TLS).
    func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil, service: String? = nil,
        key: String? = nil, metadata extra: Metadata = [:]
    ) async throws(RPCError) -> Response {
        var metadata = extra
        if let token { metadata["authorization"] = "Bearer \(token)" }
        if let key { metadata["idempotency-key"] = key }
        let client = service.flatMap { services[$0] } ?? anonymous
        return try await client.call(method, request, metadata: metadata, timeout: .seconds(20))
    }

    /// Calls an Identity method with `token`.
    func identity<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil
    ) async throws(RPCError) -> Response {
        var metadata: Metadata = [:]
        if let token { metadata["authorization"] = "Bearer \(token)" }
        return try await identityClient.call(method, request, metadata: metadata, timeout: .seconds(20))
    }

    /// Sets the tenant-wide spending policy of `world` (as its admin).
    func setTenantPolicy(_ world: World, _ documentJSON: String) async throws {
        _ = try await policyClient.call(
            PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: world.tenantID, documentJSON: documentJSON),
            metadata: ["authorization": "Bearer \(world.adminToken)"], timeout: .seconds(20))
    }

    func token(_ secret: String) async throws -> String {
        try await identity(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: "")).token
    }

    // MARK: Fixtures

    /// Principals of one world: an operator, a tenant with its admin, finance
    /// and two agents, and a provider.
    struct World: Sendable {
        let operatorToken: String
        let tenantID: String
        let adminToken: String
        let financeToken: String
        let agentID: String
        let agentToken: String
        let otherAgentID: String
        let otherAgentToken: String
        let providerID: String
        let providerToken: String
    }

    func operatorToken() async throws -> String {
        let client = try TestRPC.client(port: identityPort, certificate: "test-client", logger: logger)
        defer { client.close() }
        let bootstrap = try await client.call(IdentityMethods.bootstrap, BootstrapRequest(label: "test"), timeout: .seconds(20))
        return try await token(bootstrap.secret)
    }

    /// A tenant with its keys and two agents, and a provider (registered once per operator).
    func world(_ slug: String, operatorToken: String, provider: (id: String, token: String)? = nil) async throws -> World {
        let tenant = try await identity(
            IdentityMethods.createTenant, CreateTenantRequest(slug: slug, name: "Tenant \(slug)"), token: operatorToken)
        var adminKey = CreateApiKeyRequest()
        adminKey.tenantID = tenant.id
        adminKey.role = .admin
        adminKey.label = "admin"
        let admin = try await identity(IdentityMethods.createApiKey, adminKey, token: operatorToken)
        var financeKey = adminKey
        financeKey.role = .finance
        financeKey.label = "finance"
        let finance = try await identity(IdentityMethods.createApiKey, financeKey, token: operatorToken)
        let adminToken = try await token(admin.secret)
        let agent = try await identity(
            IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenant.id, handle: "\(slug)-agent"), token: adminToken)
        let other = try await identity(
            IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenant.id, handle: "\(slug)-other"), token: adminToken)
        let payee: (id: String, token: String)
        if let provider {
            payee = provider
        } else {
            let registered = try await identity(
                IdentityMethods.registerProvider,
                RegisterProviderRequest(slug: "\(slug)-api", name: "API of \(slug)", defaultCategory: "inference"),
                token: operatorToken)
            payee = (registered.provider.id, try await token(registered.secret))
        }
        return World(
            operatorToken: operatorToken, tenantID: tenant.id, adminToken: adminToken,
            financeToken: try await token(finance.secret), agentID: agent.agent.id, agentToken: try await token(agent.secret),
            otherAgentID: other.agent.id, otherAgentToken: try await token(other.secret), providerID: payee.id,
            providerToken: payee.token)
    }

    /// Funds the world's tenant and allocates `micros` to its first agent.
    func fund(_ world: World, agentMicros micros: Int64) async throws {
        var fund = FundRequest()
        fund.tenantID = world.tenantID
        fund.amountMicros = micros
        fund.externalReference = "wire-\(UUID().uuidString.prefix(8))"
        _ = try await call(WalletMethods.fund, fund, token: world.operatorToken, key: UUID().uuidString)
        var allocate = AllocateRequest()
        allocate.agentID = world.agentID
        allocate.amountMicros = micros
        _ = try await call(WalletMethods.allocate, allocate, token: world.adminToken, key: UUID().uuidString)
    }

    func authorize(_ world: World, micros: Int64, key: String = UUID().uuidString) async throws(RPCError) -> AuthorizeResponse {
        var request = AuthorizeRequest()
        request.amountMicros = micros
        request.providerID = world.providerID
        return try await call(WalletMethods.authorize, request, token: world.agentToken, key: key)
    }
}

/// Runs `body` with a fresh harness and always stops it.
func withWallet<T>(_ label: String, settings: WalletSettings = WalletSettings(), _ body: (WalletHarness) async throws -> T) async throws -> T {
    let harness = try await WalletHarness.start(label, settings: settings)
    do {
        let result = try await body(harness)
        await harness.stop()
        return result
    } catch {
        await harness.stop()
        throw error
    }
}

