import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport

extension WalletHarness {
    /// Principals of one world: an operator, a tenant with its admin, finance
    /// and two agents, and a provider.
    package struct World: Sendable {
        package let operatorToken: String
        package let tenantID: String
        package let adminToken: String
        package let financeToken: String
        package let agentID: String
        package let agentToken: String
        package let otherAgentID: String
        package let otherAgentToken: String
        package let providerID: String
        package let providerToken: String
    }

    /// Bootstraps the operator (over mutual TLS as `test-client`) and returns
    /// an operator token; Identity allows this once.
    package func operatorToken() async throws -> String {
        let client = try TestRPC.client(port: identityPort, certificate: "test-client", logger: logger)
        defer { client.close() }
        let bootstrap = try await client.call(IdentityMethods.bootstrap, BootstrapRequest(label: "test"), timeout: .seconds(20))
        return try await token(bootstrap.secret)
    }

    /// A tenant with its keys and two agents, and a provider (registered once per operator).
    package func world(_ slug: String, operatorToken: String, provider: (id: String, token: String)? = nil) async throws -> World {
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
    package func fund(_ world: World, agentMicros micros: Int64) async throws {
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

    /// Authorizes `micros` for the world's first agent, payable to its provider.
    package func authorize(
        _ world: World, micros: Int64, category: String = "", key: String = UUID().uuidString
    ) async throws(RPCError) -> AuthorizeResponse {
        var request = AuthorizeRequest()
        request.amountMicros = micros
        request.providerID = world.providerID
        request.category = category
        return try await call(WalletMethods.authorize, request, token: world.agentToken, key: key)
    }

    /// The world's provider charges `micros` to the world's first agent, presenting a payment token
    /// the agent issued for it (for exactly `micros`, single use) in `agent-authorization`.
    package func providerCharge(_ world: World, micros: Int64, key: String = UUID().uuidString) async throws -> ChargeResponse {
        try await charge(world, micros: micros, with: try await paymentToken(world, maxMicros: micros, singleUse: true), key: key)
    }

    /// A payment token the world's first agent issues for the world's provider.
    package func paymentToken(_ world: World, maxMicros: Int64, singleUse: Bool = false, ttlSeconds: Int32 = 0) async throws -> String {
        try await identity(
            IdentityMethods.issuePaymentToken,
            IssuePaymentTokenRequest(providerID: world.providerID, maxAmountMicros: maxMicros, ttlSeconds: ttlSeconds, singleUse: singleUse),
            token: world.agentToken
        ).token
    }

    /// The world's provider charges `micros` under payment token `token`.
    package func charge(_ world: World, micros: Int64, with token: String, key: String = UUID().uuidString) async throws(RPCError) -> ChargeResponse {
        var request = ChargeRequest()
        request.amountMicros = micros
        return try await call(
            WalletMethods.charge, request, token: world.providerToken, key: key, metadata: ["agent-authorization": "Bearer \(token)"])
    }
}
