import PurserAPI
import PurserPolicy
import PurserRPC
import Synchronization

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

    private enum Lookup {
        case hit(Snapshot)
        case wait(Task<Snapshot, any Error>)
    }

    private enum Entry {
        case ready(Snapshot)
        case loading(Task<Snapshot, any Error>, started: ContinuousClock.Instant)
    }

    /// The TTL when the deployment sets none (`PURSER_WALLET_POLICY_CACHE_TTL`, read by the Wallet).
    package static let defaultTTL: Duration = .seconds(1)

    private let client: RPCClient
    /// How long a snapshot may be served after its fetch was sent.
    package let ttl: Duration
    /// Bound on one fetch from Policy.
    package let timeout: Duration
    /// Most agents cached at once; beyond, expired entries are dropped first, then everything.
    package let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])
    private let clock = ContinuousClock()

    /// A cache over `client`, which must reach Policy and present the
    /// caller's service certificate (Policy serves `wallet` only for this).
    package init(client: RPCClient, ttl: Duration = PolicyClient.defaultTTL, timeout: Duration = .seconds(2), capacity: Int = 100_000) {
        self.client = client
        self.ttl = ttl
        self.timeout = timeout
        self.capacity = max(1, capacity)
    }

    /// The effective policy of agent `agentID` of tenant `tenantID`, at most
    /// `ttl` older than the latest committed version. Throws
    /// `RPCError` when it cannot be had; the caller must then refuse.
    package func effectivePolicy(tenantID: String, agentID: String) async throws(RPCError) -> Snapshot {
        let key = Key(tenantID: tenantID, agentID: agentID)
        let now = clock.now
        let lookup: Lookup = entries.withLock { entries in
            switch entries[key] {
            case .ready(let snapshot) where now < snapshot.fetchedAt.advanced(by: ttl):
                return .hit(snapshot)
            case .loading(let task, let started) where now < started.advanced(by: ttl):
                return .wait(task)
            default:
                if entries.count >= capacity { evict(&entries, now: now) }
                let task = Task { [client, timeout] in
                    try await Self.fetch(key, client: client, timeout: timeout, started: now)
                }
                entries[key] = .loading(task, started: now)
                return .wait(task)
            }
        }
        let task: Task<Snapshot, any Error>
        switch lookup {
        case .hit(let snapshot): return snapshot
        case .wait(let waiting): task = waiting
        }
        do {
            let snapshot = try await task.value
            entries.withLock { entries in
                if case .loading(let current, _) = entries[key], current == task { entries[key] = .ready(snapshot) }
            }
            return snapshot
        } catch {
            entries.withLock { entries in
                if case .loading(let current, _) = entries[key], current == task { entries[key] = nil }
            }
            if let error = error as? RPCError { throw error }
            throw RPCError(.unavailable, "policy fetch failed: \(error)", reason: "policy_unavailable", cause: error)
        }
    }

    /// Drops the cached policy of one agent, so the next call fetches it.
    package func invalidate(tenantID: String, agentID: String) {
        _ = entries.withLock { $0.removeValue(forKey: Key(tenantID: tenantID, agentID: agentID)) }
    }

    /// Drops the cached policies of every agent of one tenant (its policies
    /// changed), so the next call of each fetches.
    package func invalidate(tenantID: String) {
        entries.withLock { entries in
            entries = entries.filter { $0.key.tenantID != tenantID }
        }
    }

    /// Number of agents currently cached (fresh or not).
    package var cachedCount: Int { entries.withLock { $0.count } }

    private func evict(_ entries: inout [Key: Entry], now: ContinuousClock.Instant) {
        let ttl = self.ttl
        entries = entries.filter { _, entry in
            switch entry {
            case .ready(let snapshot): now < snapshot.fetchedAt.advanced(by: ttl)
            case .loading: true
            }
        }
        if entries.count >= capacity { entries.removeAll() }
    }

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
