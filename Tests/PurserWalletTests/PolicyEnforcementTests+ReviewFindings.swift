import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import PurserWallet
import Synchronization
import Testing

/// Enforcement defects found in review, each proved here: limits that share a
/// counter, category names, replays while Policy is down, and how fast a
/// tightened policy bites.
extension PolicyEnforcementTests {
    /// A tenant daily cap of 100.00 and an agent override of 20.00 on the same window.
    static let tenantDailyHundred = #"{"limits": [{"amount": "100.00", "interval": "daily"}]}"#
    static let agentDailyTwenty = #"{"limits": [{"amount": "20.00", "interval": "daily"}]}"#

    /// What the ledger counted under the `daily` counter of the world's first agent today.
    static func dailyCounter(_ h: WalletHarness, _ world: WalletHarness.World) async throws -> SpendCounter {
        let daily = try await SpendCountersTests.dailyLimit(h, world, micros: 1)
        var request = GetSpendCountersRequest()
        request.tenantID = world.tenantID
        request.agentID = world.agentID
        request.keys = [SpendCounterKey(limitID: daily.limitID, windowKey: daily.windowKey)]
        let response = try await h.call(WalletMethods.getSpendCounters, request, service: "policy")
        return try #require(response.counters.first)
    }

    @Test func aTenantCapAndANarrowerAgentCapOnOneWindowBothHoldAndSpendIsCountedOnce() async throws {
        try await withWallet("policy_two_caps") { h in
            let world = try await h.world("twocaps", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 200_000_000)
            try await h.setTenantPolicy(world, Self.tenantDailyHundred)
            try await h.setAgentPolicy(world, Self.agentDailyTwenty)

            let over = await rpcError { _ = try await h.authorize(world, micros: 20_000_001) }
            #expect(over?.code == .failedPrecondition)
            #expect(over?.reason == "limit_exceeded")
            #expect(over?.metadata["headroom_micros"] == "20000000")

            _ = try await h.authorize(world, micros: 19_999_999)
            let last = try await h.authorize(world, micros: 1)
            #expect(last.amountMicros == 1)
            let beyond = await rpcError { _ = try await h.authorize(world, micros: 1) }
            #expect(beyond?.code == .failedPrecondition)
            #expect(beyond?.reason == "limit_exceeded")
            #expect(beyond?.metadata["headroom_micros"] == "0")

            let counter = try await Self.dailyCounter(h, world)
            #expect(counter.spentMicros == 20_000_000)
            #expect(counter.count == 2)
        }
    }

    @Test func twoLimitsOfOneIntervalAndCategorySetInOneDocumentAreEachEnforced() async throws {
        try await withWallet("policy_same_scope") { h in
            let world = try await h.world("samescope", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, #"""
                {"limits": [{"amount": "10.00", "interval": "daily", "categories": ["inference"]},
                            {"amount": "5.00", "count": 2, "interval": "daily", "categories": ["inference"]}]}
                """#)
            _ = try await h.authorize(world, micros: 4_000_000)
            _ = try await h.authorize(world, micros: 1_000_000)
            let capped = await rpcError { _ = try await h.authorize(world, micros: 1) }
            #expect(capped?.code == .failedPrecondition)
            #expect(capped?.reason == "limit_exceeded")
            #expect(capped?.metadata["headroom_micros"] == "0")
            let balance = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(balance.heldMicros == 5_000_000)
        }
    }

    @Test(arguments: ["inference ", " inference", "infer ence", "inférence", "-inference"])
    func aCategoryOutsideTheNameGrammarIsRefusedNotMatchedAround(category: String) async throws {
        try await withWallet("policy_category_grammar") { h in
            let world = try await h.world("grammar", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, #"{"blocked_categories": ["inference"]}"#)
            let refused = await rpcError { _ = try await h.authorize(world, micros: 1_000, category: category) }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.reason == "category_invalid")
            let balance = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(balance.heldMicros == 0)
        }
    }

    @Test func aCategoryIsComparedLowercasedSoCaseCannotWalkAroundABlockList() async throws {
        try await withWallet("policy_category_case") { h in
            let world = try await h.world("casing", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, #"{"blocked_categories": ["inference"]}"#)
            let refused = await rpcError { _ = try await h.authorize(world, micros: 1_000, category: "Inference") }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.reason == "category_blocked")
        }
    }

    @Test func aProviderIsPaidOnlyUnderACategoryItIsRegisteredFor() async throws {
        try await withWallet("policy_category_registered") { h in
            let world = try await h.world("registered", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            let refused = await rpcError { _ = try await h.authorize(world, micros: 1_000, category: "groceries") }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.reason == "category_not_registered")
            let defaulted = try await h.authorize(world, micros: 1_000)
            let named = try await h.authorize(world, micros: 1_000, category: "inference")
            #expect(defaulted.amountMicros == 1_000)
            #expect(named.amountMicros == 1_000)
            let balance = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(balance.heldMicros == 2_000)

            let travel = try await h.identity(
                IdentityMethods.registerProvider,
                RegisterProviderRequest(slug: "registered-travel", name: "Travel", defaultCategory: "travel", categories: ["hotels"]),
                token: world.operatorToken)
            var request = AuthorizeRequest()
            request.amountMicros = 1_000
            request.providerID = travel.provider.id
            request.category = "Hotels"
            let hotel = try await h.call(WalletMethods.authorize, request, token: world.agentToken, key: UUID().uuidString)
            #expect(hotel.amountMicros == 1_000)
            request.category = "inference"
            let elsewhere = await rpcError {
                _ = try await h.call(WalletMethods.authorize, request, token: world.agentToken, key: UUID().uuidString)
            }
            #expect(elsewhere?.reason == "category_not_registered")
        }
    }

    @Test func aReplayOfAnEarlierApprovalIsAnsweredWhilePolicyIsDown() async throws {
        try await withWallet("policy_down_replay") { h in
            let world = try await h.world("replaydown", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, Self.dailyTen)
            let key = UUID().uuidString
            let approved = try await h.authorize(world, micros: 1_000, key: key)
            try await h.policyHost.shutdown()
            // The agent's cached policy is dropped, as at the end of its TTL: the next call must ask the stopped Policy.
            try #require(h.wallet.policy).invalidate(tenantID: world.tenantID)

            let replayed = try await h.authorize(world, micros: 1_000, key: key)
            #expect(replayed.holdID == approved.holdID)
            #expect(replayed.createdAtUs == approved.createdAtUs)
            let fresh = await rpcError { _ = try await h.authorize(world, micros: 1_000) }
            #expect(fresh?.code == .unavailable)
            #expect(fresh?.reason == "policy_unavailable")
            let conflicting = await rpcError { _ = try await h.authorize(world, micros: 2_000, key: key) }
            #expect(conflicting?.code == .alreadyExists)
            #expect(conflicting?.reason == "idempotency_conflict")
        }
    }

    @Test func aTightenedPolicyBitesForTheFirstAuthorizationAfterTheChangeReturns() async throws {
        try await withWallet("policy_push") { h in
            let world = try await h.world("pushed", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, #"{"per_call_max": "5.00"}"#)
            _ = try await h.authorize(world, micros: 4_000_000)

            try await h.setTenantPolicy(world, #"{"per_call_max": "1.00"}"#)
            let refused = await rpcError { _ = try await h.authorize(world, micros: 4_000_000) }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.reason == "per_call_max_exceeded")

            try await h.setAgentPolicy(world, #"{"blocked_categories": ["inference"]}"#)
            let blocked = await rpcError { _ = try await h.authorize(world, micros: 1_000) }
            #expect(blocked?.reason == "category_blocked")
        }
    }

    @Test func noAuthorizationStartedAfterATighteningReturnsIsApprovedBeyondTheNewRule() async throws {
        try await withWallet("policy_push_race") { h in
            let world = try await h.world("pushrace", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000_000)
            try await h.setTenantPolicy(world, #"{"per_call_max": "5.00"}"#)
            let race = RaceTally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var attemptsAfter = 0
                        while attemptsAfter < 20 {
                            let after = race.tightened
                            if after { attemptsAfter += 1 }
                            do throws(RPCError) {
                                _ = try await h.authorize(world, micros: 2_000_000)
                                race.record(after ? "approved after" : "approved before")
                            } catch {
                                if after { race.record("after: \(error.reason ?? "\(error.code)")") }
                            }
                        }
                    }
                }
                group.addTask {
                    try await waitUntil("approvals under the old policy", timeout: .seconds(30)) {
                        race.count("approved before") >= 16
                    }
                    try await h.setTenantPolicy(world, #"{"per_call_max": "1.00"}"#)
                    race.tighten()
                }
                try await group.waitForAll()
            }
            #expect(race.count("approved after") == 0)
            #expect(race.count("after: per_call_max_exceeded") == 8 * 20)
        }
    }
}

/// Outcomes of the tightening race, counted by name, and whether the change has returned.
final class RaceTally: Sendable {
    private let state = Mutex<(tightened: Bool, counts: [String: Int])>((false, [:]))

    var tightened: Bool { state.withLock { $0.tightened } }
    func tighten() { state.withLock { $0.tightened = true } }
    func record(_ outcome: String) { state.withLock { $0.counts[outcome, default: 0] += 1 } }
    func count(_ outcome: String) -> Int { state.withLock { $0.counts[outcome, default: 0] } }
}
