import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// Capture (payee provider or the hold's agent): all or part of a pending
    /// hold, at most once. Void (agent or payee provider). Refund (payee
    /// provider or tenant admin): all or part of a capture, never more in
    /// total. Holds of anyone else answer NOT_FOUND. All idempotent.
    func registerHolds() {
        handle(WalletMethods.capture) { request, principal, context in
            let (tenant, hold, caller) = try Self.holdTarget(principal, tenantID: request.tenantID, holdID: request.holdID)
            let amount = try request.amountMicros.map { micros throws(WalletError) in
                try WalletRequest.amount(micros, maximum: self.settings.maximumAmountMicros)
            }
            let receipt = try await self.ledger.capture(
                tenant: tenant, hold: hold, amountMicros: amount, caller: caller, scope: try WalletRequest.scope(principal, context))
            var response = CaptureResponse()
            response.holdID = receipt.holdID.lowercased
            response.entryID = receipt.entryID.lowercased
            response.capturedMicros = receipt.capturedMicros
            response.releasedMicros = receipt.releasedMicros
            response.availableAfterMicros = receipt.availableAfterMicros
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
            response.availableAfterMicros = receipt.availableAfterMicros
            return response
        }
        handle(WalletMethods.refund) { request, principal, context in
            let (tenant, hold, caller) = try Self.holdTarget(principal, tenantID: request.tenantID, holdID: request.holdID)
            let amount = try request.amountMicros.map { micros throws(WalletError) in
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
            response.availableAfterMicros = receipt.availableAfterMicros
            response.currency = receipt.currency
            response.createdAtUs = receipt.createdAtUs
            return response
        }
    }

    /// The tenant, hold and caller of a hold operation. Providers name the
    /// tenant in the request (holds are tenant-scoped); tenant principals act
    /// in their own tenant.
    static func holdTarget(_ principal: Principal, tenantID: String, holdID: String) throws(WalletError) -> (UUID, UUID, HoldCaller) {
        let tenant = try WalletRequest.tenant(principal, requested: tenantID)
        let hold = try WalletRequest.id(holdID, field: "hold_id")
        let caller: HoldCaller
        switch principal {
        case .agent(_, let agent): caller = .agent(try WalletRequest.id(agent, field: "token subject"))
        case .provider(let provider): caller = .provider(try WalletRequest.id(provider, field: "token subject"))
        case .tenantAdmin: caller = .admin
        default: throw WalletError.permissionDenied("this principal does not act on holds")
        }
        return (tenant, hold, caller)
    }
}
