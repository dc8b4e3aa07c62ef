import Foundation
import PurserAPI
import PurserPolicy

extension WalletService {
    /// What the spending policy says about one authorization.
    struct PolicyVerdict {
        /// The limits the ledger must check and count the spend under.
        var limits: [SpendLimit] = []
        /// The policy's refusal, answered and stored by the ledger.
        var refusal: PolicyRefusal?
        /// The epoch of the policy decided under (`nil` without Policy).
        var epoch: Int64?
        /// Set when no policy could be had: the ledger answers a replay, and
        /// this (UNAVAILABLE `policy_unavailable`, unstored) otherwise.
        var failure: WalletError?
    }

    /// What the agent's effective policy (at most `settings.policyCacheTTL`
    /// old, and never older than the tenant's announced epoch once the ledger
    /// has checked it) says about an authorization of `amountMicros` by
    /// `agent`: the limits the ledger must count it under and, when the policy
    /// refuses it outright, the refusal (`limit_exceeded`,
    /// `per_call_max_exceeded`, `category_blocked`, `provider_blocked`) the
    /// ledger answers and stores. When no policy can be had the verdict
    /// carries the failure and the ledger fails closed for anything but a
    /// replay. Without a `PolicyClient` there is no policy and no limit.
    func policyDecision(
        tenant: UUID, agent: UUID, amountMicros: Int64, providerSlug: String, category: String, taskID: String
    ) async -> PolicyVerdict {
        guard let policy else { return PolicyVerdict() }
        let snapshot: PolicyClient.Snapshot
        do {
            snapshot = try await policy.effectivePolicy(tenantID: tenant.lowercased, agentID: agent.lowercased)
        } catch {
            return PolicyVerdict(
                failure: WalletError(.unavailable, reason: "policy_unavailable", "spending policy unavailable: \(error.message)"))
        }
        let spend = SpendRequest(
            amount: amountMicros, provider: providerSlug, category: category, taskID: taskID.isEmpty ? nil : taskID,
            at: Date())
        let decision = snapshot.evaluate(spend)
        guard decision.allowed else {
            return PolicyVerdict(refusal: PolicyRefusal(decision.denial), epoch: snapshot.epoch)
        }
        return PolicyVerdict(limits: decision.limits.compactMap(SpendLimit.init(enforcing:)), epoch: snapshot.epoch)
    }

    /// PolicyChanged (service `policy`): records the tenant's new policy epoch
    /// in the ledger's database before answering, so every replica decides
    /// again, under a fresh policy, any authorization checked against an
    /// older one; drops this replica's cached policies of the tenant at once.
    /// Repeats and older epochs are no-ops.
    func registerPolicyChanged() {
        handle(WalletMethods.policyChanged) { request, _, _ in
            let tenant = try WalletRequest.id(request.tenantID, field: "tenant_id")
            guard request.epoch > 0 else { throw WalletError.invalid("epoch", "must be positive") }
            let epoch = try await self.ledger.notePolicyEpoch(tenant: tenant, epoch: request.epoch)
            self.policy?.invalidate(tenantID: tenant.lowercased)
            var response = PolicyChangedResponse()
            response.epoch = epoch
            return response
        }
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
