import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserService

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

/// What the Wallet needs to know about a tenant.
package struct TenantFacts: Sendable, Equatable {
    /// ISO 4217 code of the tenant's money.
    package var currency: String
    /// Whether agents of other tenants may pay the tenant's agents.
    package var acceptsPaymentsFromOtherTenants: Bool
}

/// An agent found by its name `handle@tenant-slug`, in whichever tenant.
package struct FoundAgent: Sendable, Hashable {
    package var id: UUID
    package var tenant: UUID
}

/// Facts owned by Identity (tenants' currencies and settings, which agents exist, providers), fetched
/// over RPC as the `wallet` service principal and cached for `ttl` (a `TTLCache` each):
/// providers and currencies rarely change, and an agent's revocation reaches the Wallet
/// through `FreezeAccount`, not through this cache. Unknown ids are not
/// cached, so a newly created agent or provider is usable at once.
package final class IdentityDirectory: Sendable {
    let client: RPCClient
    private let tenants: TTLCache<UUID, TenantFacts>
    private let agents: TTLCache<AgentKey, Void>
    private let providers: TTLCache<UUID, ProviderFacts>
    private let handles: TTLCache<AgentName, FoundAgent>
    /// Ancestries never change, so they are kept for a day (the capacity bounds them).
    private let ancestries: TTLCache<AgentKey, [UUID]>

    private struct AgentKey: Hashable {
        var tenant: UUID
        var agent: UUID
    }

    /// Uses `client` (mutual TLS with the Wallet's certificate) to reach Identity;
    /// each cache keeps up to `capacity` entries.
    package init(client: RPCClient, ttl: Duration, capacity: Int = 100_000) {
        self.client = client
        self.tenants = TTLCache(ttl: ttl, capacity: capacity)
        self.agents = TTLCache(ttl: ttl, capacity: capacity)
        self.providers = TTLCache(ttl: ttl, capacity: capacity)
        self.handles = TTLCache(ttl: ttl, capacity: capacity)
        self.ancestries = TTLCache(ttl: .seconds(86_400), capacity: capacity)
    }

    /// The ancestors of `agent` in `tenant`, the root first and its parent
    /// last (empty for a root agent); `not_found` for an unknown agent or
    /// another tenant's. Cached: an agent's ancestry never changes.
    package func ancestors(of agent: UUID, in tenant: UUID) async throws(RPCError) -> [UUID] {
        try await ancestries.value(for: AgentKey(tenant: tenant, agent: agent)) { [self] () async throws(RPCError) -> [UUID] in
            guard let found = try await fetch(
                IdentityMethods.getAgent, GetAgentRequest(tenantID: tenant.lowercased, agentID: agent.lowercased)),
                found.tenantID == tenant.lowercased
            else {
                throw RPCError.notFound("agent")
            }
            var ancestors: [UUID] = []
            for text in found.ancestorIDs {
                guard let id = UUID(uuidString: text) else {
                    throw RPCError.unavailable("Identity answered an ancestor that is not a UUID")
                }
                ancestors.append(id)
            }
            return ancestors
        }
    }

    /// Passes when `ancestor` is a strict ancestor of `agent` in `tenant`;
    /// `not_found` (for `agent`) otherwise, as for another tenant's agent.
    package func requireAncestor(_ ancestor: UUID, of agent: UUID, in tenant: UUID) async throws(RPCError) {
        guard try await ancestors(of: agent, in: tenant).contains(ancestor) else { throw RPCError.notFound("agent") }
    }

    /// The tenant's currency; `not_found` when Identity does not know the tenant.
    package func currency(of tenant: UUID) async throws(RPCError) -> String {
        try await facts(of: tenant).currency
    }

    /// The tenant's currency and settings; `not_found` when Identity does not
    /// know the tenant. A changed setting is seen within the cache's lifetime.
    package func facts(of tenant: UUID) async throws(RPCError) -> TenantFacts {
        try await tenants.value(for: tenant) { [self] () async throws(RPCError) -> TenantFacts in
            guard let found = try await fetch(IdentityMethods.getTenant, GetTenantRequest(tenantID: tenant.lowercased)) else {
                throw RPCError.notFound("tenant")
            }
            return TenantFacts(
                currency: found.currency.isEmpty ? "USD" : found.currency,
                acceptsPaymentsFromOtherTenants: found.acceptsPaymentsFromOtherTenants)
        }
    }

    /// Passes when the agent exists in `tenant`; `not_found` otherwise (also
    /// for another tenant's agent). Whether it is revoked is the account's
    /// business: revocations reach the Wallet through `FreezeAccount`.
    package func requireAgent(_ agent: UUID, in tenant: UUID) async throws(RPCError) {
        try await agents.value(for: AgentKey(tenant: tenant, agent: agent)) { [self] () async throws(RPCError) in
            guard let found = try await fetch(
                IdentityMethods.getAgent, GetAgentRequest(tenantID: tenant.lowercased, agentID: agent.lowercased)),
                found.tenantID == tenant.lowercased
            else {
                throw RPCError.notFound("agent")
            }
        }
    }

    /// The agent `name` (`handle@tenant-slug`) with its tenant, whichever
    /// tenant the slug names; `nil` when there is no such agent.
    package func agent(named name: AgentName) async throws(RPCError) -> FoundAgent? {
        do {
            return try await handles.value(for: name) { [self] () async throws(RPCError) -> FoundAgent in
                var request = FindAgentRequest()
                request.tenantSlug = name.tenantSlug
                request.handle = name.handle
                guard let found = try await fetch(IdentityMethods.findAgent, request),
                    let id = UUID(uuidString: found.id), let tenant = UUID(uuidString: found.tenantID)
                else {
                    throw RPCError.notFound("agent")
                }
                return FoundAgent(id: id, tenant: tenant)
            }
        } catch where error.code == .notFound {
            return nil
        }
    }

    /// The provider, or `nil` when Identity does not know it.
    package func provider(_ provider: UUID) async throws(RPCError) -> ProviderFacts? {
        do {
            return try await providers.value(for: provider) { [self] () async throws(RPCError) -> ProviderFacts in
                guard let found = try await fetch(IdentityMethods.getProvider, GetProviderRequest(providerID: provider.lowercased))
                else {
                    throw RPCError.notFound("provider")
                }
                return ProviderFacts(defaultCategory: found.defaultCategory, slug: found.slug, categories: Set(found.categories))
            }
        } catch where error.code == .notFound {
            return nil
        }
    }

    private func fetch<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request
    ) async throws(RPCError) -> Response? {
        do {
            return try await client.call(method, request, timeout: .seconds(5))
        } catch {
            if error.code == .notFound || error.code == .invalidArgument { return nil }
            throw RPCError.unavailable("Identity did not answer \(method.fullName): \(error.message)", cause: error)
        }
    }
}

extension UUID {
    /// The canonical lowercase text form used on the wire.
    var lowercased: String { uuidString.lowercased() }
}
