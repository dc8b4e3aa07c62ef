import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// Who may settle a hold: capture and release are the payee's acts, refunds
/// the payee's or the operator's; the payer cannot take back what it promised,
/// and the payee never learns the payer's balance.
@Suite struct PayeeActsTests {
    @Test func onlyThePayeeCapturesOrVoidsAHoldAndOnlyThePayeeOrTheOperatorRefunds() async throws {
        try await withWallet("payee_acts") { h in
            let world = try await h.world("payee", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            let hold = try await h.authorize(world, micros: 400_000)

            var capture = CaptureRequest()
            capture.tenantID = world.tenantID
            capture.holdID = hold.holdID
            capture.amountMicros = 1
            let agentCapture = await rpcError { _ = try await h.call(WalletMethods.capture, capture, token: world.agentToken, key: "a-cap") }
            #expect(agentCapture?.code == .permissionDenied)
            #expect(agentCapture?.reason == "permission_denied")
            var void = VoidRequest()
            void.tenantID = world.tenantID
            void.holdID = hold.holdID
            let agentVoid = await rpcError { _ = try await h.call(WalletMethods.void, void, token: world.agentToken, key: "a-void") }
            #expect(agentVoid?.code == .permissionDenied)
            #expect(agentVoid?.reason == "permission_denied")

            capture.amountMicros = 300_000
            let captured = try await h.call(WalletMethods.capture, capture, token: world.providerToken, key: "p-cap")
            #expect(captured.capturedMicros == 300_000 && captured.releasedMicros == 100_000)

            var refund = RefundRequest()
            refund.tenantID = world.tenantID
            refund.holdID = hold.holdID
            refund.amountMicros = 100_000
            refund.reason = "goodwill"
            let adminRefund = await rpcError { _ = try await h.call(WalletMethods.refund, refund, token: world.adminToken, key: "adm-ref") }
            #expect(adminRefund?.code == .permissionDenied)
            #expect(adminRefund?.reason == "permission_denied")
            let byOperator = try await h.call(WalletMethods.refund, refund, token: world.operatorToken, key: "op-ref")
            #expect(byOperator.refundedMicros == 100_000 && byOperator.totalRefundedMicros == 100_000)
            let byPayee = try await h.call(WalletMethods.refund, refund, token: world.providerToken, key: "p-ref")
            #expect(byPayee.totalRefundedMicros == 200_000)

            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            let after = try await h.call(WalletMethods.getBalance, balance, token: world.adminToken)
            #expect(after.balanceMicros == 900_000 && after.heldMicros == 0)
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.financeToken).clean)
        }
    }
}
