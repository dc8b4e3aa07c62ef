import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import Synchronization

/// What the Wallet needs to know about a provider.
package struct ProviderFacts: Sendable, Equatable {
    /// The category of a spend that names none ("" for none).
    package var defaultCategory: String
    /// The provider's slug, as spending policies name providers.
    package var slug: String
    /// The other categories the provider may be paid under.
    package var categories: Set<String>

    package init(defaultCategory: String, slug: String = "", categories: Set<String> = []) {
        self.defaultCategory = defaultCategory
        self.slug = slug
        self.categories = categories
    }

    /// Whether a spend in `category` (normalised, non-empty) may be paid to
    /// this provider: it is the default category or a registered one.
    package func accepts(_ category: String) -> Bool {
        category == defaultCategory || categories.contains(category)
    }
}

/// Facts owned by Identity (tenants' currencies, which agents exist, providers), fetched
/// over RPC as the `wallet` service principal and cached for `ttl`: providers
/// and currencies rarely change, and an agent's revocation reaches the Wallet
/// through `FreezeAccount`, not through this cache. Unknown ids are not
/// cached, so a newly created agent or provider is usable at once.
package final class IdentityDirectory: Sendable {
    private let client: RPCClient
    private let ttl: Duration
    private let cache = Mutex<Cache>(Cache())
    private let clock = ContinuousClock()

    private struct Cache {
        var currencies: [UUID: (String, ContinuousClock.Instant)] = [:]
        var agents: [AgentKey: ContinuousClock.Instant] = [:]
        var providers: [UUID: (ProviderFacts, ContinuousClock.Instant)] = [:]
    }

    private struct AgentKey: Hashable {
        var tenant: UUID
        var agent: UUID
    }

    /// Uses `client` (mutual TLS with the Wallet's certificate) to reach Identity.
    package init(client: RPCClient, ttl: Duration) {
        self.client = client
        self.ttl = ttl
    }

    /// The tenant's currency; `not_found` when Identity does not know the tenant.
    package func currency(of tenant: UUID) async throws(RPCError) -> String {
        let now = clock.now
        if let (currency, expiry) = cache.withLock({ $0.currencies[tenant] }), expiry > now { return currency }
        guard let found = try await fetch(IdentityMethods.getTenant, GetTenantRequest(tenantID: tenant.lowercased)) else {
            throw RPCError.notFound("tenant")
        }
        let currency = found.currency.isEmpty ? "USD" : found.currency
        cache.withLock { $0.currencies[tenant] = (currency, now.advanced(by: ttl)) }
        return currency
    }

    /// Passes when the agent exists in `tenant`; `not_found` otherwise (also
    /// for another tenant's agent). Whether it is revoked is the account's
    /// business: revocations reach the Wallet through `FreezeAccount`.
    package func requireAgent(_ agent: UUID, in tenant: UUID) async throws(RPCError) {
        let key = AgentKey(tenant: tenant, agent: agent)
        let now = clock.now
        if let expiry = cache.withLock({ $0.agents[key] }), expiry > now { return }
        guard let found = try await fetch(
            IdentityMethods.getAgent, GetAgentRequest(tenantID: tenant.lowercased, agentID: agent.lowercased)),
            found.tenantID == tenant.lowercased
        else {
            throw RPCError.notFound("agent")
        }
        cache.withLock { $0.agents[key] = now.advanced(by: ttl) }
    }

    /// The provider, or `nil` when Identity does not know it.
    package func provider(_ provider: UUID) async throws(RPCError) -> ProviderFacts? {
        let now = clock.now
        if let (facts, expiry) = cache.withLock({ $0.providers[provider] }), expiry > now { return facts }
        guard let found = try await fetch(IdentityMethods.getProvider, GetProviderRequest(providerID: provider.lowercased)) else {
            return nil
        }
        let facts = ProviderFacts(defaultCategory: found.defaultCategory, slug: found.slug, categories: Set(found.categories))
        cache.withLock { $0.providers[provider] = (facts, now.advanced(by: ttl)) }
        return facts
    }

    private func fetch<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request
    ) async throws(RPCError) -> Response? {
        do {
            return try await client.call(method, request, timeout: .seconds(5))
        } catch {
            if error.code == .notFound || error.code == .invalidArgument { return nil }
            throw RPCError.unavailable("Identity did not answer \(method.fullName): \(error.message)")
        }
    }
}

extension UUID {
    /// The canonical lowercase text form used on the wire.
    var lowercased: String { uuidString.lowercased() }
}
