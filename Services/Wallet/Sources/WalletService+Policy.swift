import Foundation
import PurserAPI
import PurserPolicy
import PurserRPC

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
        var failure: RPCError?
    }

    /// What the agent's effective policy (at most `settings.policyCacheTTL`
    /// old, and never older than the tenant's announced epoch once the ledger
    /// has checked it) says about an authorization of `amountMicros` by
    /// `agent`: the limits the ledger must count it under and, when the policy
    /// refuses it outright, the refusal (`limit_exceeded`,
    /// `per_call_max_exceeded`, `category_blocked`, `provider_blocked`,
    /// `payee_blocked` for a payment to the agent `payeeAgent`) the
    /// ledger answers and stores. When no policy can be had the verdict
    /// carries the failure and the ledger fails closed for anything but a
    /// replay. Without a `PolicyClient` there is no policy and no limit.
    func policyDecision(
        tenant: UUID, agent: UUID, amountMicros: Int64, providerSlug: String, category: String, taskID: String,
        payeeAgent: UUID? = nil
    ) async -> PolicyVerdict {
        guard let policy else { return PolicyVerdict() }
        let snapshot: PolicyClient.Snapshot
        do {
            snapshot = try await policy.effectivePolicy(tenantID: tenant.lowercased, agentID: agent.lowercased)
        } catch {
            return PolicyVerdict(failure: .policyUnavailable(error))
        }
        let spend = SpendRequest(
            amount: amountMicros, provider: providerSlug, category: category, taskID: taskID.isEmpty ? nil : taskID,
            at: Date(), payeeAgent: payeeAgent?.lowercased)
        // No counters here: the ledger reads them under the account row lock.
        switch PolicyEngine.evaluate(policy: snapshot.policy, request: spend, counters: { _ in .zero }) {
        case .deny(let denial):
            return PolicyVerdict(refusal: PolicyRefusal(denial), epoch: snapshot.epoch)
        case .allow(let checks):
            return PolicyVerdict(limits: checks.compactMap(SpendLimit.init(enforcing:)), epoch: snapshot.epoch)
        }
    }

    /// PolicyChanged (service `policy`): records the tenant's new policy epoch
    /// in the ledger's database before answering, so every replica decides
    /// again, under a fresh policy, any authorization checked against an
    /// older one; drops this replica's cached policies of the tenant at once.
    /// Repeats and older epochs are no-ops.
    func registerPolicyChanged() {
        handle(WalletMethods.policyChanged) { request, _, _ in
            let tenant = try WalletRequest.id(request.tenantID, field: "tenant_id")
            guard request.epoch > 0 else { throw RPCError.invalid("epoch", "must be positive") }
            let epoch = try await self.ledger.notePolicyEpoch(tenant: tenant, epoch: request.epoch)
            self.policy?.invalidate(tenantID: tenant.lowercased)
            var response = PolicyChangedResponse()
            response.epoch = epoch
            return response
        }
    }
}

extension PolicyRefusal {
    /// The refusal an engine denial describes.
    init(_ denial: Denial) {
        self.init(
            reason: denial.reason.rawValue, rule: denial.rule, headroomMicros: denial.headroom,
            remainingCount: denial.remainingCount.map(Int64.init))
    }
}

extension SpendLimit {
    /// The ledger's counter for one applicable limit, keyed by the limit's
    /// scope (stable across edits of its amount) and window; `nil` for a
    /// limit with no counter (a per-task limit on spend without a task id).
    init?(enforcing check: LimitCheck) {
        guard let counter = check.counter else { return nil }
        self.init(
            scopeKey: counter.limitID, windowKey: counter.windowKey, capMicros: check.limit.limit.amount,
            capCount: check.limit.limit.count.map(Int64.init))
    }
}
