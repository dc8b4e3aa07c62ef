import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import PurserWallet
import Testing

/// A sub-agent's authorizations meet its ancestors' overrides, and a parent's
/// change reaches the Wallet's cached policy of the child at once. The world's
/// second agent is placed under its first with `SubAgentStandIn` until
/// Identity serves `CreateSubAgent`.
@Suite("Sub-agent policy enforcement")
struct SubAgentPolicyEnforcementTests {
    @Test func aParentTighteningIsEnforcedOnTheChildsNextAuthorize() async throws {
        // A cache TTL far beyond the test: only the policy epoch can make the Wallet fetch again.
        var settings = WalletSettings()
        settings.policyCacheTTL = .seconds(600)
        try await withWallet("subagent_tighten", settings: settings) { h in
            let world = try await h.world("subtree", operatorToken: try await h.operatorToken())
            try await SubAgentStandIn.adopt(
                child: world.otherAgentID, parent: world.agentID, tenantID: world.tenantID, identity: h.identityService.host)
            var fund = FundRequest()
            fund.tenantID = world.tenantID
            fund.amountMicros = 50_000_000
            fund.externalReference = "wire-subtree"
            _ = try await h.call(WalletMethods.fund, fund, token: world.operatorToken, key: UUID().uuidString)
            var allocate = AllocateRequest()
            allocate.agentID = world.otherAgentID
            allocate.amountMicros = 50_000_000
            _ = try await h.call(WalletMethods.allocate, allocate, token: world.adminToken, key: UUID().uuidString)
            try await h.setAgentPolicy(world, #"{"limits": [{"amount": "20.00", "interval": "daily"}]}"#)

            var request = AuthorizeRequest()
            request.amountMicros = 3_000_000
            request.providerID = world.providerID
            let first = try await h.call(WalletMethods.authorize, request, token: world.otherAgentToken, key: UUID().uuidString)
            #expect(first.amountMicros == 3_000_000)

            // The parent's override now caps every call at 2.00; the child's cached policy must not survive it.
            try await h.setAgentPolicy(world, #"{"per_call_max": "2.00", "limits": [{"amount": "20.00", "interval": "daily"}]}"#)
            let refused = await rpcError {
                _ = try await h.call(WalletMethods.authorize, request, token: world.otherAgentToken, key: UUID().uuidString)
            }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.reason == "per_call_max_exceeded")
            #expect(refused?.metadata["rule"]?.contains("ancestor \(world.agentID) v2") == true)

            // The parent's daily cap counts the child's spend against the child's own counter.
            request.amountMicros = 2_000_000
            for _ in 0..<8 {
                _ = try await h.call(WalletMethods.authorize, request, token: world.otherAgentToken, key: UUID().uuidString)
            }
            // 3.00 + 8 × 2.00 = 19.00; one more 2.00 would pass 20.00.
            let capped = await rpcError {
                _ = try await h.call(WalletMethods.authorize, request, token: world.otherAgentToken, key: UUID().uuidString)
            }
            #expect(capped?.reason == "limit_exceeded")
            #expect(capped?.metadata["headroom_micros"] == "1000000")
        }
    }

    @Test func concurrentAuthorizationsOfAChildNeverExceedAnAncestorsDailyCap() async throws {
        try await withWallet("subagent_concurrent") { h in
            let world = try await h.world("subcap", operatorToken: try await h.operatorToken())
            try await SubAgentStandIn.adopt(
                child: world.otherAgentID, parent: world.agentID, tenantID: world.tenantID, identity: h.identityService.host)
            var fund = FundRequest()
            fund.tenantID = world.tenantID
            fund.amountMicros = 100_000_000
            fund.externalReference = "wire-subcap"
            _ = try await h.call(WalletMethods.fund, fund, token: world.operatorToken, key: UUID().uuidString)
            var allocate = AllocateRequest()
            allocate.agentID = world.otherAgentID
            allocate.amountMicros = 100_000_000
            _ = try await h.call(WalletMethods.allocate, allocate, token: world.adminToken, key: UUID().uuidString)
            // The parent's override caps each of its descendants at 10.00 a day; the child has none of its own.
            try await h.setAgentPolicy(world, #"{"limits": [{"amount": "10.00", "interval": "daily"}]}"#)

            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        var request = AuthorizeRequest()
                        request.amountMicros = 1_500_000
                        request.providerID = world.providerID
                        do throws(RPCError) {
                            _ = try await h.call(
                                WalletMethods.authorize, request, token: world.otherAgentToken, key: UUID().uuidString)
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
            #expect(outcomes["limit_exceeded"] == 26)
            let balance = try await h.call(
                WalletMethods.getBalance, GetBalanceRequest(), token: world.otherAgentToken)
            #expect(balance.heldMicros == 9_000_000)
        }
    }
}
