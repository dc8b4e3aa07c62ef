import Foundation
import PurserAPI
import PurserClient

/// One tenant on a running `Deployment`, made through the public API as an
/// operator would: a funded agent, a provider, admin and finance keys, and a
/// token for each principal (issued once, so later calls work without
/// Identity while the tokens live).
struct SystemWorld {
    let tenantID: String
    let agentID: String
    let agentSecret: String
    let providerID: String
    let operatorToken: String
    let adminToken: String
    let financeToken: String
    let agentToken: String
    let providerToken: String

    /// Bootstraps the deployment's operator (once per deployment), creates the
    /// tenant, keys, provider and agent, funds the tenant with `agentMicros`
    /// and allocates all of it to the agent.
    static func make(on deployment: Deployment, agentMicros: Int64) async throws -> SystemWorld {
        let bootstrapper = deployment.client(.anonymous, certificate: "cli", retry: RetryPolicy())
        defer { bootstrapper.close() }
        let bootstrap = try await bootstrapper.identity().bootstrap(label: "system operator")
        let operatorClient = deployment.client(.secret(bootstrap.secret), retry: RetryPolicy())
        defer { operatorClient.close() }
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let tenant = try await operatorClient.identity().createTenant(CreateTenantRequest(slug: "crash-\(suffix)", name: "Crash Co"))
        var adminKey = CreateApiKeyRequest()
        adminKey.tenantID = tenant.id
        adminKey.role = .admin
        adminKey.label = "platform"
        let admin = try await operatorClient.identity().createApiKey(adminKey)
        var financeKey = adminKey
        financeKey.role = .finance
        financeKey.label = "books"
        let finance = try await operatorClient.identity().createApiKey(financeKey)
        var providerRequest = RegisterProviderRequest()
        providerRequest.slug = "search-\(suffix)"
        providerRequest.name = "Search API"
        providerRequest.defaultCategory = "search"
        let provider = try await operatorClient.identity().registerProvider(providerRequest)

        let adminClient = deployment.client(.secret(admin.secret), retry: RetryPolicy())
        defer { adminClient.close() }
        let agent = try await adminClient.identity().createAgent(CreateAgentRequest(tenantID: tenant.id, handle: "worker-\(suffix)"))
        var fund = FundRequest()
        fund.amountMicros = agentMicros
        fund.externalReference = "wire-\(suffix)"
        _ = try await adminClient.wallet().fund(fund)
        var allocate = AllocateRequest()
        allocate.agentID = agent.agent.id
        allocate.amountMicros = agentMicros
        _ = try await adminClient.wallet().allocate(allocate)

        let identity = try bootstrapper.identity()
        return SystemWorld(
            tenantID: tenant.id, agentID: agent.agent.id, agentSecret: agent.secret, providerID: provider.provider.id,
            operatorToken: try await identity.authenticate(secret: bootstrap.secret).token,
            adminToken: try await identity.authenticate(secret: admin.secret).token,
            financeToken: try await identity.authenticate(secret: finance.secret).token,
            agentToken: try await identity.authenticate(secret: agent.secret).token,
            providerToken: try await identity.authenticate(secret: provider.secret).token)
    }
}
