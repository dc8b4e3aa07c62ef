import Foundation
import PurserAPI
import PurserAuth
import PurserPolicy

extension PolicyService {
    /// `GetEffectivePolicy`: the tenant default merged with the agent's
    /// override (or the default alone when `agent_id` is empty), each rule
    /// with the document it comes from, plus both documents and the tenant's
    /// time zone. Tenant admin or finance (the agent must belong to the
    /// tenant), the agent itself (an empty `agent_id` means itself), or service
    /// `wallet`. Any other agent id answers NOT_FOUND.
    func getEffectivePolicy(_ request: GetEffectivePolicyRequest, _ principal: Principal) async throws
        -> EffectivePolicyView
    {
        var agentText = request.agentID
        if case .agent(_, let ownID) = principal, agentText.isEmpty { agentText = ownID }
        let tenantID = try Self.uuid(request.tenantID, field: "tenant_id")
        let agentID = try agentText.isEmpty ? nil : Self.uuid(agentText, field: "agent_id")
        switch principal {
        case .service:
            break  // only the Wallet, as registered
        case .agent:
            try principal.requireAgent(agentText, inTenant: request.tenantID)
        default:
            try principal.requireTenant(request.tenantID)
            if agentID != nil { try await directory.requireAgent(tenantID: request.tenantID, agentID: agentText) }
        }
        let resolved = try await resolve(tenantID: tenantID, tenantText: request.tenantID, agentID: agentID)
        return Self.view(resolved, tenantID: request.tenantID, agentID: agentID == nil ? "" : agentText)
    }

    /// The current documents of an agent, its tenant's zone and their merge.
    struct ResolvedPolicy {
        var documents: CurrentDocuments
        var zone: TimeZone
        var policy: EffectivePolicy

        var etag: String { "\(documents.tenantVersion).\(documents.agentVersion).\(zone.identifier)" }
    }

    func resolve(tenantID: UUID, tenantText: String, agentID: UUID?) async throws -> ResolvedPolicy {
        let zone = try await directory.timeZone(tenantID: tenantText)
        let documents = try await store.current(tenantID: tenantID, agentID: agentID)
        return ResolvedPolicy(
            documents: documents, zone: zone,
            policy: EffectivePolicy.merge(tenant: documents.tenant, agent: documents.agent, timeZone: zone))
    }

    static func view(_ resolved: ResolvedPolicy, tenantID: String, agentID: String) -> EffectivePolicyView {
        let policy = resolved.policy
        var view = EffectivePolicyView()
        view.tenantID = tenantID
        view.agentID = agentID
        view.tenantVersion = resolved.documents.tenantVersion
        view.agentVersion = resolved.documents.agentVersion
        view.etag = resolved.etag
        view.timeZone = resolved.zone.identifier
        view.tenantDocumentJSON = resolved.documents.tenantJSON
        view.agentDocumentJSON = resolved.documents.agentJSON
        view.policyEpoch = resolved.documents.epoch
        if let perCall = policy.perCallMax {
            var rule = PerCallMaxView()
            rule.amountMicros = perCall.amount
            rule.source = source(perCall.source)
            rule.rule = perCall.rule
            view.perCallMax = rule
        }
        view.limits = policy.limits.map { effective in
            var limit = EffectiveLimitView()
            limit.limitID = effective.limitID
            limit.interval = effective.limit.interval.rawValue
            limit.amountMicros = effective.limit.amount
            limit.count = Int64(effective.limit.count ?? 0)
            limit.categories = effective.limit.categories ?? []
            limit.source = source(effective.source)
            limit.index = Int32(clamping: effective.index)
            limit.rule = effective.rule
            return limit
        }
        view.allowedCategories = policy.allowedCategories.map(allowList)
        view.allowedProviders = policy.allowedProviders.map(allowList)
        view.blockedCategories = blocked(policy.blockedCategories)
        view.blockedProviders = blocked(policy.blockedProviders)
        return view
    }

    static func source(_ source: RuleSource) -> RuleSourceView {
        RuleSourceView(level: source.level == .tenant ? .tenant : .agent, version: Int64(source.version))
    }

    private static func allowList(_ rule: AllowListRule) -> AllowListView {
        var view = AllowListView()
        view.names = rule.names.sorted()
        view.sources = rule.sources.map(source)
        return view
    }

    private static func blocked(_ names: [String: RuleSource]) -> [BlockedNameView] {
        names.keys.sorted().compactMap { name in
            guard let origin = names[name] else { return nil }
            var entry = BlockedNameView()
            entry.name = name
            entry.source = source(origin)
            return entry
        }
    }
}
