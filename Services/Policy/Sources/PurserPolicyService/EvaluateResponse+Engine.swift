import Foundation
import PurserAPI
import PurserPolicy

extension EvaluateResponse {
    /// The answer of `Policy/Evaluate` for `spend` under `policy`, computed
    /// with the engine and no counters: the static decision (amount, provider,
    /// category, per-call maximum, and any limit whose whole cap is below the
    /// amount) and every limit counting spend of the spend's category, with the
    /// window key of `spend.at` in the policy's zone. The Policy service and
    /// `PolicyClient.Snapshot.evaluate` both answer with exactly this.
    /// `Policy/Simulate` passes the Wallet's `counters`, so its decision and
    /// each limit's headroom also reflect spend so far.
    package init(
        policy: EffectivePolicy, spend: SpendRequest, tenantVersion: Int64, agentVersion: Int64, etag: String,
        counters: (LimitCounterKey) -> LimitUsage = { _ in .zero }
    ) {
        self.init()
        let decision = PolicyEngine.evaluate(policy: policy, request: spend, counters: counters)
        switch decision {
        case .allow(let checks):
            allowed = true
            limits = checks.map(LimitToEnforce.init)
        case .deny(let denial):
            allowed = false
            self.denial = DenialView(denial)
            limits = PolicyEngine.applicableLimits(policy: policy, request: spend, counters: counters)
                .map(LimitToEnforce.init)
        }
        self.tenantVersion = tenantVersion
        self.agentVersion = agentVersion
        self.etag = etag
        timeZone = policy.timeZone.identifier
        evaluatedAtUs = microseconds(spend.at)
    }
}

extension DenialView {
    /// The wire form of an engine denial; -1 marks a count or headroom the rule does not have.
    package init(_ denial: Denial) {
        self.init()
        reason = denial.reason.rawValue
        rule = denial.rule
        headroomMicros = denial.headroom ?? -1
        remainingCount = denial.remainingCount.map(Int64.init) ?? -1
        limitID = denial.limitID ?? ""
    }
}

extension LimitToEnforce {
    /// The wire form of one applicable limit: its counter scope and window key
    /// (empty for a per-task limit on spend without a task id), caps, rule,
    /// window, and the headroom and remaining count before the spend.
    package init(_ check: LimitCheck) {
        self.init()
        limitID = check.limit.limitID
        interval = check.limit.limit.interval.rawValue
        windowKey = check.counter?.windowKey ?? ""
        capMicros = check.limit.limit.amount
        capCount = Int64(check.limit.limit.count ?? 0)
        rule = check.rule
        headroomMicros = check.headroom
        remainingCount = check.remainingCount.map(Int64.init) ?? -1
        if let window = check.window {
            windowStartAtUs = microseconds(window.start)
            windowEndAtUs = microseconds(window.end)
        }
    }
}

/// Microseconds since the Unix epoch, rounded to the nearest.
func microseconds(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
}
