import PurserAPI
import PurserKit
import PurserRPC
import Synchronization

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
/// for `ttl`. A revocation learnt from `DisableAgent` is not undone by a stale
/// cache entry: the service records revocations in its own table.
package final class IdentityDirectory: AgentDirectory {
    private let client: RPCClient
    private let ttl: Duration
    private let clock = ContinuousClock()
    private let agents = Mutex<[String: (AgentInfo, ContinuousClock.Instant)]>([:])
    private let tenants = Mutex<[String: (TenantInfo, ContinuousClock.Instant)]>([:])
    /// Most entries kept per cache; the whole cache is dropped beyond it.
    private let capacity = 50_000

    /// Uses `client` (connected to Identity with the service's certificate).
    package init(client: RPCClient, ttl: Duration) {
        self.client = client
        self.ttl = ttl
    }

    /// The agent from the cache, or from Identity's `GetAgent` (NOT_FOUND → `not_found`).
    package func agent(tenantID: String, agentID: String) async throws(RPCError) -> AgentInfo {
        let key = tenantID + "/" + agentID
        let now = clock.now
        if let (cached, expiry) = agents.withLock({ $0[key] }), expiry > now { return cached }
        let agent: Agent
        do {
            agent = try await client.call(
                IdentityMethods.getAgent, GetAgentRequest(tenantID: tenantID, agentID: agentID), timeout: .seconds(5))
        } catch {
            throw Self.map(error, what: "agent")
        }
        let info = AgentInfo(
            tenantID: tenantID, agentID: agentID, handle: agent.handle.lowercased(), revoked: agent.status == .revoked)
        store(info, key: key, in: agents, now: now)
        return info
    }

    /// The tenant from the cache, or from Identity's `GetTenant` (NOT_FOUND → `not_found`).
    package func tenant(tenantID: String) async throws(RPCError) -> TenantInfo {
        let now = clock.now
        if let (cached, expiry) = tenants.withLock({ $0[tenantID] }), expiry > now { return cached }
        let tenant: Tenant
        do {
            tenant = try await client.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: tenantID), timeout: .seconds(5))
        } catch {
            throw Self.map(error, what: "tenant")
        }
        let info = TenantInfo(
            tenantID: tenantID, slug: tenant.slug, emailDomain: tenant.emailDomain.lowercased(),
            adminCanReadMail: tenant.adminCanReadMail)
        store(info, key: tenantID, in: tenants, now: now)
        return info
    }

    private func store<V: Sendable>(
        _ value: V, key: String, in cache: borrowing Mutex<[String: (V, ContinuousClock.Instant)]>,
        now: ContinuousClock.Instant
    ) {
        let expiry = now.advanced(by: ttl)
        cache.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, expiry)
        }
    }

    private static func map(_ error: RPCError, what: String) -> RPCError {
        switch error.code {
        case .notFound, .invalidArgument: .notFound(what)
        default: .directoryUnavailable(error.description, cause: error)
        }
    }
}
