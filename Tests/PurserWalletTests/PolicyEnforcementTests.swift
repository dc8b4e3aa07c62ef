import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserWallet
import PurserTestSupport
import Testing

/// Authorize and Charge against a real Policy service: static refusals, caps
/// counted under the account row lock, freshness and failing closed.
@Suite("Wallet policy enforcement")
struct PolicyEnforcementTests {
    /// A daily cap of 10.00 (10 000 000 µ) for every agent of the tenant.
    static let dailyTen = #"{"limits": [{"amount": "10.00", "interval": "daily"}]}"#

    @Test func aDailyCapAdmitsSpendUpToItsExactBoundaryAndRefusesOneMicroMore() async throws {
        try await withWallet("policy_boundary") { h in
            let world = try await h.world("boundary", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, Self.dailyTen)

            _ = try await h.authorize(world, micros: 9_999_999)
            let tooMuch = await rpcError { _ = try await h.authorize(world, micros: 2) }
            #expect(tooMuch?.code == .failedPrecondition)
            #expect(tooMuch?.reason == "limit_exceeded")
            #expect(tooMuch?.metadata["headroom_micros"] == "1")
            #expect(tooMuch?.metadata["rule"]?.isEmpty == false)

            let last = try await h.authorize(world, micros: 1)
            #expect(last.amountMicros == 1)
            let over = await rpcError { _ = try await h.authorize(world, micros: 1) }
            #expect(over?.code == .failedPrecondition)
            #expect(over?.reason == "limit_exceeded")
            #expect(over?.metadata["headroom_micros"] == "0")

            let balance = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(balance.heldMicros == 10_000_000)
        }
    }

    /// The daily cap alone, and a tenant cap of 100.00 narrowed by the agent
    /// to 10.00 on the same window (two limits sharing one counter).
    @Test(arguments: [(PolicyEnforcementTests.dailyTen, nil), (tenantDailyHundred, dailyTen)])
    func concurrentAuthorizationsNeverExceedTheDailyCap(tenantPolicy: String, agentPolicy: String?) async throws {
        try await withWallet("policy_concurrent") { h in
            let world = try await h.world("concurrent", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 100_000_000)
            try await h.setTenantPolicy(world, tenantPolicy)
            if let agentPolicy { try await h.setAgentPolicy(world, agentPolicy) }
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        do throws(RPCError) {
                            _ = try await h.authorize(world, micros: 1_500_000)
                            return "approved"
                        } catch {
                            return error.reason ?? "\(error.code)"
                        }
                    }
                }
                return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            // 6 × 1.50 = 9.00 fits under 10.00, a seventh would not.
            #expect(outcomes["approved"] == 6)
            #expect(outcomes["limit_exceeded"] == 58)
            let balance = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(balance.heldMicros == 9_000_000)
            let counter = try await Self.dailyCounter(h, world)
            #expect(counter.spentMicros == 9_000_000)
            #expect(counter.count == 6)
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.adminToken).clean)
        }
    }

    @Test func voidingAHoldGivesItsHeadroomBack() async throws {
        try await withWallet("policy_void") { h in
            let world = try await h.world("voided", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, Self.dailyTen)
            let hold = try await h.authorize(world, micros: 10_000_000)
            let full = await rpcError { _ = try await h.authorize(world, micros: 1) }
            #expect(full?.reason == "limit_exceeded")

            var void = VoidRequest()
            void.tenantID = world.tenantID
            void.holdID = hold.holdID
            _ = try await h.call(WalletMethods.void, void, token: world.providerToken, key: UUID().uuidString)
            let again = try await h.authorize(world, micros: 10_000_000)
            #expect(again.amountMicros == 10_000_000)
        }
    }

    @Test(arguments: [
        (#"{"blocked_categories": ["inference"]}"#, "category_blocked"),
        (#"{"blocked_providers": ["statics-api"]}"#, "provider_blocked"),
        (#"{"per_call_max": "1.00"}"#, "per_call_max_exceeded"),
    ])
    func staticRulesRefuseAndTheRefusalIsStoredUnderTheIdempotencyKey(document: String, reason: String) async throws {
        try await withWallet("policy_static_\(reason)") { h in
            let world = try await h.world("statics", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, document)
            let key = UUID().uuidString
            let refused = await rpcError { _ = try await h.authorize(world, micros: 2_000_000, key: key) }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.reason == reason)
            #expect(refused?.metadata["rule"]?.isEmpty == false)

            try await h.setTenantPolicy(world, "{}")
            // The next calls consult Policy again (rather than waiting out the cache's TTL).
            try #require(h.wallet.policy).invalidate(tenantID: world.tenantID)
            let replayed = await rpcError { _ = try await h.authorize(world, micros: 2_000_000, key: key) }
            #expect(replayed?.reason == reason)
            #expect(replayed?.metadata["rule"] == refused?.metadata["rule"])
            _ = try await h.authorize(world, micros: 2_000_000)
            try await h.setTenantPolicy(world, document)
            try #require(h.wallet.policy).invalidate(tenantID: world.tenantID)

            let viaProvider = await rpcError { _ = try await h.providerCharge(world, micros: 2_000_000) }
            #expect(viaProvider?.reason == reason)
            let balance = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(balance.availableMicros == 48_000_000)
        }
    }

    @Test func anUnreachablePolicyServiceFailsClosed() async throws {
        try await withWallet("policy_down") { h in
            let world = try await h.world("down", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            _ = try await h.authorize(world, micros: 1_000)
            try await h.policyHost.shutdown()
            // The agent's cached policy is dropped, as at the end of its TTL: the next call must ask the stopped Policy.
            try #require(h.wallet.policy).invalidate(tenantID: world.tenantID)
            let refused = await rpcError { _ = try await h.authorize(world, micros: 1_000) }
            #expect(refused?.code == .unavailable)
            #expect(refused?.reason == "policy_unavailable")
            let balance = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(balance.heldMicros == 1_000)
        }
    }

    @Test func aPolicyChangeIsEnforcedWithinTheCacheTTL() async throws {
        try await withWallet("policy_fresh") { h in
            let world = try await h.world("fresh", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, #"{"per_call_max": "5.00"}"#)
            _ = try await h.authorize(world, micros: 4_000_000)

            try await h.setTenantPolicy(world, #"{"per_call_max": "1.00"}"#)
            // The TTL itself is what this test is about: the snapshot was fetched before this sleep
            // began, so once it ends the change must be enforced (no race, the bound is one-sided).
            try await Task.sleep(for: h.wallet.settings.policyCacheTTL)
            let refused = await rpcError { _ = try await h.authorize(world, micros: 4_000_000) }
            #expect(refused?.reason == "per_call_max_exceeded")
            #expect(refused?.metadata["headroom_micros"] == "1000000")
        }
    }
}
