import Foundation
import PurserAPI
import PurserAuth
import PurserPostgres
import PurserRPC

extension IdentityService {
    /// Issues a payment token (agent, with its full token): an agent token
    /// narrowed to paying one provider (`aud` = `provider:<id>`, `scope` =
    /// `pay`) at most `max_amount_micros` in all, for at most
    /// `PURSER_IDENTITY_PAYMENT_TOKEN_MAX_LIFETIME`, optionally once. The agent
    /// hands it to the provider, which presents it to `Wallet/Charge`; every
    /// other method of every service refuses it (`token_scope`). Refused: an
    /// unknown provider (NOT_FOUND), an amount that is not positive
    /// (`amount_invalid`), a lifetime outside 1 s…the maximum (`ttl_invalid`),
    /// an agent that is suspended or revoked (FAILED_PRECONDITION
    /// `agent_suspended` / `agent_revoked`).
    func issuePaymentToken(_ request: IssuePaymentTokenRequest, principal: Principal) async throws -> IssuePaymentTokenResponse {
        guard case .agent(let tenantID, let agentID) = principal else {
            throw RPCError(.permissionDenied, "only an agent issues payment tokens", reason: "permission_denied")
        }
        let providerID = try Validation.id(request.providerID, what: "provider")
        guard request.maxAmountMicros > 0 else {
            throw RPCError.invalid("max_amount_micros", "must be positive", reason: "amount_invalid")
        }
        let longest = settings.paymentTokenMaximumLifetime.components.seconds
        guard request.ttlSeconds >= 0, Int64(request.ttlSeconds) <= longest else {
            throw RPCError.invalid("ttl_seconds", "must be between 1 and \(longest) (0 = \(longest))", reason: "ttl_invalid")
        }
        let lifetime = request.ttlSeconds == 0 ? longest : Int64(request.ttlSeconds)
        try await requireActiveAgent(agentID, of: tenantID, paying: providerID)
        let signer = try await keys.currentSigner()
        let now = Int64(Date().timeIntervalSince1970)
        let claims = JWTClaims(
            issuer: tokenIssuer, subject: agentID, audience: [PaymentScope.audience(provider: providerID)],
            expiresAt: now + lifetime, issuedAt: now, tokenID: Self.newID(), tenant: tenantID, role: .agent,
            scope: PaymentScope.scope, maxAmountMicros: request.maxAmountMicros, singleUse: request.singleUse)
        var response = IssuePaymentTokenResponse()
        response.token = try signer.sign(claims)
        response.tokenID = claims.tokenID
        response.expiresAtUs = claims.expiresAt * 1_000_000
        response.audience = claims.audience[0]
        response.maxAmountMicros = request.maxAmountMicros
        response.singleUse = request.singleUse
        return response
    }
}

extension IdentityService {
    /// Passes only when `providerID` is a registered provider and `agentID` an
    /// active agent of `tenantID`: what an agent needs to pay a provider.
    /// Throws NOT_FOUND for an unknown provider or agent, FAILED_PRECONDITION
    /// `agent_suspended` / `agent_revoked` for an agent that may not pay.
    func requireActiveAgent(_ agentID: String, of tenantID: String, paying providerID: String) async throws {
        let (provider, status) = try await pool.withConnection { connection -> (Bool, String?) in
            let providers = try connection.query("SELECT 1 FROM identity.providers WHERE provider_id = $1", [providerID])
            let agents = try connection.query(
                "SELECT status FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2", [tenantID, agentID])
            return (!providers.isEmpty, try agents.first?.decode(String.self, at: 0))
        }
        guard provider else { throw RPCError.notFound("provider") }
        switch status {
        case "active": break
        case "suspended": throw RPCError(.failedPrecondition, "a suspended agent pays nothing", reason: "agent_suspended")
        case "revoked": throw RPCError(.failedPrecondition, "the agent is revoked", reason: "agent_revoked")
        default: throw RPCError.notFound("agent")
        }
    }
}
