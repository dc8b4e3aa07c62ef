import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// Capture (the payee provider, or the payee agent of a hold that pays an
    /// agent: the credits land on its balance in the same transaction): all or
    /// part of a pending hold, at most once. Void (the payee; holds are otherwise released by expiry
    /// and by the agent's revocation). Refund (the payee provider or the
    /// operator): all or part of a capture, never more in total. Holds of
    /// anyone else answer NOT_FOUND. All idempotent. A provider's answer never
    /// carries the agent's balance (`available_after_micros` is 0 for it).
    func registerHolds() {
        handle(WalletMethods.capture) { request, principal, context in
            let (tenant, hold, caller) = try Self.holdTarget(principal, tenantID: request.tenantID, holdID: request.holdID)
            let amount = try request.amountMicros.map { micros throws(RPCError) in
                try WalletRequest.amount(micros, maximum: self.settings.maximumAmountMicros)
            }
            let receipt = try await self.ledger.capture(
                tenant: tenant, hold: hold, amountMicros: amount, caller: caller, scope: try WalletRequest.scope(principal, context))
            var response = CaptureResponse()
            response.holdID = receipt.holdID.lowercased
            response.entryID = receipt.entryID.lowercased
            response.capturedMicros = receipt.capturedMicros
            response.releasedMicros = receipt.releasedMicros
            response.availableAfterMicros = Self.payeeView(receipt.availableAfterMicros, shownTo: principal)
            response.currency = receipt.currency
            response.createdAtUs = receipt.createdAtUs
            return response
        }
        handle(WalletMethods.void) { request, principal, context in
            let (tenant, hold, caller) = try Self.holdTarget(principal, tenantID: request.tenantID, holdID: request.holdID)
            let receipt = try await self.ledger.void(
                tenant: tenant, hold: hold, caller: caller, scope: try WalletRequest.scope(principal, context))
            var response = VoidResponse()
            response.holdID = receipt.holdID.lowercased
            response.releasedMicros = receipt.releasedMicros
            response.availableAfterMicros = Self.payeeView(receipt.availableAfterMicros, shownTo: principal)
            return response
        }
        handle(WalletMethods.refund) { request, principal, context in
            let (tenant, hold, caller) = try Self.holdTarget(principal, tenantID: request.tenantID, holdID: request.holdID)
            let amount = try request.amountMicros.map { micros throws(RPCError) in
                try WalletRequest.amount(micros, maximum: self.settings.maximumAmountMicros)
            }
            let reason = try WalletRequest.text(request.reason, field: "reason", limit: 500)
            let receipt = try await self.ledger.refund(
                tenant: tenant, hold: hold, amountMicros: amount, reason: reason, caller: caller,
                scope: try WalletRequest.scope(principal, context))
            var response = RefundResponse()
            response.holdID = receipt.holdID.lowercased
            response.entryID = receipt.entryID.lowercased
            response.refundedMicros = receipt.refundedMicros
            response.totalRefundedMicros = receipt.totalRefundedMicros
            response.availableAfterMicros = Self.payerBalance(receipt.availableAfterMicros, shownTo: principal)
            response.currency = receipt.currency
            response.createdAtUs = receipt.createdAtUs
            return response
        }
    }

    /// The agent's available balance as `principal` may see it: a provider (the
    /// payee) never learns the payer's balance and reads 0.
    static func payerBalance(_ micros: Int64, shownTo principal: Principal) -> Int64 {
        principal.kind == .provider ? 0 : micros
    }

    /// The payer's available balance as the payee acting on its hold may see
    /// it: neither a provider nor a payee agent learns it (0).
    static func payeeView(_ micros: Int64, shownTo principal: Principal) -> Int64 {
        principal.kind == .provider || principal.kind == .agent ? 0 : micros
    }

    /// The tenant, hold and caller of a hold operation. Providers and the
    /// operator name the tenant in the request (holds are tenant-scoped).
    static func holdTarget(_ principal: Principal, tenantID: String, holdID: String) throws(RPCError) -> (UUID, UUID, HoldCaller) {
        let tenant = try WalletRequest.tenant(principal, requested: tenantID)
        let hold = try WalletRequest.id(holdID, field: "hold_id")
        let caller: HoldCaller
        switch principal {
        case .provider(let provider): caller = .provider(try WalletRequest.id(provider, field: "token subject"))
        case .agent(_, let agent): caller = .agent(try WalletRequest.id(agent, field: "token subject"))
        case .operator: caller = .operator
        default: throw RPCError.permissionDenied("only the payee (or the operator, for refunds) acts on a hold")
        }
        return (tenant, hold, caller)
    }
}
