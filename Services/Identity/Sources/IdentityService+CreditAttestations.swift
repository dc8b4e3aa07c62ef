import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension IdentityService {
    /// Longest `resource` an attestation names, in bytes.
    static let maximumResourceLength = 2048

    /// Signs a credit attestation (service `wallet` only, checked by the host)
    /// for a hold the Wallet has placed, with the current signing key; see
    /// `CreditAttestation`. The agent must be active (`agent_suspended`,
    /// `agent_revoked`, NOT_FOUND for an unknown one) and the provider known.
    func signCreditAttestation(_ request: SignCreditAttestationRequest) async throws -> SignCreditAttestationResponse {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        let agentID = try Validation.id(request.agentID, what: "agent")
        let providerID = try Validation.id(request.providerID, what: "provider")
        let holdID = try Validation.id(request.holdID, what: "hold")
        guard request.amountMicros > 0 else { throw RPCError.invalid("amount_micros", "must be positive", reason: "amount_invalid") }
        guard !request.currency.isEmpty, request.currency.utf8.count <= 16 else {
            throw RPCError.invalid("currency", "must be a currency code", reason: "currency_invalid")
        }
        guard !request.resource.isEmpty, request.resource.utf8.count <= Self.maximumResourceLength,
              !request.resource.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw RPCError.invalid("resource", "must be 1 to \(Self.maximumResourceLength) bytes without control characters",
                                   reason: "resource_invalid")
        }
        let nowUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
        guard request.expiresAtUs > nowUs else {
            throw RPCError.invalid("expires_at_us", "must lie in the future", reason: "expiry_invalid")
        }
        let now = nowUs / 1_000_000
        // `exp` is in whole seconds, rounded up: an attestation never expires
        // before its hold (a hold ending within this second still gets one);
        // the facilitator checks the hold itself is still open when it verifies.
        let expiresAt = request.expiresAtUs / 1_000_000 + (request.expiresAtUs % 1_000_000 == 0 ? 0 : 1)
        try await requireActiveAgent(agentID, of: tenantID, paying: providerID)
        let signer = try await keys.currentSigner()
        let attestation = CreditAttestation(
            issuer: tokenIssuer, subject: agentID, audience: providerID, tenant: tenantID, amountMicros: request.amountMicros,
            asset: request.currency, resource: request.resource, holdID: holdID, issuedAt: now, expiresAt: expiresAt)
        var response = SignCreditAttestationResponse()
        response.attestation = try attestation.sign(with: signer.key)
        response.kid = signer.key.keyID
        return response
    }
}
