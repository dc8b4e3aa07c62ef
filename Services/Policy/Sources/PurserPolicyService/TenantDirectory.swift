import Foundation
import PurserAPI
import PurserRPC
import PurserService

/// What the Policy service needs from Identity, asked over mutual TLS as
/// service `policy` and cached for `ttl` (a `TTLCache` each): a tenant's time
/// zone (policy windows are fixed in it), whether an agent belongs to a
/// tenant (so another tenant's agent ids answer NOT_FOUND) and, when it does,
/// its ancestors (whose overrides its effective policy merges). An agent's
/// ancestry is fixed at its creation, so a cached one is never wrong.
///
/// Only answers are cached: Identity unreachable is `identityUnavailable`
/// every time. A tenant's NOT_FOUND is cached for at most `ttl` like any
/// answer; an agent's is never cached, and its ancestry, which never
/// changes, is kept for a day (so the Wallet's policy fetches rarely wait on
/// Identity).
package final class TenantDirectory: Sendable {
    private struct AgentKey: Hashable {
        let tenantID: String
        let agentID: String
    }

    private let client: RPCClient
    /// How long an answer from Identity is reused.
    package let ttl: Duration
    /// Time zones by tenant id; `nil` for a tenant Identity does not know.
    private let zones: TTLCache<String, TimeZone?>
    /// The ancestors of an agent (root first, parent last) when it belongs to the tenant.
    private let agents: TTLCache<AgentKey, [String]>

    /// A directory asking Identity through `client` (which presents this
    /// service's certificate); each cache keeps up to `capacity` entries.
    package init(client: RPCClient, ttl: Duration, capacity: Int = 100_000) {
        self.client = client
        self.ttl = ttl
        self.zones = TTLCache(ttl: ttl, capacity: capacity)
        self.agents = TTLCache(ttl: .seconds(86_400), capacity: capacity)
    }

    /// The tenant's time zone (UTC when it sets none). Throws `notFound` for an
    /// unknown tenant, `identityUnavailable` when Identity cannot answer.
    package func timeZone(tenantID: String) async throws(RPCError) -> TimeZone {
        let zone = try await zones.value(for: tenantID) { [client] () async throws(RPCError) -> TimeZone? in
            let tenant: Tenant
            do throws(RPCError) {
                tenant = try await client.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: tenantID), timeout: .seconds(3))
            } catch where error.code == .notFound {
                return nil
            } catch {
                throw .identityUnavailable(error.description, cause: error)
            }
            let name = tenant.timeZone.isEmpty ? "UTC" : tenant.timeZone
            guard let known = TimeZone(identifier: name) else {
                throw .identityUnavailable("tenant time zone \"\(name)\" is unknown")
            }
            return known
        }
        guard let zone else { throw .notFound }
        return zone
    }

    /// Passes when agent `agentID` belongs to tenant `tenantID`; throws
    /// `notFound` otherwise (another tenant's agent looks like no agent).
    package func requireAgent(tenantID: String, agentID: String) async throws(RPCError) {
        _ = try await ancestors(tenantID: tenantID, agentID: agentID)
    }

    /// The ancestors of agent `agentID`, the root first and the parent last
    /// (empty for a root agent); throws `notFound` when the agent does not
    /// belong to tenant `tenantID`, `identityUnavailable` when Identity cannot answer.
    package func ancestors(tenantID: String, agentID: String) async throws(RPCError) -> [String] {
        try await agents.value(for: AgentKey(tenantID: tenantID, agentID: agentID)) {
            [client] () async throws(RPCError) -> [String] in
            let agent: Agent
            do throws(RPCError) {
                agent = try await client.call(
                    IdentityMethods.getAgent, GetAgentRequest(tenantID: tenantID, agentID: agentID), timeout: .seconds(3))
            } catch where error.code == .notFound {
                throw .notFound
            } catch {
                throw .identityUnavailable(error.description, cause: error)
            }
            guard agent.tenantID == tenantID else { throw .notFound }
            return agent.ancestorIDs
        }
    }
}
