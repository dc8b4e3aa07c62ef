import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// What a provider may do with the credential an agent hands it: charge that
/// agent, for itself, up to the amount the agent allowed, and nothing else.
@Suite struct PaymentTokenTests {
    @Test func aProviderPresentingTheAgentsFullTokenIsRefusedAndCannotTakeTheAccountOver() async throws {
        try await withWallet("pay_full_token") { h in
            let world = try await h.world("fulltoken", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            var charge = ChargeRequest()
            charge.amountMicros = 1_000
            let refused = await rpcError {
                _ = try await h.call(
                    WalletMethods.charge, charge, token: world.providerToken, key: "full",
                    metadata: ["agent-authorization": "Bearer \(world.agentToken)"])
            }
            #expect(refused?.code == .permissionDenied)
            #expect(refused?.reason == "token_scope")
            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, balance, token: world.adminToken).balanceMicros == 1_000_000)
        }
    }
}
