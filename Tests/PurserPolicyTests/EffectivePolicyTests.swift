import Foundation
import Testing
import PurserPolicy

@Suite struct EffectivePolicyTests {
    @Test func perCallMaxIsTheSmallerOfBothLevels() {
        let tenant = PolicyDocument(version: 2, perCallMax: units(5))
        let looser = PolicyDocument(version: 7, perCallMax: units(9))
        let stricter = PolicyDocument(version: 8, perCallMax: units(3))
        #expect(EffectivePolicy.merge(tenant: tenant, agent: looser).perCallMax?.amount == units(5))
        #expect(EffectivePolicy.merge(tenant: tenant, agent: looser).perCallMax?.source == RuleSource(level: .tenant, version: 2))
        #expect(EffectivePolicy.merge(tenant: tenant, agent: stricter).perCallMax?.amount == units(3))
        #expect(EffectivePolicy.merge(tenant: tenant, agent: stricter).perCallMax?.source == RuleSource(level: .agent, version: 8))
        #expect(EffectivePolicy.merge(tenant: nil, agent: looser).perCallMax?.amount == units(9))
        #expect(EffectivePolicy.merge(tenant: nil, agent: nil).perCallMax == nil)
    }

    @Test func limitsAreTheUnionAndKeepTheirSource() {
        let tenant = PolicyDocument(version: 2, limits: [Limit(amount: units(100), interval: .daily)])
        let agent = PolicyDocument(
            version: 3,
            limits: [Limit(amount: units(10), interval: .hourly), Limit(amount: units(50), interval: .daily, categories: ["search"])])
        let policy = EffectivePolicy.merge(tenant: tenant, agent: agent)
        #expect(policy.limits.map(\.limit.amount) == [units(100), units(10), units(50)])
        #expect(policy.limits.map(\.source.level) == [.tenant, .agent, .agent])
        #expect(policy.limits[2].rule == "limits[1] (agent v3): daily 50.00 in category search")
        #expect(policy.limits[0].rule == "limits[0] (tenant v2): daily 100.00 on all spend")
    }

    @Test func allowListsIntersectAndBlockListsUnite() {
        let tenant = PolicyDocument(
            version: 1, allowedCategories: ["search", "compute", "travel"], blockedCategories: ["gambling"],
            allowedProviders: ["exa", "openai"], blockedProviders: ["shady"])
        let agent = PolicyDocument(
            version: 5, allowedCategories: ["search", "travel", "food"], blockedCategories: ["travel"],
            blockedProviders: ["openai"])
        let policy = EffectivePolicy.merge(tenant: tenant, agent: agent)
        #expect(policy.allowedCategories?.names == ["search", "travel"])
        #expect(policy.allowedCategories?.sources == [RuleSource(level: .tenant, version: 1), RuleSource(level: .agent, version: 5)])
        #expect(policy.allowedProviders?.names == ["exa", "openai"])
        #expect(Set(policy.blockedCategories.keys) == ["gambling", "travel"])
        #expect(policy.blockedCategories["travel"] == RuleSource(level: .agent, version: 5))
        #expect(Set(policy.blockedProviders.keys) == ["shady", "openai"])
    }

    @Test func agentCannotWidenWhatTheTenantAllows() {
        let tenant = PolicyDocument(version: 1, allowedProviders: ["exa"])
        let agent = PolicyDocument(version: 1, allowedProviders: ["exa", "openai"])
        let policy = EffectivePolicy.merge(tenant: tenant, agent: agent)
        let request = SpendRequest(amount: 1, provider: "openai", at: instant("2026-11-21T12:00:00Z"))
        let decision = PolicyEngine.evaluate(policy: policy, request: request) { _ in .zero }
        #expect(decision.denial?.reason == .providerBlocked)
    }

    @Test func stricterOfTwoSameScopeLimitsDecides() {
        let tenant = PolicyDocument(version: 1, limits: [Limit(amount: units(100), interval: .daily)])
        let agent = PolicyDocument(version: 4, limits: [Limit(amount: units(40), interval: .daily)])
        let policy = EffectivePolicy.merge(tenant: tenant, agent: agent)
        let counters = CounterTable(rows: [LimitCounterKey(limitID: "daily", windowKey: "d:2026-11-21"): LimitUsage(spent: units(30), count: 3)])
        let request = SpendRequest(amount: units(11), provider: "exa", at: instant("2026-11-21T12:00:00Z"))
        let denial = PolicyEngine.evaluate(policy: policy, request: request, counters: counters.read).denial
        #expect(denial?.reason == .limitExceeded)
        #expect(denial?.rule == "limits[0] (agent v4): daily 40.00 on all spend")
        #expect(denial?.headroom == units(10))
    }
}
