import Foundation
import PurserAPI
import PurserPolicy
import PurserRPC

extension PolicyService {
    /// Longest provider, category or task id accepted in an evaluation.
    static let maximumNameLength = 256

    /// `Evaluate` (service `wallet`) and `Simulate` (tenant admin): the decision
    /// for one spend now (provider and category rules, the per-call maximum,
    /// and the limits) and every limit counting spend of its category, each
    /// with its counter scope, the window key of "now" in the tenant's zone,
    /// its caps and its headroom. Counters live in the Wallet, which enforces
    /// the limits atomically under the agent's account row lock: `Evaluate`
    /// (`withSpend` false) never depends on spend so far and reports whole
    /// caps; `Simulate` (`withSpend` true) reads the applicable counters from
    /// the Wallet in one call, so its decision and headroom reflect spend so
    /// far (UNAVAILABLE `wallet_unavailable` when the Wallet cannot answer).
    /// The agent must belong to the tenant (NOT_FOUND otherwise, asked of
    /// Identity with its ancestors, whose overrides its policy merges). The
    /// category is compared lowercased, as the Wallet compares it; a name
    /// outside `[a-z0-9][a-z0-9._-]{0,63}` then is INVALID_ARGUMENT
    /// `category_invalid`.
    func evaluate(_ request: EvaluateRequest, withSpend: Bool) async throws -> EvaluateResponse {
        let tenantID = try Self.uuid(request.tenantID, field: "tenant_id")
        let agentID = try Self.uuid(request.agentID, field: "agent_id")
        guard !request.provider.isEmpty else {
            throw RPCError.invalidField("provider", "is required")
        }
        for (field, value) in [("provider", request.provider), ("category", request.category), ("task_id", request.taskID)]
        where value.utf8.count > Self.maximumNameLength {
            throw RPCError.invalidField(field, "at most \(Self.maximumNameLength) bytes")
        }
        var category = ""
        if !request.category.isEmpty {
            guard let name = PolicyName.normalized(request.category) else {
                throw RPCError.invalidName(field: "category")
            }
            category = name
        }
        let resolved = try await resolve(tenantID: tenantID, tenantText: request.tenantID, agentID: agentID)
        let at = now()
        let spend = SpendRequest(
            amount: request.amountMicros, provider: request.provider, category: category,
            taskID: request.taskID.isEmpty ? nil : request.taskID, at: at)
        var usage: [LimitCounterKey: LimitUsage] = [:]
        if withSpend {
            var keys: [LimitCounterKey] = []
            var seen = Set<LimitCounterKey>()
            for check in PolicyEngine.applicableLimits(policy: resolved.policy, request: spend, counters: { _ in .zero }) {
                if let key = check.counter, seen.insert(key).inserted { keys.append(key) }
            }
            usage = try await wallet.read(tenantID: request.tenantID, agentID: request.agentID, keys: keys)
        }
        return EvaluateResponse(
            policy: resolved.policy, spend: spend, tenantVersion: resolved.documents.tenantVersion,
            agentVersion: resolved.documents.agentVersion, etag: resolved.etag, counters: { usage[$0] ?? .zero })
    }
}
