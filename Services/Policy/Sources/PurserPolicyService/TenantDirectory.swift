import Foundation
import PurserAPI
import PurserRPC
import Synchronization

/// What the Policy service needs from Identity, asked over mutual TLS as
/// service `policy` and cached for `ttl`: a tenant's time zone (policy windows
/// are fixed in it) and whether an agent belongs to a tenant (so another
/// tenant's agent ids answer NOT_FOUND).
///
/// Only answers are cached: Identity unreachable is `identityUnavailable`
/// every time, and a NOT_FOUND is cached for at most `ttl` like any answer.
package final class TenantDirectory: Sendable {
    private struct Cached<Value: Sendable>: Sendable {
        let value: Value
        let expires: ContinuousClock.Instant
    }

    private struct AgentKey: Hashable {
        let tenantID: String
        let agentID: String
    }

    private let client: RPCClient
    /// How long an answer from Identity is reused.
    package let ttl: Duration
    private let zones = Mutex<[String: Cached<TimeZone?>]>([:])
    private let agents = Mutex<[AgentKey: Cached<Bool>]>([:])
    private let clock = ContinuousClock()
    private static let capacity = 100_000

    /// A directory asking Identity through `client` (which presents this service's certificate).
    package init(client: RPCClient, ttl: Duration) {
        self.client = client
        self.ttl = ttl
    }

    /// The tenant's time zone (UTC when it sets none). Throws `notFound` for an
    /// unknown tenant, `identityUnavailable` when Identity cannot answer.
    package func timeZone(tenantID: String) async throws(RPCError) -> TimeZone {
        let now = clock.now
        if let cached = zones.withLock({ $0[tenantID] }), now < cached.expires {
            guard let zone = cached.value else { throw .notFound }
            return zone
        }
        let tenant: Tenant?
        do {
            tenant = try await client.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: tenantID), timeout: .seconds(3))
        } catch where error.code == .notFound {
            tenant = nil
        } catch {
            throw .identityUnavailable(error.description, cause: error)
        }
        var zone: TimeZone?
        if let tenant {
            let name = tenant.timeZone.isEmpty ? "UTC" : tenant.timeZone
            guard let known = TimeZone(identifier: name) else {
                throw .identityUnavailable("tenant time zone \"\(name)\" is unknown")
            }
            zone = known
        }
        let entry = Cached(value: zone, expires: now.advanced(by: ttl))
        zones.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[tenantID] = entry
        }
        guard let zone else { throw .notFound }
        return zone
    }

    /// Passes when agent `agentID` belongs to tenant `tenantID`; throws
    /// `notFound` otherwise (another tenant's agent looks like no agent).
    package func requireAgent(tenantID: String, agentID: String) async throws(RPCError) {
        let key = AgentKey(tenantID: tenantID, agentID: agentID)
        let now = clock.now
        if let cached = agents.withLock({ $0[key] }), now < cached.expires {
            guard cached.value else { throw .notFound }
            return
        }
        let exists: Bool
        do {
            let agent = try await client.call(
                IdentityMethods.getAgent, GetAgentRequest(tenantID: tenantID, agentID: agentID), timeout: .seconds(3))
            exists = agent.tenantID == tenantID
        } catch where error.code == .notFound {
            exists = false
        } catch {
            throw .identityUnavailable(error.description, cause: error)
        }
        let entry = Cached(value: exists, expires: now.advanced(by: ttl))
        agents.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = entry
        }
        guard exists else { throw .notFound }
    }
}
