import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// Longest `resource` a credit names, in bytes (Identity's bound too).
    static let maximumResourceLength = 2048

    /// AuthorizeCredit (agent): the hold of `Authorize`, under the same
    /// validation, policy, caps and idempotency (a denial is the same denial),
    /// plus Identity's credit attestation for it; when Identity does not sign
    /// (a suspended or revoked agent, Identity unreachable) the hold is
    /// released before the refusal is answered. GetHold (the payee
    /// provider): the hold's state; anyone else's hold is NOT_FOUND.
    func registerCredit() {
        handle(WalletMethods.authorizeCredit) { request, principal, context in
            let (tenant, agent) = try Self.agentIdentity(principal)
            let resource = try Self.resource(request.resource)
            let scope = try WalletRequest.scope(principal, context)
            let receipt = try await self.decide(tenant: tenant, method: .authorizeCredit) { () async throws in
                let command = try await self.command(
                    .authorize, tenant: tenant, agent: agent, amountMicros: request.amountMicros, providerID: request.providerID,
                    category: request.category, taskID: request.taskID, description: "x402 " + resource.prefix(200),
                    ttlSeconds: request.holdTTLSeconds, scope: scope)
                return try await self.coalescer.authorize(tenant: tenant, agent: agent, command)
            }
            var sign = SignCreditAttestationRequest()
            sign.tenantID = tenant.lowercased
            sign.agentID = agent.lowercased
            sign.providerID = try WalletRequest.id(request.providerID, field: "provider_id").lowercased
            sign.holdID = receipt.holdID.lowercased
            sign.amountMicros = receipt.amountMicros
            sign.currency = receipt.currency
            sign.resource = resource
            sign.expiresAtUs = receipt.expiresAtUs
            let signed: SignCreditAttestationResponse
            do {
                signed = try await self.directory.client.call(IdentityMethods.signCreditAttestation, sign, timeout: .seconds(5))
            } catch {
                let failure = error as? RPCError ?? RPCError.unavailable("\(error)", reason: "attestation_unavailable")
                // No attestation, no hold: release it (the payee's release, made by the Wallet itself).
                let provider = try WalletRequest.id(sign.providerID, field: "provider_id")
                _ = try? await self.ledger.void(
                    tenant: tenant, hold: receipt.holdID, caller: .provider(provider),
                    scope: IdempotencyScope(principal: "service:wallet", key: "credit-unsigned:\(sign.holdID)"))
                guard failure.code == .failedPrecondition else {
                    throw RPCError.unavailable(
                        "Identity did not sign the attestation: \(failure.message); the hold is released",
                        reason: "attestation_unavailable", cause: failure)
                }
                throw failure
            }
            var response = AuthorizeCreditResponse()
            response.holdID = receipt.holdID.lowercased
            response.attestation = signed.attestation
            response.amountMicros = receipt.amountMicros
            response.expiresAtUs = receipt.expiresAtUs
            response.currency = receipt.currency
            response.availableAfterMicros = receipt.availableAfterMicros
            return response
        }
        handle(WalletMethods.getHold) { request, principal, _ in
            let (tenant, hold, caller) = try Self.holdTarget(principal, tenantID: request.tenantID, holdID: request.holdID)
            guard case .provider(let provider) = caller, let found = try await self.ledger.hold(tenant: tenant, hold: hold, payee: provider)
            else { throw RPCError.notFound("hold") }
            return found
        }
    }

    /// A credit's `resource`: 1 to `maximumResourceLength` bytes, no control characters.
    static func resource(_ value: String) throws(RPCError) -> String {
        guard !value.isEmpty, value.utf8.count <= maximumResourceLength,
              !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw RPCError.invalid(
                "resource", "must be 1 to \(maximumResourceLength) bytes without control characters", reason: "resource_invalid")
        }
        return value
    }
}
