import Foundation
import PurserPolicy
import Testing

/// The effective policy of a chain of agents and the narrowing rule a
/// sub-agent's override must keep.
@Suite struct SubAgentPolicyTests {
    static let root = "00000000-0000-4000-8000-00000000000a"
    static let child = "00000000-0000-4000-8000-00000000000b"
    static let grandchild = "00000000-0000-4000-8000-00000000000c"

    /// tenant → root override → child override → grandchild's own.
    static func chain(
        tenant: PolicyDocument?, root: PolicyDocument?, child: PolicyDocument?, own: PolicyDocument?
    ) -> EffectivePolicy {
        EffectivePolicy.merge(
            tenant: tenant,
            ancestors: [AgentOverride(agentID: Self.root, document: root), AgentOverride(agentID: Self.child, document: child)],
            agent: AgentOverride(agentID: Self.grandchild, document: own))
    }

    @Test func threeLevelsMergeToTheStrictestBoundEachNamingItsAgent() {
        let policy = Self.chain(
            tenant: PolicyDocument(
                version: 4, perCallMax: units(10), limits: [Limit(amount: units(100), interval: .daily)],
                allowedCategories: ["search", "travel", "compute"], blockedProviders: ["shady"]),
            root: PolicyDocument(
                version: 2, perCallMax: units(6), limits: [Limit(amount: units(50), interval: .daily)],
                allowedCategories: ["search", "travel"]),
            child: PolicyDocument(
                version: 7, perCallMax: units(3), limits: [Limit(amount: units(20), interval: .weekly)],
                blockedProviders: ["risky"]),
            own: PolicyDocument(
                version: 1, perCallMax: units(4), limits: [Limit(amount: units(5), interval: .daily, categories: ["search"])],
                allowedCategories: ["search"]))
        #expect(policy.perCallMax?.amount == units(3))
        #expect(policy.perCallMax?.source == RuleSource(level: .ancestor, version: 7, agentID: Self.child))
        #expect(policy.limits.map(\.limit.amount) == [units(100), units(50), units(20), units(5)])
        #expect(policy.limits.map(\.source.level) == [.tenant, .ancestor, .ancestor, .agent])
        #expect(policy.limits.map(\.source.agentID) == ["", Self.root, Self.child, Self.grandchild])
        #expect(policy.limits[1].rule == "limits[0] (ancestor \(Self.root) v2): daily 50.00 on all spend")
        #expect(policy.limits[3].rule == "limits[0] (agent v1): daily 5.00 in category search")
        #expect(policy.allowedCategories?.names == ["search"])
        #expect(policy.allowedCategories?.sources.map(\.level) == [.tenant, .ancestor, .agent])
        #expect(policy.blockedProviders["shady"] == RuleSource(level: .tenant, version: 4))
        #expect(policy.blockedProviders["risky"] == RuleSource(level: .ancestor, version: 7, agentID: Self.child))
    }

    @Test func anAncestorWithoutAnOverrideAddsNothing() {
        let tenant = PolicyDocument(version: 1, perCallMax: units(5))
        let chained = Self.chain(tenant: tenant, root: nil, child: nil, own: nil)
        #expect(chained.perCallMax?.amount == units(5))
        #expect(chained.limits.isEmpty)
        #expect(chained.allowedCategories == nil)
    }

    @Test func theGrandchildIsRefusedWhatAParentTwoLevelsUpRefuses() {
        let policy = Self.chain(
            tenant: nil, root: PolicyDocument(version: 1, limits: [Limit(amount: units(2), interval: .daily)]),
            child: nil, own: nil)
        let decision = PolicyEngine.evaluate(
            policy: policy, request: SpendRequest(amount: units(3), provider: "exa", category: "", at: Date()),
            counters: { _ in .zero })
        #expect(decision.denial?.reason == .limitExceeded)
        #expect(decision.denial?.rule.contains("ancestor \(Self.root) v1") == true)
    }

    // MARK: Narrowing

    /// A parent's effective policy: tenant ∧ the parent's own override.
    static let parent = EffectivePolicy.merge(
        tenant: PolicyDocument(version: 3, blockedCategories: ["gambling"], blockedProviders: ["shady"]),
        ancestors: [
            AgentOverride(
                agentID: root,
                document: PolicyDocument(
                    version: 2, perCallMax: units(5),
                    limits: [
                        Limit(amount: units(50), count: 10, interval: .daily),
                        Limit(amount: units(20), interval: .weekly, categories: ["search", "travel"]),
                    ],
                    allowedCategories: ["search", "travel", "gambling"], allowedProviders: ["exa", "serp"],
                    allowedPayees: [child]))
        ],
        agent: nil)

    @Test(arguments: [
        (#"{"per_call_max": "5.000001"}"#, "per_call_max"),
        (#"{"limits": [{"amount": "50.000001", "interval": "daily"}]}"#, "limits[0].amount"),
        (#"{"limits": [{"amount": "1.00", "interval": "hourly"}, {"amount": "60.00", "interval": "daily", "categories": ["search"]}]}"#,
         "limits[1].amount"),
        (#"{"limits": [{"amount": "20.01", "interval": "weekly", "categories": ["travel"]}]}"#, "limits[0].amount"),
        (#"{"limits": [{"amount": "10.00", "count": 11, "interval": "daily"}]}"#, "limits[0].count"),
        (#"{"allowed_categories": ["search", "compute"]}"#, "allowed_categories[1]"),
        (#"{"allowed_categories": ["gambling"]}"#, "allowed_categories[0]"),
        (#"{"allowed_providers": ["exa", "bing"]}"#, "allowed_providers[1]"),
        (#"{"allowed_providers": ["shady"]}"#, "allowed_providers[0]"),
        (#"{"allowed_payees": ["00000000-0000-4000-8000-00000000000d"]}"#, "allowed_payees[0]"),
    ])
    func aLooserRuleIsNamedByItsField(document: String, field: String) throws {
        let problems = try PolicyDocument.decode(json: document.utf8).loosenings(comparedTo: Self.parent)
        #expect(problems.map(\.field) == [field])
        #expect(problems.first?.description.hasPrefix("\(field): ") == true)
    }

    @Test func theProblemSaysWhichParentRuleItExceeds() throws {
        let problems = try PolicyDocument.decode(json: #"{"per_call_max": "7.00"}"#.utf8).loosenings(comparedTo: Self.parent)
        #expect(problems.map(\.description) == ["per_call_max: 7.00 is above the parent's per_call_max (ancestor \(Self.root) v2): 5.00"])
    }

    @Test(arguments: [
        "{}",
        #"{"per_call_max": "5.00"}"#,
        #"{"per_call_max": "0.50", "limits": [{"amount": "50.00", "count": 10, "interval": "daily"}]}"#,
        // Only the amount is restated: the parent's count still applies to the child.
        #"{"limits": [{"amount": "10.00", "interval": "daily"}]}"#,
        // A cap the parent lacks, and a cap on another interval: narrowing or new.
        #"{"limits": [{"amount": "500.00", "interval": "monthly"}, {"amount": "9.00", "interval": "hourly"}]}"#,
        // A parent cap on search and travel does not cover a cap on compute as well.
        #"{"limits": [{"amount": "90.00", "interval": "weekly", "categories": ["search", "compute"]}]}"#,
        #"{"limits": [{"amount": "20.00", "interval": "weekly", "categories": ["search"]}]}"#,
        #"{"allowed_categories": ["search"], "allowed_providers": ["serp"], "allowed_payees": ["00000000-0000-4000-8000-00000000000b"]}"#,
        #"{"blocked_categories": ["search", "anything"], "blocked_providers": ["bing"], "blocked_payees": ["00000000-0000-4000-8000-00000000000e"]}"#,
    ])
    func aNarrowerOrEqualDocumentPasses(document: String) throws {
        #expect(try PolicyDocument.decode(json: document.utf8).loosenings(comparedTo: Self.parent).isEmpty)
    }

    @Test func everyLooserFieldIsListed() throws {
        let document = try PolicyDocument.decode(
            json: #"{"per_call_max": "9.00", "limits": [{"amount": "51.00", "interval": "daily"}], "allowed_providers": ["bing"]}"#.utf8)
        #expect(document.loosenings(comparedTo: Self.parent).map(\.field) == ["per_call_max", "limits[0].amount", "allowed_providers[0]"])
    }

    @Test func underAParentWithoutRulesNothingIsLooser() throws {
        let document = try PolicyDocument.decode(
            json: #"{"per_call_max": "900.00", "limits": [{"amount": "900.00", "interval": "daily"}], "allowed_categories": ["x"]}"#.utf8)
        #expect(document.loosenings(comparedTo: EffectivePolicy.merge(tenant: nil, agent: nil)).isEmpty)
    }
}
