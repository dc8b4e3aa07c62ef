import Foundation
import PurserAPI
import PurserRPC

/// One tenant with `agents` funded agents, each with a token minted once
/// through Identity, a provider they pay, and a tenant policy with a per-call
/// maximum, a category allow list and hourly, daily and lifetime limits, so
/// every authorization is evaluated and counted against real caps (set high
/// enough never to refuse the bench's amounts).
struct BenchWorld: Sendable {
    struct Agent: Sendable {
        let id: String
        let token: String
        /// `handle@tenant-slug`, as a payer of another tenant names it.
        let name: String
    }

    let tenantID: String
    let providerID: String
    let agents: [Agent]
    /// The tenant admin's token.
    let adminToken: String

    /// Bootstraps the operator key (once per Identity database) over mutual
    /// TLS and returns a token for it.
    static func operatorToken(_ system: BenchSystem) async throws -> String {
        let bootstrapClient = try BenchSystem.client(
            port: system.identityPort, certificates: system.certificates, certificate: "test-client", connections: 1,
            logger: system.logger)
        defer { bootstrapClient.close() }
        let bootstrap = try await bootstrapClient.call(IdentityMethods.bootstrap, BootstrapRequest(label: "bench"), timeout: .seconds(30))
        return try await system.token(bootstrap.secret)
    }

    /// Creates, as the operator, the tenant, its admin, the provider and the
    /// agents, funds the tenant with `micros` per agent (one Fund per agent, so
    /// each call stays within the Wallet's per-call maximum) and allocates
    /// `micros` to every agent. With `acceptsOtherTenants` agents of other
    /// tenants may pay the tenant's agents.
    static func make(
        _ system: BenchSystem, operatorToken: String, slug: String, agents count: Int, micros: Int64,
        acceptsOtherTenants: Bool = false
    ) async throws -> BenchWorld {
        let tenant = try await system.callIdentity(
            IdentityMethods.createTenant,
            CreateTenantRequest(slug: slug, name: "Bench \(slug)", acceptsPaymentsFromOtherTenants: acceptsOtherTenants),
            token: operatorToken)
        var adminKey = CreateApiKeyRequest()
        adminKey.tenantID = tenant.id
        adminKey.role = .admin
        adminKey.label = "admin"
        let admin = try await system.callIdentity(IdentityMethods.createApiKey, adminKey, token: operatorToken)
        let adminToken = try await system.token(admin.secret)
        let provider = try await system.callIdentity(
            IdentityMethods.registerProvider,
            RegisterProviderRequest(slug: "\(slug)-api", name: "API of \(slug)", defaultCategory: "inference"), token: operatorToken)

        _ = try await system.callPolicy(
            PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: policyDocument),
            token: adminToken)

        var agents: [Agent] = []
        for index in 0..<count {
            var fund = FundRequest()
            fund.tenantID = tenant.id
            fund.amountMicros = micros
            fund.externalReference = "bench-\(slug)-\(index)"
            _ = try await system.callWallet(WalletMethods.fund, fund, token: operatorToken)
            let created = try await system.callIdentity(
                IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenant.id, handle: "\(slug)-agent-\(index)"),
                token: adminToken)
            var allocate = AllocateRequest()
            allocate.agentID = created.agent.id
            allocate.amountMicros = micros
            _ = try await system.callWallet(WalletMethods.allocate, allocate, token: adminToken)
            agents.append(Agent(id: created.agent.id, token: try await system.token(created.secret), name: "\(slug)-agent-\(index)@\(slug)"))
        }
        return BenchWorld(tenantID: tenant.id, providerID: provider.provider.id, agents: agents, adminToken: adminToken)
    }

    /// Caps far above what a bench run spends (an agent authorizes well under
    /// 10,000 × 0.01 a second), so they are checked and counted but never bind.
    static let policyDocument = """
        {"per_call_max": "1.00", "allowed_categories": ["inference"],
         "limits": [{"amount": "1000000.00", "interval": "hourly"},
                    {"amount": "10000000.00", "interval": "daily"},
                    {"amount": "100000000.00", "interval": "lifetime"}]}
        """

    /// The Wallet's view of `agent`'s balance, asked as the agent.
    func balance(_ system: BenchSystem, of agent: Agent) async throws(RPCError) -> WalletBalance {
        var request = GetBalanceRequest()
        request.agentID = agent.id
        return try await system.wallet.call(
            WalletMethods.getBalance, request, metadata: ["authorization": "Bearer \(agent.token)"], timeout: .seconds(30))
    }
}
