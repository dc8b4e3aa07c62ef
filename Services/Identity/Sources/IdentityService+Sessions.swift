import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension IdentityService {
    /// Ends one session: verifies `request.token` (whoever holds a token may
    /// end it; nothing else is needed), then, in one transaction, appends its
    /// `jti` to the revocation feed until the token's own expiry. This
    /// replica's verifier refuses the token at once; every other service's
    /// does within one poll of the feed. The subject's other tokens stay valid.
    func endSession(_ request: EndSessionRequest) async throws -> EndSessionResponse {
        let verified: VerifiedToken
        do {
            verified = try await verifier.verify(request.token)
        } catch {
            throw error.rpcError
        }
        let claims = verified.claims
        guard let tokenID = UUID(uuidString: claims.tokenID) else {
            throw RPCError.invalid("token", "has no session id (jti) to end")
        }
        // Operator and provider tokens carry no tenant: their entries sit under the nil tenant.
        let tenant = claims.tenant.flatMap(UUID.init(uuidString:)) ?? IdentityService.noTenant
        let expiresAtUs = claims.expiresAt * 1_000_000
        try await pool.withTransaction { connection in
            try IdentityService.lockRevocationFeed(connection)
            _ = try connection.query(
                """
                INSERT INTO identity.revocations (tenant_id, subject_id, reason, revoked_at, expires_at)
                VALUES ($1, $2, 'session_ended', now(), to_timestamp($3::bigint))
                """, [tenant, tokenID, claims.expiresAt])
        }
        verifier.revoke(subject: claims.tokenID, until: claims.expiresAt)
        var response = EndSessionResponse()
        response.tokenID = claims.tokenID.lowercased()
        response.expiresAtUs = expiresAtUs
        return response
    }

    /// The tenant of revocation entries for tokens that have none (operators, providers).
    static let noTenant = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
