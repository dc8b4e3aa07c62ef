import Foundation
import PurserAPI
import PurserAuth
import PurserPolicy

extension PolicyService {
    /// `GetEffectivePolicy`: the tenant default merged with the overrides of
    /// the agent's ancestors (root first) and its own (or the default alone
    /// when `agent_id` is empty), each rule with the document and agent it
    /// comes from, plus every merged document and the tenant's time zone.
    /// Tenant admin or finance (the agent must belong to the tenant), the
    /// agent itself (an empty `agent_id` means itself) or any strict ancestor
    /// agent of it, or service `wallet`. Any other agent id answers NOT_FOUND.
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
            try await requireAgentReach(principal, tenantID: request.tenantID, agentID: agentText, allowSelf: true)
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

        /// `<tenant>.<agent>.<zone>` for a root agent; a sub-agent's adds its
        /// ancestors' versions (root first) after the tenant's, so the tag
        /// changes whenever any merged document changes.
        var etag: String {
            let ancestors = documents.ancestors.map { String($0.version) }.joined(separator: "-")
            let versions = [String(documents.tenantVersion)] + (ancestors.isEmpty ? [] : [ancestors])
                + [String(documents.agentVersion)]
            return (versions + [zone.identifier]).joined(separator: ".")
        }

        /// The effective policy of the agent's parent (tenant ∧ every
        /// ancestor's override), which the agent's own override may only narrow.
        var parentPolicy: EffectivePolicy {
            EffectivePolicy.merge(
                tenant: documents.tenant, ancestors: documents.ancestors.map(\.override), agent: nil, timeZone: zone)
        }
    }

    /// The documents agent `agentID` (or the tenant alone when `nil`) is
    /// governed by, read in one snapshot with its ancestry from Identity, and
    /// their merge. NOT_FOUND when the agent does not belong to the tenant.
    func resolve(tenantID: UUID, tenantText: String, agentID: UUID?) async throws -> ResolvedPolicy {
        let zone = try await directory.timeZone(tenantID: tenantText)
        var ancestors: [String] = []
        if let agentID { ancestors = try await directory.ancestors(tenantID: tenantText, agentID: agentID.uuidString.lowercased()) }
        let documents = try await store.current(tenantID: tenantID, agentID: agentID, ancestors: ancestors)
        let policy = EffectivePolicy.merge(
            tenant: documents.tenant, ancestors: documents.ancestors.map(\.override),
            agent: agentID.map { AgentOverride(agentID: $0.uuidString.lowercased(), document: documents.agent) }, timeZone: zone)
        return ResolvedPolicy(documents: documents, zone: zone, policy: policy)
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
        view.ancestors = resolved.documents.ancestors.map { ancestor in
            var entry = AncestorPolicyView()
            entry.agentID = ancestor.agentID
            entry.version = ancestor.version
            entry.documentJSON = ancestor.json
            return entry
        }
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
        let level: PolicyLevel =
            switch source.level {
            case .tenant: .tenant
            case .agent: .agent
            case .ancestor: .ancestor
            }
        return RuleSourceView(level: level, version: Int64(source.version), agentID: source.agentID)
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
