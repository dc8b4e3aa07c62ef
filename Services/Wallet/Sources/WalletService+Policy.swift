import Foundation
import PurserAPI
import PurserPolicy

extension WalletService {
    /// What the agent's effective policy (at most `settings.policyCacheTTL`
    /// old) says about an authorization of `amountMicros` by `agent`: the
    /// limits the ledger must count it under and, when the policy refuses it
    /// outright, the refusal (`limit_exceeded`, `per_call_max_exceeded`,
    /// `category_blocked`, `provider_blocked`) the ledger answers and stores.
    /// Throws UNAVAILABLE `policy_unavailable` when no policy can be had
    /// (fail closed). Without a `PolicyClient` there is no policy and no limit.
    func policyDecision(
        tenant: UUID, agent: UUID, amountMicros: Int64, providerSlug: String, category: String, taskID: String
    ) async throws(WalletError) -> (limits: [SpendLimit], refusal: PolicyRefusal?) {
        guard let policy else { return ([], nil) }
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
        guard decision.allowed else {
            return ([], PolicyRefusal(decision.denial))
        }
        return (decision.limits.compactMap(SpendLimit.init(enforcing:)), nil)
    }
}

extension PolicyRefusal {
    /// The refusal Policy's denial describes; -1 (not applicable) headroom and count are left out.
    init(_ denial: DenialView?) {
        guard let denial, !denial.reason.isEmpty else {
            self.init(reason: "policy_denied", rule: denial?.rule ?? "")
            return
        }
        self.init(
            reason: denial.reason, rule: denial.rule,
            headroomMicros: denial.headroomMicros >= 0 ? denial.headroomMicros : nil,
            remainingCount: denial.remainingCount >= 0 ? denial.remainingCount : nil)
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
