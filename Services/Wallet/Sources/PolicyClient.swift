import PurserAPI
import PurserPolicy
import PurserRPC
import PurserService

/// The Wallet's view of spending policies: the effective policy of an agent,
/// fetched from `Policy/GetEffectivePolicy` over the caller's (mutual TLS)
/// `RPCClient` and cached per agent for `ttl`.
///
/// Freshness bound: a cached policy is served only while less than `ttl` has
/// passed since its fetch was *sent*, so every version committed more than
/// `ttl` before a call is visible to that call. With the default TTL of one
/// second a policy change reaches every authorization within one second.
///
/// Fails closed: when Policy cannot be reached, answers an error, or answers
/// something unusable, the call throws `RPCError` (UNAVAILABLE
/// `policy_unavailable` or `policy_invalid_response`; the Wallet answers
/// `RPCError.policyUnavailable` of it); an expired entry is never
/// served as a fallback. Concurrent misses for one agent share one fetch.
package final class PolicyClient: Sendable {
    /// One fetched effective policy.
    package struct Snapshot: Sendable {
        package let tenantID: String
        package let agentID: String
        /// The merged policy, ready for `PolicyEngine.evaluate`; its zone is the tenant's.
        package let policy: EffectivePolicy
        package let tenantVersion: Int64
        package let agentVersion: Int64
        /// Changes whenever either document or the tenant's time zone changes.
        package let etag: String
        /// The tenant's policy epoch the snapshot holds every change up to.
        package let epoch: Int64
        /// When the fetch that produced this snapshot was sent.
        package let fetchedAt: ContinuousClock.Instant
    }

    private struct Key: Hashable {
        let tenantID: String
        let agentID: String
    }

    /// The TTL when the deployment sets none (`PURSER_WALLET_POLICY_CACHE_TTL`, read by the Wallet).
    package static let defaultTTL: Duration = .seconds(1)

    private let client: RPCClient
    /// How long a snapshot may be served after its fetch was sent.
    package var ttl: Duration { snapshots.ttl }
    /// Bound on one fetch from Policy.
    package let timeout: Duration
    /// Most agents cached; past it, expired entries are dropped first, then all.
    package var capacity: Int { snapshots.capacity }
    private let snapshots: TTLCache<Key, Snapshot>

    /// A cache over `client`, which must reach Policy and present the
    /// caller's service certificate (Policy serves `wallet` only for this).
    package init(client: RPCClient, ttl: Duration = PolicyClient.defaultTTL, timeout: Duration = .seconds(2), capacity: Int = 100_000) {
        self.client = client
        self.timeout = timeout
        self.snapshots = TTLCache(ttl: ttl, capacity: capacity)
    }

    /// The effective policy of agent `agentID` of tenant `tenantID`, at most
    /// `ttl` older than the latest committed version. Throws
    /// `RPCError` when it cannot be had; the caller must then refuse.
    package func effectivePolicy(tenantID: String, agentID: String) async throws(RPCError) -> Snapshot {
        let key = Key(tenantID: tenantID, agentID: agentID)
        return try await snapshots.value(for: key) { [client, timeout] () async throws(RPCError) -> Snapshot in
            try await Self.fetch(key, client: client, timeout: timeout, started: ContinuousClock.now)
        }
    }

    /// Drops the cached policy of one agent, so the next call fetches it.
    package func invalidate(tenantID: String, agentID: String) {
        snapshots.invalidate(Key(tenantID: tenantID, agentID: agentID))
    }

    /// Drops the cached policies of every agent of one tenant (its policies
    /// changed), so the next call of each fetches.
    package func invalidate(tenantID: String) {
        snapshots.invalidate { $0.tenantID == tenantID }
    }

    /// Number of agents currently cached (fresh or not).
    package var cachedCount: Int { snapshots.count }

    private static func fetch(
        _ key: Key, client: RPCClient, timeout: Duration, started: ContinuousClock.Instant
    ) async throws(RPCError) -> Snapshot {
        let view: EffectivePolicyView
        do {
            view = try await client.call(
                PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: key.tenantID, agentID: key.agentID),
                timeout: timeout)
        } catch {
            throw RPCError.policyFetchFailed(error)
        }
        return Snapshot(
            tenantID: key.tenantID, agentID: key.agentID, policy: try view.enginePolicy(),
            tenantVersion: view.tenantVersion, agentVersion: view.agentVersion, etag: view.etag, epoch: view.policyEpoch,
            fetchedAt: started)
    }
}
