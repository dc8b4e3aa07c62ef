import Foundation
import Testing
import PurserPolicy

@Suite struct PolicyEngineTests {
    private let noon = instant("2026-11-21T12:00:00Z")

    private func policy(_ document: PolicyDocument, timeZone: TimeZone = .policyDefault) -> EffectivePolicy {
        EffectivePolicy.merge(tenant: document, agent: nil, timeZone: timeZone)
    }

    /// -1, 0 and +1 micro around an exact boundary, with the expected outcome.
    static let boundary: [(offset: Int64, allowed: Bool)] = [(-1, true), (0, true), (1, false)]

    @Test(arguments: boundary)
    func perCallMaxAllowsUpToTheCapInclusive(offset: Int64, allowed: Bool) {
        let policy = policy(PolicyDocument(version: 1, perCallMax: units(5)))
        let request = SpendRequest(amount: units(5) + offset, provider: "exa", at: noon)
        let decision = PolicyEngine.evaluate(policy: policy, request: request) { _ in .zero }
        #expect(decision.isAllowed == allowed)
        if !allowed {
            #expect(decision.denial?.reason == .perCallMaxExceeded)
            #expect(decision.denial?.headroom == units(5))
            #expect(decision.denial?.rule == "per_call_max (tenant v1): 5.00")
        }
    }

    @Test(arguments: Interval.allCases, boundary)
    func amountLimitAllowsSpendUpToTheCapInclusive(interval: Interval, around: (offset: Int64, allowed: Bool)) throws {
        let policy = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(50), interval: interval)]))
        let request = SpendRequest(amount: units(20) + around.offset, provider: "exa", taskID: "task-1", at: noon)
        let key = try #require(interval.windowKey(containing: noon, timeZone: .policyDefault, taskID: "task-1"))
        let counters = CounterTable(rows: [LimitCounterKey(limitID: interval.rawValue, windowKey: key): LimitUsage(spent: units(30), count: 1)])
        let decision = PolicyEngine.evaluate(policy: policy, request: request, counters: counters.read)
        #expect(decision.isAllowed == around.allowed)
        if around.allowed {
            #expect(decision.counterUpdates == [LimitCounterKey(limitID: interval.rawValue, windowKey: key)])
        } else {
            let denial = try #require(decision.denial)
            #expect(denial.reason == .limitExceeded)
            #expect(denial.headroom == units(20))
            #expect(denial.limitID == interval.rawValue)
            #expect(denial.rule == "limits[0] (tenant v1): \(interval.rawValue) 50.00 on all spend")
        }
    }

    @Test(arguments: [(previous: 2, allowed: true), (previous: 3, allowed: false), (previous: 4, allowed: false)])
    func countLimitAllowsUpToTheMaximumNumberOfCalls(previous: Int, allowed: Bool) {
        let policy = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(1000), count: 3, interval: .daily)]))
        let counters = CounterTable(rows: [LimitCounterKey(limitID: "daily", windowKey: "d:2026-11-21"): LimitUsage(spent: 3, count: previous)])
        let decision = PolicyEngine.evaluate(
            policy: policy, request: SpendRequest(amount: 1, provider: "exa", at: noon), counters: counters.read)
        #expect(decision.isAllowed == allowed)
        if !allowed {
            #expect(decision.denial?.reason == .limitExceeded)
            #expect(decision.denial?.remainingCount == 0)
            #expect(decision.denial?.rule == "limits[0] (tenant v1): daily 1000.00 and 3 calls on all spend")
        }
    }

    @Test(arguments: [
        ("exa", true), ("EXA", true), ("openai", false), ("shady", false),
    ])
    func providerRules(provider: String, allowed: Bool) {
        let policy = policy(PolicyDocument(version: 1, allowedProviders: ["exa", "shady"], blockedProviders: ["shady"]))
        let decision = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: 1, provider: provider, at: noon)) { _ in .zero }
        #expect(decision.isAllowed == allowed)
        if !allowed { #expect(decision.denial?.reason == .providerBlocked) }
    }

    @Test func blockedProviderNamesTheBlockListAndItsSource() {
        let policy = EffectivePolicy.merge(tenant: nil, agent: PolicyDocument(version: 6, blockedProviders: ["shady"]))
        let denial = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: 1, provider: "shady", at: noon)) { _ in .zero }.denial
        #expect(denial == Denial(reason: .providerBlocked, rule: "blocked_providers (agent v6): shady", headroom: nil, remainingCount: nil, limitID: nil))
    }

    @Test(arguments: [
        ("search", true), ("gambling", false), ("travel", false), ("", false),
    ])
    func categoryRules(category: String, allowed: Bool) {
        // Contradictory on purpose (validation refuses it): blocking still wins.
        let policy = policy(PolicyDocument(version: 1, allowedCategories: ["search", "gambling"], blockedCategories: ["gambling"]))
        let decision = PolicyEngine.evaluate(
            policy: policy, request: SpendRequest(amount: 1, provider: "exa", category: category, at: noon)) { _ in .zero }
        #expect(decision.isAllowed == allowed)
        if !allowed { #expect(decision.denial?.reason == .categoryBlocked) }
    }

    @Test func rulesAreCheckedProviderThenCategoryThenPerCallThenLimits() {
        let policy = policy(
            PolicyDocument(
                version: 1, perCallMax: units(1), limits: [Limit(amount: 1, interval: .daily)],
                blockedCategories: ["games"], blockedProviders: ["shady"]))
        func reason(_ provider: String, _ category: String, _ amount: Int64) -> DenyReason? {
            PolicyEngine.evaluate(
                policy: policy, request: SpendRequest(amount: amount, provider: provider, category: category, at: noon)
            ) { _ in .zero }.denial?.reason
        }
        #expect(reason("shady", "games", units(2)) == .providerBlocked)
        #expect(reason("exa", "games", units(2)) == .categoryBlocked)
        #expect(reason("exa", "search", units(2)) == .perCallMaxExceeded)
        #expect(reason("exa", "search", 2) == .limitExceeded)
        #expect(reason("exa", "search", 1) == nil)
        #expect(reason("exa", "search", 0) == .invalidAmount)
        #expect(reason("exa", "search", -5) == .invalidAmount)
    }

    @Test func spendCountedYesterdayIsNotCountedToday() {
        let policy = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(10), interval: .daily)]))
        var counters = CounterTable()
        let lateYesterday = instant("2026-11-20T23:59:59Z")
        let first = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: units(10), provider: "exa", at: lateYesterday), counters: counters.read)
        #expect(first.isAllowed)
        counters.record(first, amount: units(10))
        let sameDay = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: 1, provider: "exa", at: lateYesterday), counters: counters.read)
        #expect(sameDay.denial?.headroom == 0)
        let today = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: units(10), provider: "exa", at: instant("2026-11-21T00:00:00Z")), counters: counters.read)
        #expect(today.isAllowed)
    }

    @Test func perTaskCapIsCountedSeparatelyForEachTask() {
        let policy = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(3), interval: .perTask)]))
        var counters = CounterTable()
        func spend(_ task: String?, _ amount: Int64) -> Decision {
            let decision = PolicyEngine.evaluate(
                policy: policy, request: SpendRequest(amount: amount, provider: "exa", taskID: task, at: noon), counters: counters.read)
            counters.record(decision, amount: amount)
            return decision
        }
        #expect(spend("a", units(2)).isAllowed)
        #expect(spend("b", units(2)).isAllowed)
        #expect(spend("a", units(1)).isAllowed)
        #expect(spend("a", 1).denial?.headroom == 0)
        #expect(spend("b", units(1) + 1).denial?.headroom == units(1))
        #expect(counters.rows[LimitCounterKey(limitID: "per_task", windowKey: "task:a")]?.spent == units(3))
        #expect(spend(nil, units(3)).isAllowed)
        #expect(spend(nil, units(3) + 1).denial?.reason == .limitExceeded)
        #expect(spend(nil, units(1)).counterUpdates.isEmpty)
    }

    @Test func categoryCapDoesNotCountUncategorisedOrOtherSpend() {
        let policy = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(5), interval: .daily, categories: ["search"])]))
        var counters = CounterTable()
        func spend(_ category: String, _ amount: Int64) -> Decision {
            let decision = PolicyEngine.evaluate(
                policy: policy, request: SpendRequest(amount: amount, provider: "exa", category: category, at: noon), counters: counters.read)
            counters.record(decision, amount: amount)
            return decision
        }
        #expect(spend("", units(100)).isAllowed)
        #expect(spend("compute", units(100)).isAllowed)
        #expect(spend("search", units(5)).isAllowed)
        #expect(spend("search", 1).denial?.reason == .limitExceeded)
        #expect(spend("", units(100)).isAllowed)
        #expect(counters.rows[LimitCounterKey(limitID: "daily:search", windowKey: "d:2026-11-21")]?.spent == units(5))
    }

    @Test func newPolicyVersionKeepsTodaysSpend() {
        var counters = CounterTable()
        let v1 = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(10), interval: .daily, categories: ["search", "ai"])]))
        let first = PolicyEngine.evaluate(policy: v1, request: SpendRequest(amount: units(8), provider: "exa", category: "search", at: noon), counters: counters.read)
        counters.record(first, amount: units(8))
        let v2 = policy(PolicyDocument(version: 2, limits: [Limit(amount: units(12), interval: .daily, categories: ["ai", "search"])]))
        let second = PolicyEngine.evaluate(policy: v2, request: SpendRequest(amount: units(5), provider: "exa", category: "ai", at: noon), counters: counters.read)
        #expect(second.denial?.headroom == units(4))
        #expect(second.denial?.rule == "limits[0] (tenant v2): daily 12.00 in categories ai, search")
    }

    @Test func denialReportsTheLimitWithLeastHeadroom() {
        let policy = policy(
            PolicyDocument(
                version: 1,
                limits: [Limit(amount: units(100), interval: .monthly), Limit(amount: units(10), interval: .daily), Limit(amount: units(20), interval: .weekly)]))
        let counters = CounterTable(rows: [
            LimitCounterKey(limitID: "monthly", windowKey: "m:2026-11"): LimitUsage(spent: units(99), count: 9),
            LimitCounterKey(limitID: "daily", windowKey: "d:2026-11-21"): LimitUsage(spent: units(8), count: 1),
            LimitCounterKey(limitID: "weekly", windowKey: "w:2026-W47"): LimitUsage(spent: units(19) + 500_000, count: 3),
        ])
        let denial = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: units(3), provider: "exa", at: noon), counters: counters.read).denial
        #expect(denial?.limitID == "weekly")
        #expect(denial?.headroom == 500_000)
    }

    @Test func hostileCountersNeverTrap() {
        let policy = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(10), count: 5, interval: .daily)]))
        for usage in [LimitUsage(spent: .max, count: .max), LimitUsage(spent: .min, count: .min), LimitUsage(spent: -1, count: -1)] {
            let decision = PolicyEngine.evaluate(
                policy: policy, request: SpendRequest(amount: .max, provider: "exa", at: noon)) { _ in usage }
            #expect(decision.denial?.reason == .limitExceeded)
        }
    }

    @Test func simulationListsHeadroomOfEveryApplicableLimit() {
        let policy = policy(
            PolicyDocument(
                version: 3, perCallMax: units(1),
                limits: [Limit(amount: units(10), interval: .daily), Limit(amount: units(4), interval: .daily, categories: ["search"]), Limit(amount: units(4), interval: .daily, categories: ["travel"])]))
        let counters = CounterTable(rows: [LimitCounterKey(limitID: "daily", windowKey: "d:2026-11-21"): LimitUsage(spent: units(3), count: 2)])
        let simulation = PolicyEngine.simulate(
            policy: policy, request: SpendRequest(amount: units(2), provider: "exa", category: "search", at: noon), counters: counters.read)
        #expect(simulation.decision.denial?.reason == .perCallMaxExceeded)
        #expect(simulation.limits.map(\.limit.limitID) == ["daily", "daily:search"])
        #expect(simulation.limits.map(\.headroom) == [units(7), units(4)])
        #expect(simulation.limits.first?.window == DateInterval(start: instant("2026-11-21T00:00:00Z"), duration: 86_400))
    }

    @Test func sharedScopeIsCountedOnce() {
        let policy = EffectivePolicy.merge(
            tenant: PolicyDocument(version: 1, limits: [Limit(amount: units(100), interval: .daily)]),
            agent: PolicyDocument(version: 1, limits: [Limit(amount: units(50), interval: .daily)]))
        let decision = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: 1, provider: "exa", at: noon)) { _ in .zero }
        guard case .allow(let checks) = decision else {
            Issue.record("expected allow")
            return
        }
        #expect(checks.count == 2)
        #expect(decision.counterUpdates == [LimitCounterKey(limitID: "daily", windowKey: "d:2026-11-21")])
    }

    @Test func windowsFollowTheTenantTimeZone() {
        let policy = policy(PolicyDocument(version: 1, limits: [Limit(amount: units(1), interval: .daily)]), timeZone: zone("America/New_York"))
        let decision = PolicyEngine.evaluate(policy: policy, request: SpendRequest(amount: 1, provider: "exa", at: instant("2026-11-21T03:00:00Z"))) { _ in .zero }
        #expect(decision.counterUpdates == [LimitCounterKey(limitID: "daily", windowKey: "d:2026-11-20")])
    }
}
