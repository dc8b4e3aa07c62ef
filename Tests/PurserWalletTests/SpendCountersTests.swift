import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// GetSpendCounters against what real authorizations counted, and Policy's
/// Simulate reading those counters through the real Wallet.
@Suite("Wallet spend counters")
struct SpendCountersTests {
    /// The limit Policy makes the Wallet count a spend of `micros` by `world`'s agent under, now.
    static func dailyLimit(_ h: WalletHarness, _ world: WalletHarness.World, micros: Int64) async throws -> LimitToEnforce {
        let evaluation = try await h.walletToPolicy.call(
            PolicyMethods.evaluate, spend(world, micros: micros), timeout: .seconds(20))
        return try #require(evaluation.limits.first { $0.interval == "daily" })
    }

    static func spend(_ world: WalletHarness.World, micros: Int64) -> EvaluateRequest {
        var request = EvaluateRequest()
        request.tenantID = world.tenantID
        request.agentID = world.agentID
        request.amountMicros = micros
        request.provider = "any-provider"
        return request
    }

    @Test func getSpendCountersReturnsWhatAuthorizationsCountedAndZerosForUnknownKeys() async throws {
        try await withWallet("counters_read") { h in
            let world = try await h.world("counted", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, PolicyEnforcementTests.dailyTen)
            _ = try await h.authorize(world, micros: 2_000_000)
            _ = try await h.authorize(world, micros: 3_000_000)
            let daily = try await Self.dailyLimit(h, world, micros: 1)

            var request = GetSpendCountersRequest()
            request.tenantID = world.tenantID
            request.agentID = world.agentID
            request.keys = [
                SpendCounterKey(limitID: daily.limitID, windowKey: daily.windowKey),
                SpendCounterKey(limitID: daily.limitID, windowKey: "d:1999-01-01"),
                SpendCounterKey(limitID: "no-such-limit", windowKey: daily.windowKey),
            ]
            let response = try await h.call(WalletMethods.getSpendCounters, request, service: "policy")
            #expect(response.counters.map(\.spentMicros) == [5_000_000, 0, 0])
            #expect(response.counters.map(\.count) == [2, 0, 0])
            #expect(response.counters.map(\.limitID) == request.keys.map(\.limitID))
            #expect(response.counters.map(\.windowKey) == request.keys.map(\.windowKey))

            var otherAgent = request
            otherAgent.agentID = UUID().uuidString.lowercased()
            let unknown = try await h.call(WalletMethods.getSpendCounters, otherAgent, service: "policy")
            #expect(unknown.counters.map(\.spentMicros) == [0, 0, 0])
        }
    }

    @Test func onlyThePolicyServiceMayReadSpendCounters() async throws {
        try await withWallet("counters_access") { h in
            let world = try await h.world("guarded", operatorToken: try await h.operatorToken())
            var request = GetSpendCountersRequest()
            request.tenantID = world.tenantID
            request.agentID = world.agentID
            request.keys = [SpendCounterKey(limitID: "daily", windowKey: "d:2026-01-01")]
            let settlement = await rpcError {
                _ = try await h.call(WalletMethods.getSpendCounters, request, service: "settlement")
            }
            #expect(settlement?.code == .permissionDenied)
            #expect(settlement?.reason == "permission_denied")
            let admin = await rpcError { _ = try await h.call(WalletMethods.getSpendCounters, request, token: world.adminToken) }
            #expect(admin?.code == .permissionDenied)
            #expect(admin?.reason == "permission_denied")
            let agent = await rpcError { _ = try await h.call(WalletMethods.getSpendCounters, request, token: world.agentToken) }
            #expect(agent?.code == .permissionDenied)
            #expect(agent?.reason == "permission_denied")
            let policy = try await h.call(WalletMethods.getSpendCounters, request, service: "policy")
            #expect(policy.counters.map(\.spentMicros) == [0])
        }
    }

    @Test func simulateReportsTheHeadroomLeftAfterSpendSoFar() async throws {
        try await withWallet("counters_simulate") { h in
            let world = try await h.world("simulated", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setTenantPolicy(world, PolicyEnforcementTests.dailyTen)
            _ = try await h.authorize(world, micros: 6_000_000)
            let admin: Metadata = ["authorization": "Bearer \(world.adminToken)"]

            let five = try await h.policyClient.call(
                PolicyMethods.simulate, Self.spend(world, micros: 5_000_000), metadata: admin, timeout: .seconds(20))
            #expect(!five.allowed)
            #expect(five.denial?.reason == "limit_exceeded")
            #expect(five.denial?.headroomMicros == 4_000_000)
            #expect(five.limits.first { $0.interval == "daily" }?.headroomMicros == 4_000_000)

            let four = try await h.policyClient.call(
                PolicyMethods.simulate, Self.spend(world, micros: 4_000_000), metadata: admin, timeout: .seconds(20))
            #expect(four.allowed)
            #expect(four.denial == nil)
            #expect(four.limits.first { $0.interval == "daily" }?.headroomMicros == 4_000_000)

            let evaluated = try await Self.dailyLimit(h, world, micros: 5_000_000)
            #expect(evaluated.headroomMicros == 10_000_000)
        }
    }
}
