import PurserAPI

/// Typed calls to `purser.policy.v1.Policy`: versioned spending policies per
/// tenant and per agent. Setting a policy stores a new version; with
/// `expectedVersion` it fails (`version_conflict`) unless nobody stored one in between.
public struct PolicyAPI: Sendable {
    public let channel: ServiceChannel

    /// Calls Policy over `channel`.
    public init(channel: ServiceChannel) { self.channel = channel }

    /// Stores a new version of the tenant's default policy.
    public func setTenantPolicy(_ request: SetTenantPolicyRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> PolicyVersion {
        try await channel.call(PolicyMethods.setTenantPolicy, request, idempotencyKey: idempotencyKey)
    }

    /// Stores a new version of one agent's override policy.
    public func setAgentPolicy(_ request: SetAgentPolicyRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> PolicyVersion {
        try await channel.call(PolicyMethods.setAgentPolicy, request, idempotencyKey: idempotencyKey)
    }

    /// The tenant default merged with the agent's override (the stricter bound wins).
    public func effectivePolicy(tenantID: String, agentID: String = "") async throws(PurserClientError) -> EffectivePolicyView {
        try await channel.call(PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: tenantID, agentID: agentID))
    }

    /// Every stored version of one document, newest first.
    public func versions(_ request: ListPolicyVersionsRequest) async throws(PurserClientError) -> ListPolicyVersionsResponse {
        try await channel.call(PolicyMethods.listPolicyVersions, request)
    }

    /// What an evaluation would answer now (static: every limit with its full cap).
    public func simulate(_ request: EvaluateRequest) async throws(PurserClientError) -> EvaluateResponse {
        try await channel.call(PolicyMethods.simulate, request)
    }

    /// The decision for one spend and the limits to enforce (service `wallet` only).
    public func evaluate(_ request: EvaluateRequest) async throws(PurserClientError) -> EvaluateResponse {
        try await channel.call(PolicyMethods.evaluate, request)
    }
}

extension PurserClient {
    /// The Policy service.
    public func policy() throws(PurserClientError) -> PolicyAPI { PolicyAPI(channel: try channel(.policy)) }
}
