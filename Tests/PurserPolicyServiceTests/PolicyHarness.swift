import Foundation
import PurserAPI
import PurserAuth
import PurserIdentity
import PurserKit
import PurserPolicyService
import PurserRPC
import PurserService
import PurserServiceHarness
import PurserTestSupport
import Synchronization

/// The evaluation clock of one harness: fixed until a test moves it.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func set(_ date: Date) { current.withLock { $0 = date } }
}

/// A real Identity and a real Policy service for one test, each with its own
/// database on the test PostgreSQL and TLS on an ephemeral port. Policy gets
/// its verification keys, revocations, tenant time zones and agent
/// memberships from this Identity over mutual TLS, exactly as in production.
final class PolicyHarness: Sendable {
    let identityHost: ServiceHost
    let identityPort: Int
    let policyHost: ServiceHost
    let policyPort: Int
    let clock: TestClock
    let logger: Logger
    /// Calls Identity without a client certificate.
    let identity: RPCClient
    /// Calls Identity over mutual TLS with a deployment certificate (for Bootstrap).
    let identityDeployment: RPCClient
    /// Calls Policy without a client certificate (bearer tokens only).
    let anonymous: RPCClient
    /// Calls Policy over mutual TLS as service `wallet`.
    let wallet: RPCClient
    /// Calls Policy over mutual TLS as service `settlement`.
    let settlement: RPCClient
    let operatorToken: String

    static func start(label: String, at start: Date = Date()) async throws -> PolicyHarness {
        let logger = Logger(label: "policy-test", level: .warning)
        // Nothing subscribes to revocations here: Identity's outbox keeps its production pace.
        let identityService = try await InProcessIdentity.start(
            databaseURL: try await TestDatabase.create(label: label + "_identity"), retrySchedule: RetrySchedule(),
            dispatchInterval: .milliseconds(500), deliveryTimeout: .seconds(2), poolSize: 2, logger: logger)
        let identityHost = identityService.host, identityPort = identityService.port

        let clock = TestClock(start)
        let (policyHost, policyPort) = try await startPolicy(
            label: label, identityPort: identityPort, clock: clock, logger: logger)

        let identity = try TestRPC.client(port: identityPort, certificate: nil, logger: logger)
        let identityDeployment = try TestRPC.client(port: identityPort, certificate: "test-client", logger: logger)
        let bootstrap = try await identityDeployment.call(
            IdentityMethods.bootstrap, BootstrapRequest(label: "test"), timeout: .seconds(10))
        let operatorToken = try await identity.call(
            IdentityMethods.authenticate, AuthenticateRequest(secret: bootstrap.secret), timeout: .seconds(10)
        ).token
        return PolicyHarness(
            identityHost: identityHost, identityPort: identityPort, policyHost: policyHost, policyPort: policyPort,
            clock: clock, logger: logger, identity: identity, identityDeployment: identityDeployment,
            anonymous: try TestRPC.client(port: policyPort, certificate: nil, logger: logger),
            wallet: try TestRPC.client(port: policyPort, certificate: "wallet", logger: logger),
            settlement: try TestRPC.client(port: policyPort, certificate: "settlement", logger: logger),
            operatorToken: operatorToken)
    }

    /// A Policy service on its own database, trusting the Identity on `identityPort`.
    static func startPolicy(label: String, identityPort: Int, clock: TestClock, logger: Logger, port: Int = 0)
        async throws -> (ServiceHost, Int)
    {
        // No Wallet runs beside this Policy: Simulate finds it unreachable
        // (port 1 on loopback refuses connections).
        let wallet = try TestRPC.client(port: 1, certificate: "policy", logger: logger)
        let policy = try await InProcessPolicy.start(
            databaseURL: try await TestDatabase.create(label: label + "_policy"), identityPort: identityPort, wallet: wallet,
            walletTimeout: .seconds(2), port: port, now: { clock.now }, logger: logger)
        return (policy.host, policy.port)
    }

    private init(
        identityHost: ServiceHost, identityPort: Int, policyHost: ServiceHost, policyPort: Int, clock: TestClock,
        logger: Logger, identity: RPCClient, identityDeployment: RPCClient, anonymous: RPCClient, wallet: RPCClient,
        settlement: RPCClient, operatorToken: String
    ) {
        self.identityHost = identityHost
        self.identityPort = identityPort
        self.policyHost = policyHost
        self.policyPort = policyPort
        self.clock = clock
        self.logger = logger
        self.identity = identity
        self.identityDeployment = identityDeployment
        self.anonymous = anonymous
        self.wallet = wallet
        self.settlement = settlement
        self.operatorToken = operatorToken
    }

    func stop() async {
        for client in [identity, identityDeployment, anonymous, wallet, settlement] { client.close() }
        try? await policyHost.shutdown()
        try? await identityHost.shutdown()
        for url in Set([policyHost.settings.databaseURL, identityHost.settings.databaseURL]) {
            try? await TestDatabase.drop(url: url)
        }
    }

    /// A tenant with admin and finance tokens.
    struct TenantFixture: Sendable {
        let id: String
        let adminToken: String
        let financeToken: String
    }

    /// An agent with its token.
    struct AgentFixture: Sendable {
        let id: String
        let token: String
    }

    func makeTenant(_ slug: String, timeZone: String = "") async throws -> TenantFixture {
        let tenant = try await identity.call(
            IdentityMethods.createTenant, CreateTenantRequest(slug: slug, name: slug, timeZone: timeZone),
            metadata: bearer(operatorToken), timeout: .seconds(10))
        let admin = try await identity.call(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .admin, label: "admin"),
            metadata: bearer(operatorToken), timeout: .seconds(10))
        let finance = try await identity.call(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .finance, label: "finance"),
            metadata: bearer(operatorToken), timeout: .seconds(10))
        return TenantFixture(
            id: tenant.id, adminToken: try await token(admin.secret), financeToken: try await token(finance.secret))
    }

    func makeAgent(_ handle: String, in tenant: TenantFixture) async throws -> AgentFixture {
        let created = try await identity.call(
            IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenant.id, handle: handle),
            metadata: bearer(tenant.adminToken), timeout: .seconds(10))
        return AgentFixture(id: created.agent.id, token: try await token(created.secret))
    }

    func token(_ secret: String) async throws -> String {
        try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret), timeout: .seconds(10))
            .token
    }

    /// Calls Policy `method` with a bearer token (or none) over `client` (anonymous by default).
    func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil,
        via client: RPCClient? = nil
    ) async throws(RPCError) -> Response {
        try await (client ?? anonymous).call(method, request, metadata: token.map(bearer) ?? [:], timeout: .seconds(10))
    }

    func bearer(_ token: String) -> Metadata { ["authorization": "Bearer \(token)"] }
}

/// Runs `body` with a fresh harness and always stops it.
func withPolicy<T>(
    _ label: String, at start: Date = Date(), _ body: (PolicyHarness) async throws -> T
) async throws -> T {
    try await withStarted({ try await PolicyHarness.start(label: label, at: start) }, stop: { await $0.stop() }, body)
}


/// A date from an ISO 8601 UTC text such as `2026-11-21T23:59:59Z`.
func utc(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
}
