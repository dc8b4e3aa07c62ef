import PurserAPI
import PurserKit
import PurserRPC
import PurserService

/// What the Email-alias service needs to know about an agent: its handle and
/// whether Identity has revoked it.
package struct AgentInfo: Sendable, Hashable {
    package var tenantID: String
    package var agentID: String
    package var handle: String
    package var revoked: Bool

    /// An agent as the directory reports it.
    package init(tenantID: String, agentID: String, handle: String, revoked: Bool) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.handle = handle
        self.revoked = revoked
    }
}

/// What the Email-alias service needs to know about a tenant.
package struct TenantInfo: Sendable, Hashable {
    package var tenantID: String
    package var slug: String
    /// Domain of its agents' primary addresses; empty = the default domain.
    package var emailDomain: String
    /// Whether tenant admins may read agents' mail (off by default).
    package var adminCanReadMail: Bool

    /// A tenant as the directory reports it.
    package init(tenantID: String, slug: String, emailDomain: String, adminCanReadMail: Bool) {
        self.tenantID = tenantID
        self.slug = slug
        self.emailDomain = emailDomain
        self.adminCanReadMail = adminCanReadMail
    }
}

/// Where agents and tenants are looked up. Throws `RPCError` (`not_found`
/// for an unknown agent or tenant, `identity_unavailable` when the source
/// cannot be reached).
package protocol AgentDirectory: Sendable {
    /// The agent `agentID` of `tenantID`.
    func agent(tenantID: String, agentID: String) async throws(RPCError) -> AgentInfo
    /// The tenant `tenantID`.
    func tenant(tenantID: String) async throws(RPCError) -> TenantInfo
}

/// The `AgentDirectory` backed by Identity's `GetAgent` and `GetTenant`,
/// called as the `email` service principal (mutual TLS), with answers reused
/// for `ttl` (a `TTLCache` each; failures are not cached). A revocation learnt
/// from `DisableAgent` is not undone by a stale cache entry: the service
/// records revocations in its own table.
package final class IdentityDirectory: AgentDirectory {
    private let client: RPCClient
    private let agents: TTLCache<String, AgentInfo>
    private let tenants: TTLCache<String, TenantInfo>

    /// Uses `client` (connected to Identity with the service's certificate);
    /// each cache keeps up to `capacity` entries.
    package init(client: RPCClient, ttl: Duration, capacity: Int = 50_000) {
        self.client = client
        self.agents = TTLCache(ttl: ttl, capacity: capacity)
        self.tenants = TTLCache(ttl: ttl, capacity: capacity)
    }

    /// The agent from the cache, or from Identity's `GetAgent` (NOT_FOUND → `not_found`).
    package func agent(tenantID: String, agentID: String) async throws(RPCError) -> AgentInfo {
        try await agents.value(for: tenantID + "/" + agentID) { [client] () async throws(RPCError) -> AgentInfo in
            let agent: Agent
            do throws(RPCError) {
                agent = try await client.call(
                    IdentityMethods.getAgent, GetAgentRequest(tenantID: tenantID, agentID: agentID), timeout: .seconds(5))
            } catch {
                throw Self.map(error, what: "agent")
            }
            return AgentInfo(
                tenantID: tenantID, agentID: agentID, handle: agent.handle.lowercased(), revoked: agent.status == .revoked)
        }
    }

    /// The tenant from the cache, or from Identity's `GetTenant` (NOT_FOUND → `not_found`).
    package func tenant(tenantID: String) async throws(RPCError) -> TenantInfo {
        try await tenants.value(for: tenantID) { [client] () async throws(RPCError) -> TenantInfo in
            let tenant: Tenant
            do throws(RPCError) {
                tenant = try await client.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: tenantID), timeout: .seconds(5))
            } catch {
                throw Self.map(error, what: "tenant")
            }
            return TenantInfo(
                tenantID: tenantID, slug: tenant.slug, emailDomain: tenant.emailDomain.lowercased(),
                adminCanReadMail: tenant.adminCanReadMail)
        }
    }

    private static func map(_ error: RPCError, what: String) -> RPCError {
        switch error.code {
        case .notFound, .invalidArgument: .notFound(what)
        default: .directoryUnavailable(error.description, cause: error)
        }
    }
}
