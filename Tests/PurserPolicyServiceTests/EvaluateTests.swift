import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

@Suite("Evaluate and Simulate")
struct EvaluateTests {
    static let document = #"""
        {"per_call_max": "5.00",
         "limits": [
           {"amount": "50.00", "count": 100, "interval": "daily"},
           {"amount": "3.00", "interval": "hourly", "categories": ["search"]},
           {"amount": "200.00", "interval": "weekly"},
           {"amount": "500.00", "interval": "monthly"},
           {"amount": "1000.00", "interval": "lifetime"},
           {"amount": "10.00", "interval": "per_task"}],
         "allowed_categories": ["search", "travel"],
         "blocked_categories": ["gambling"],
         "blocked_providers": ["shady"]}
        """#

    /// A tenant in New York with the policy above and one agent.
    static func setUp(_ h: PolicyHarness) async throws -> (PolicyHarness.TenantFixture, PolicyHarness.AgentFixture) {
        let tenant = try await h.makeTenant("acme", timeZone: "America/New_York")
        let agent = try await h.makeAgent("bot", in: tenant)
        _ = try await h.call(
            PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: Self.document),
            token: tenant.adminToken)
        return (tenant, agent)
    }

    static func spend(
        _ tenant: PolicyHarness.TenantFixture, _ agent: PolicyHarness.AgentFixture, _ amount: Int64,
        provider: String = "exa", category: String = "search", task: String = ""
    ) -> EvaluateRequest {
        EvaluateRequest(
            tenantID: tenant.id, agentID: agent.id, amountMicros: amount, provider: provider, category: category,
            taskID: task)
    }

    @Test func onlyTheWalletServiceMayEvaluate() async throws {
        try await withPolicy("evaluate_access") { h in
            let (tenant, agent) = try await Self.setUp(h)
            let request = Self.spend(tenant, agent, 1_000_000)
            let allowed = try await h.call(PolicyMethods.evaluate, request, via: h.wallet)
            #expect(allowed.allowed)
            let otherService = await rpcError { _ = try await h.call(PolicyMethods.evaluate, request, via: h.settlement) }
            let admin = await rpcError { _ = try await h.call(PolicyMethods.evaluate, request, token: tenant.adminToken) }
            let finance = await rpcError { _ = try await h.call(PolicyMethods.evaluate, request, token: tenant.financeToken) }
            let asAgent = await rpcError { _ = try await h.call(PolicyMethods.evaluate, request, token: agent.token) }
            let anonymous = await rpcError { _ = try await h.call(PolicyMethods.evaluate, request) }
            #expect(otherService?.code == .permissionDenied)
            #expect(otherService?.reason == "permission_denied")
            #expect(admin?.code == .permissionDenied)
            #expect(admin?.reason == "permission_denied")
            #expect(finance?.code == .permissionDenied)
            #expect(finance?.reason == "permission_denied")
            #expect(asAgent?.code == .permissionDenied)
            #expect(asAgent?.reason == "permission_denied")
            #expect(anonymous?.code == .unauthenticated)
            #expect(anonymous?.reason == "token_missing")
        }
    }

    /// (amount, provider, category, expected denial reason or nil when allowed, expected headroom)
    static let boundaries: [(Int64, String, String, String?, Int64)] = [
        (3_000_000, "exa", "search", nil, -1),
        (3_000_001, "exa", "search", "limit_exceeded", 3_000_000),
        (5_000_000, "exa", "travel", nil, -1),
        (5_000_001, "exa", "travel", "per_call_max_exceeded", 5_000_000),
        (1_000_000, "shady", "search", "provider_blocked", -1),
        (1_000_000, "exa", "gambling", "category_blocked", -1),
        (1_000_000, "exa", "food", "category_blocked", -1),
        (1_000_000, "exa", "", "category_blocked", -1),
        (0, "exa", "search", "invalid_amount", -1),
    ]

    @Test func staticDecisionsAtExactBoundaries() async throws {
        try await withPolicy("boundaries") { h in
            let (tenant, agent) = try await Self.setUp(h)
            for (amount, provider, category, reason, headroom) in Self.boundaries {
                let response = try await h.call(
                    PolicyMethods.evaluate, Self.spend(tenant, agent, amount, provider: provider, category: category),
                    via: h.wallet)
                #expect(response.allowed == (reason == nil), "\(amount) \(provider) \(category)")
                #expect(response.denial?.reason == reason, "\(amount) \(provider) \(category)")
                if reason != nil {
                    #expect(response.denial?.headroomMicros == headroom, "\(amount) \(provider) \(category)")
                    #expect(response.denial?.rule.isEmpty == false)
                }
            }
            let hourly = try await h.call(PolicyMethods.evaluate, Self.spend(tenant, agent, 3_000_001), via: h.wallet)
            #expect(hourly.denial?.limitID == "hourly:search")
            #expect(hourly.denial?.rule.hasPrefix("limits[1] (tenant v1)") == true)
        }
    }

    @Test func limitsCarryWindowKeysOfNowInTheTenantsZone() async throws {
        // 04:30 UTC on Sunday 22 November 2026 is 23:30 on Saturday the 21st in New York (EST, UTC−5).
        try await withPolicy("windows", at: utc("2026-11-22T04:30:00Z")) { h in
            let (tenant, agent) = try await Self.setUp(h)
            let response = try await h.call(
                PolicyMethods.evaluate, Self.spend(tenant, agent, 1_000_000, task: "task-7"), via: h.wallet)
            #expect(response.allowed)
            #expect(response.timeZone == "America/New_York")
            #expect(response.evaluatedAtUs == Int64(utc("2026-11-22T04:30:00Z").timeIntervalSince1970) * 1_000_000)
            let keys = Dictionary(uniqueKeysWithValues: response.limits.map { ($0.limitID, $0.windowKey) })
            #expect(keys == [
                "daily": "d:2026-11-21", "hourly:search": "h:2026-11-21T23-05:00", "weekly": "w:2026-W47",
                "monthly": "m:2026-11", "lifetime": "life", "per_task": "task:task-7",
            ])
            let daily = try #require(response.limits.first { $0.limitID == "daily" })
            #expect(daily.capMicros == 50_000_000)
            #expect(daily.capCount == 100)
            #expect(daily.interval == "daily")
            #expect(daily.windowStartAtUs == Int64(utc("2026-11-21T05:00:00Z").timeIntervalSince1970) * 1_000_000)
            #expect(daily.windowEndAtUs == Int64(utc("2026-11-22T05:00:00Z").timeIntervalSince1970) * 1_000_000)
            #expect(response.tenantVersion == 1)

            h.clock.set(utc("2026-11-22T05:00:00Z"))
            let nextDay = try await h.call(PolicyMethods.evaluate, Self.spend(tenant, agent, 1_000_000), via: h.wallet)
            let next = Dictionary(uniqueKeysWithValues: nextDay.limits.map { ($0.limitID, $0.windowKey) })
            #expect(next["daily"] == "d:2026-11-22")
            #expect(next["hourly:search"] == "h:2026-11-22T00-05:00")
            #expect(next["per_task"] == "")
        }
    }

    @Test func aCategoryIsComparedLowercasedAndOneOutsideTheGrammarIsRefused() async throws {
        try await withPolicy("category_names") { h in
            let (tenant, agent) = try await Self.setUp(h)
            let blocked = try await h.call(
                PolicyMethods.evaluate, Self.spend(tenant, agent, 1_000, category: "Gambling"), via: h.wallet)
            #expect(blocked.denial?.reason == "category_blocked")
            let refused = await rpcError {
                _ = try await h.call(PolicyMethods.evaluate, Self.spend(tenant, agent, 1_000, category: "gambling "), via: h.wallet)
            }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.reason == "category_invalid")
        }
    }

    @Test func travelSpendOnlyCarriesTheLimitsCountingIt() async throws {
        try await withPolicy("scoped") { h in
            let (tenant, agent) = try await Self.setUp(h)
            let response = try await h.call(
                PolicyMethods.evaluate, Self.spend(tenant, agent, 1_000_000, category: "travel"), via: h.wallet)
            #expect(response.limits.map(\.limitID) == ["daily", "weekly", "monthly", "lifetime", "per_task"])
        }
    }

    @Test func evaluateReportsEveryLimitWithItsWholeCapAsHeadroom() async throws {
        try await withPolicy("whole_caps") { h in
            let (tenant, agent) = try await Self.setUp(h)
            let response = try await h.call(
                PolicyMethods.evaluate, Self.spend(tenant, agent, 1_000_000, category: "travel"), via: h.wallet)
            let daily = try #require(response.limits.first { $0.limitID == "daily" })
            #expect(daily.headroomMicros == daily.capMicros)
            #expect(daily.headroomMicros == 50_000_000)
        }
    }

    @Test func simulateAnswersUnavailableWhenTheWalletCannotBeReachedAndOnlyToTheTenantAdmin() async throws {
        try await withPolicy("simulate") { h in
            let (tenant, agent) = try await Self.setUp(h)
            let other = try await h.makeTenant("globex")
            let request = Self.spend(tenant, agent, 5_000_001, category: "travel")
            let unreachable = await rpcError { _ = try await h.call(PolicyMethods.simulate, request, token: tenant.adminToken) }
            #expect(unreachable?.code == .unavailable)
            #expect(unreachable?.reason == "wallet_unavailable")
            let foreign = await rpcError { _ = try await h.call(PolicyMethods.simulate, request, token: other.adminToken) }
            #expect(foreign?.code == .notFound)
            #expect(foreign?.reason == "not_found")
            let wallet = await rpcError { _ = try await h.call(PolicyMethods.simulate, request, via: h.wallet) }
            #expect(wallet?.code == .permissionDenied)
            #expect(wallet?.reason == "permission_denied")
        }
    }
}

@Suite("Evaluate with an agent override")
struct EvaluateOverrideTests {
    @Test func theAgentsStricterPerCallMaxDecidesAndIsNamed() async throws {
        try await withPolicy("override") { h in
            let (tenant, agent) = try await EvaluateTests.setUp(h)
            _ = try await h.call(
                PolicyMethods.setAgentPolicy,
                SetAgentPolicyRequest(
                    tenantID: tenant.id, agentID: agent.id,
                    documentJSON: #"{"per_call_max": "2.00", "limits": [{"amount": "30.00", "interval": "daily"}]}"#),
                token: tenant.adminToken)
            let atCap = try await h.call(
                PolicyMethods.evaluate, EvaluateTests.spend(tenant, agent, 2_000_000, category: "travel"), via: h.wallet)
            #expect(atCap.allowed)
            #expect(atCap.agentVersion == 1)
            #expect(atCap.limits.filter { $0.limitID == "daily" }.map(\.capMicros) == [50_000_000, 30_000_000])
            let over = try await h.call(
                PolicyMethods.evaluate, EvaluateTests.spend(tenant, agent, 2_000_001, category: "travel"), via: h.wallet)
            #expect(over.denial?.reason == "per_call_max_exceeded")
            #expect(over.denial?.rule == "per_call_max (agent v1): 2.00")
            #expect(over.denial?.headroomMicros == 2_000_000)
        }
    }

    @Test func identityUnreachableMakesEvaluateUnavailable() async throws {
        try await withPolicy("identity_down") { h in
            let tenant = try await h.makeTenant("acme")
            let agent = try await h.makeAgent("bot", in: tenant)
            try await h.identityHost.shutdown()
            let error = await rpcError {
                _ = try await h.call(
                    PolicyMethods.evaluate, EvaluateTests.spend(tenant, agent, 1_000_000), via: h.wallet)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.reason == "identity_unavailable")
        }
    }
}
