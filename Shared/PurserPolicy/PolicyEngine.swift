import Foundation

/// Evaluates spends against an effective policy. Pure: the caller supplies
/// the counters (read under the agent's account row lock in the Wallet's
/// authorization transaction) and applies the decision, so the same code
/// answers `Policy/Evaluate` and enforces limits atomically in the Wallet.
public enum PolicyEngine {
    /// Decides one spend. Rules are checked in this order and the first
    /// failure is returned: amount > 0, provider (blocked or not allowed),
    /// category (blocked or not allowed; uncategorised spend fails any
    /// category allow-list), per-call maximum, then every limit applicable to
    /// the category. When several limits would be exceeded, the one with the
    /// least headroom is reported. Boundaries are inclusive: spending exactly
    /// up to a cap is allowed.
    public static func evaluate(
        policy: EffectivePolicy, request: SpendRequest, counters: (LimitCounterKey) -> LimitUsage
    ) -> Decision {
        if let denial = ruleDenial(policy: policy, request: request) { return .deny(denial) }
        let checks = applicableLimits(policy: policy, request: request, counters: counters)
        var worst: LimitCheck?
        for check in checks where !check.admits(request.amount) {
            if let current = worst, current.headroom <= check.headroom { continue }
            worst = check
        }
        if let worst {
            return .deny(
                Denial(
                    reason: .limitExceeded, rule: worst.rule, headroom: worst.headroom,
                    remainingCount: worst.remainingCount, limitID: worst.limit.limitID))
        }
        return .allow(applicable: checks)
    }

    /// Evaluates like `evaluate` and also reports the headroom of every limit
    /// that applies to the spend's category, for `Policy/Simulate`.
    public static func simulate(
        policy: EffectivePolicy, request: SpendRequest, counters: (LimitCounterKey) -> LimitUsage
    ) -> Simulation {
        Simulation(
            decision: evaluate(policy: policy, request: request, counters: counters),
            limits: applicableLimits(policy: policy, request: request, counters: counters))
    }

    /// The limits counting spend in the request's category, each with its
    /// counter key, window and headroom before the spend.
    public static func applicableLimits(
        policy: EffectivePolicy, request: SpendRequest, counters: (LimitCounterKey) -> LimitUsage
    ) -> [LimitCheck] {
        // Calendar arithmetic is the costly part: once per interval, and only
        // when the instant leaves the interval's last window.
        var windows: [Interval: (window: DateInterval?, key: String?)] = [:]
        return policy.limits.compactMap { effective in
            let limit = effective.limit
            guard limit.applies(toCategory: request.category) else { return nil }
            let window: (window: DateInterval?, key: String?)
            if let known = windows[limit.interval] {
                window = known
            } else {
                window = limit.interval.cachedWindow(
                    containing: request.at, timeZone: policy.timeZone, taskID: request.taskID)
                windows[limit.interval] = window
            }
            let counter = window.key.map { LimitCounterKey(limitID: limit.limitID, windowKey: $0) }
            let usage = counter.map(counters) ?? .zero
            return LimitCheck(
                limit: effective, counter: counter, window: window.window, usage: usage,
                headroom: remaining(limit.amount, usage.spent),
                remainingCount: limit.count.map { max(0, $0 - max(0, usage.count)) })
        }
    }

    private static func ruleDenial(policy: EffectivePolicy, request: SpendRequest) -> Denial? {
        if request.amount <= 0 {
            return Denial(reason: .invalidAmount, rule: "amount must be greater than 0")
        }
        if let payee = request.payeeAgent {
            if let source = policy.blockedPayees[payee] {
                return Denial(reason: .payeeBlocked, rule: "blocked_payees (\(source)): \(payee)")
            }
            if let allowed = policy.allowedPayees, !allowed.names.contains(payee) {
                return Denial(reason: .payeeBlocked, rule: "allowed_payees (\(sources(allowed))): \(payee)")
            }
        } else if let source = policy.blockedProviders[request.provider] {
            return Denial(reason: .providerBlocked, rule: "blocked_providers (\(source)): \(request.provider)")
        } else if let allowed = policy.allowedProviders, !allowed.names.contains(request.provider) {
            return Denial(
                reason: .providerBlocked, rule: "allowed_providers (\(sources(allowed))): \(request.provider)")
        }
        if let source = policy.blockedCategories[request.category] {
            return Denial(reason: .categoryBlocked, rule: "blocked_categories (\(source)): \(request.category)")
        }
        if let allowed = policy.allowedCategories, !allowed.names.contains(request.category) {
            let category = request.category.isEmpty ? "uncategorised spend" : request.category
            return Denial(reason: .categoryBlocked, rule: "allowed_categories (\(sources(allowed))): \(category)")
        }
        if let perCall = policy.perCallMax, request.amount > perCall.amount {
            return Denial(reason: .perCallMaxExceeded, rule: perCall.rule, headroom: perCall.amount)
        }
        return nil
    }

    /// `cap − spent`, clamped to [0, cap] so corrupt or hostile counters never trap.
    private static func remaining(_ cap: Int64, _ spent: Int64) -> Int64 {
        guard spent > 0 else { return cap }
        return spent >= cap ? 0 : cap - spent
    }

    private static func sources(_ rule: AllowListRule) -> String {
        rule.sources.map(\.description).joined(separator: ", ")
    }
}
