import Foundation
import PurserAPI
import PurserPolicy

extension WalletService {
    /// The limits an authorization of `amountMicros` by `agent` must fit under,
    /// from the agent's effective policy (at most `settings.policyCacheTTL` old).
    /// Throws the policy's static refusal as FAILED_PRECONDITION with its reason
    /// (`limit_exceeded`, `per_call_max_exceeded`, `category_blocked`,
    /// `provider_blocked`) and details `rule`, `headroom_micros` and, for
    /// counted rules, `remaining_count`; throws UNAVAILABLE `policy_unavailable`
    /// when no policy can be had (fail closed). Without a `PolicyClient` there
    /// is no policy and no limit.
    func policyLimits(
        tenant: UUID, agent: UUID, amountMicros: Int64, providerSlug: String, category: String, taskID: String
    ) async throws(WalletError) -> [SpendLimit] {
        guard let policy else { return [] }
        let snapshot: PolicyClient.Snapshot
        do {
            snapshot = try await policy.effectivePolicy(tenantID: tenant.lowercased, agentID: agent.lowercased)
        } catch {
            throw WalletError(.unavailable, reason: "policy_unavailable", "spending policy unavailable: \(error.message)")
        }
        let spend = SpendRequest(
            amount: amountMicros, provider: providerSlug, category: category, taskID: taskID.isEmpty ? nil : taskID,
            at: Date())
        let decision = snapshot.evaluate(spend)
        if !decision.allowed {
            throw Self.policyDenial(decision.denial)
        }
        return decision.limits.compactMap(SpendLimit.init(enforcing:))
    }

    /// A policy refusal in the shape of the ledger's own denials.
    static func policyDenial(_ denial: DenialView?) -> WalletError {
        guard let denial else {
            return WalletError(.failedPrecondition, reason: "policy_denied", "the spending policy refuses this spend")
        }
        var details = ["rule": denial.rule]
        if denial.headroomMicros >= 0 { details["headroom_micros"] = String(denial.headroomMicros) }
        if denial.remainingCount >= 0 { details["remaining_count"] = String(denial.remainingCount) }
        let reason = denial.reason.isEmpty ? "policy_denied" : denial.reason
        return WalletError(.failedPrecondition, reason: reason, "the spending policy refuses this spend: \(denial.rule)",
                           details: details)
    }
}

extension SpendLimit {
    /// The ledger's counter for one limit Policy says to enforce, keyed by the
    /// limit's id (stable across edits of its amount) and window; `nil` for a
    /// limit with no counter (a per-task limit on spend without a task id).
    init?(enforcing limit: LimitToEnforce) {
        guard !limit.windowKey.isEmpty, !limit.limitID.isEmpty else { return nil }
        self.init(
            scopeKey: limit.limitID, windowKey: limit.windowKey, capMicros: limit.capMicros,
            capCount: limit.capCount > 0 ? limit.capCount : nil)
    }
}
