import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserTestSupport

extension Deployment {
    /// An RPC client of `service` that trusts the test CA and, when
    /// `certificate` names a test identity, presents it. Calls are never
    /// retried, so every failure is seen as it happened.
    func client(_ service: String, certificate: String? = nil) throws -> RPCClient {
        guard let port = ports[service] else { throw StartFailure(description: "no service named \(service)") }
        return try TestRPC.client(port: port, certificate: certificate, logger: Logger(label: "system-test", level: .error))
    }

    /// Creates, through Identity and the Wallet over RPC, an operator (bootstrapped
    /// with the `cli` certificate, unless `operatorToken` is given: Identity
    /// bootstraps once), one tenant with admin and finance keys (accepting
    /// payments from other tenants when `acceptsOtherTenants`), a provider and
    /// `agents` agents (handles `agent-<index>`), funds the tenant and
    /// allocates `allocation` µ-units to every agent.
    func makeWorld(
        agents count: Int, allocation: Int64, operatorToken givenOperatorToken: String? = nil, acceptsOtherTenants: Bool = false
    ) async throws -> World {
        let bootstrap = try client("identity", certificate: "cli")
        let identity = try client("identity")
        let wallet = try client("wallet")
        defer {
            bootstrap.close()
            identity.close()
            wallet.close()
        }
        func token(_ secret: String) async throws -> String {
            try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: ""), timeout: .seconds(20)).token
        }
        func bearer(_ token: String) -> Metadata { ["authorization": "Bearer \(token)"] }
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()

        let operatorToken: String
        if let givenOperatorToken {
            operatorToken = givenOperatorToken
        } else {
            let operatorSecret = try await bootstrap.call(
                IdentityMethods.bootstrap, BootstrapRequest(label: "system operator"), timeout: .seconds(20)).secret
            operatorToken = try await token(operatorSecret)
        }
        let tenant = try await identity.call(
            IdentityMethods.createTenant,
            CreateTenantRequest(slug: "system-\(suffix)", name: "System Tenant", acceptsPaymentsFromOtherTenants: acceptsOtherTenants),
            metadata: bearer(operatorToken), timeout: .seconds(20))
        let admin = try await identity.call(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .admin, label: "admin"),
            metadata: bearer(operatorToken), timeout: .seconds(20))
        let finance = try await identity.call(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .finance, label: "finance"),
            metadata: bearer(operatorToken), timeout: .seconds(20))
        let adminToken = try await token(admin.secret)
        let provider = try await identity.call(
            IdentityMethods.registerProvider,
            RegisterProviderRequest(slug: "api-\(suffix)", name: "Metered API", defaultCategory: "inference", categories: ["search"]),
            metadata: bearer(operatorToken), timeout: .seconds(20))

        var fund = FundRequest()
        fund.tenantID = tenant.id
        fund.amountMicros = allocation * Int64(count)
        fund.externalReference = "wire-\(suffix)"
        _ = try await wallet.call(
            WalletMethods.fund, fund, metadata: ["authorization": "Bearer \(operatorToken)", "idempotency-key": UUID().uuidString],
            timeout: .seconds(20))
        var agents: [World.Agent] = []
        for index in 0..<count {
            let created = try await identity.call(
                IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenant.id, handle: "agent-\(index)"),
                metadata: bearer(adminToken), timeout: .seconds(20))
            var allocate = AllocateRequest()
            allocate.agentID = created.agent.id
            allocate.amountMicros = allocation
            _ = try await wallet.call(
                WalletMethods.allocate, allocate, metadata: ["authorization": "Bearer \(adminToken)", "idempotency-key": UUID().uuidString],
                timeout: .seconds(20))
            agents.append(World.Agent(id: created.agent.id, secret: created.secret, token: try await token(created.secret)))
        }
        return World(
            tenantID: tenant.id, tenantSlug: tenant.slug, operatorToken: operatorToken, adminToken: adminToken, financeToken: try await token(finance.secret),
            providerID: provider.provider.id, providerToken: try await token(provider.secret), agents: agents,
            allocation: allocation)
    }

    /// The principals one system test acts as. Tokens are issued once and last
    /// the default 15 minutes, so calls keep working while Identity is down.
    struct World: Sendable {
        struct Agent: Sendable {
            let id: String
            let secret: String
            let token: String
        }

        let tenantID: String
        let tenantSlug: String
        let operatorToken: String
        let adminToken: String
        let financeToken: String
        let providerID: String
        let providerToken: String
        let agents: [Agent]
        /// µ-units allocated to every agent.
        let allocation: Int64

        /// The first agent, for tests that need only one.
        var agent: Agent { agents[0] }
    }
}
