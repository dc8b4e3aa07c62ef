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
            #expect(agentCapture?.code == .notFound)
            #expect(agentCapture?.reason == "not_found")
            var void = VoidRequest()
            void.tenantID = world.tenantID
            void.holdID = hold.holdID
            let agentVoid = await rpcError { _ = try await h.call(WalletMethods.void, void, token: world.agentToken, key: "a-void") }
            #expect(agentVoid?.code == .notFound)
            #expect(agentVoid?.reason == "not_found")

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

    @Test func aProviderNeverSeesThePayersBalanceWhileTheAgentDoes() async throws {
        try await withWallet("payee_blind") { h in
            let world = try await h.world("blind", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            let first = try await h.authorize(world, micros: 200_000)
            #expect(first.availableAfterMicros == 800_000)
            let second = try await h.authorize(world, micros: 100_000)

            var capture = CaptureRequest()
            capture.tenantID = world.tenantID
            capture.holdID = first.holdID
            capture.amountMicros = 150_000
            let captured = try await h.call(WalletMethods.capture, capture, token: world.providerToken, key: "cap")
            #expect(captured.capturedMicros == 150_000)
            #expect(captured.availableAfterMicros == 0)
            var void = VoidRequest()
            void.tenantID = world.tenantID
            void.holdID = second.holdID
            let voided = try await h.call(WalletMethods.void, void, token: world.providerToken, key: "void")
            #expect(voided.releasedMicros == 100_000)
            #expect(voided.availableAfterMicros == 0)
            var refund = RefundRequest()
            refund.tenantID = world.tenantID
            refund.holdID = first.holdID
            refund.amountMicros = 50_000
            let refunded = try await h.call(WalletMethods.refund, refund, token: world.providerToken, key: "ref")
            #expect(refunded.refundedMicros == 50_000)
            #expect(refunded.availableAfterMicros == 0)

            let tooMuch = await rpcError { _ = try await h.providerCharge(world, micros: 2_000_000, key: "over") }
            #expect(tooMuch?.code == .failedPrecondition)
            #expect(tooMuch?.reason == "insufficient_funds")
            #expect(tooMuch?.metadata["available_micros"] == nil)
            #expect(tooMuch?.metadata["headroom_micros"] == nil)
            let paid = try await h.providerCharge(world, micros: 10_000, key: "paid")
            #expect(paid.amountMicros == 10_000)
            #expect(paid.availableAfterMicros == 0)

            // The payer itself still sees what it has left.
            let own = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            #expect(own.availableMicros == 890_000)
            let poor = await rpcError { _ = try await h.authorize(world, micros: 2_000_000) }
            #expect(poor?.reason == "insufficient_funds")
            #expect(poor?.metadata["available_micros"] == "890000")
        }
    }
}
