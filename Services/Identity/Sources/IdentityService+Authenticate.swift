import Foundation
import PurserAPI
import PurserAuth
import PurserPostgres
import PurserRPC

extension IdentityService {
    /// Exchanges any principal's secret for a JWT signed with the current key.
    ///
    /// The secret's SHA-256 digest is looked up in `identity.credentials` (one
    /// index lookup for every principal kind) and compared in constant time;
    /// a miss runs the same lookup and the same comparison against a dummy
    /// digest, so a wrong secret costs the same whether its subject exists or
    /// not. Failures are UNAUTHENTICATED with `invalid_credentials`,
    /// `credentials_expired`, `agent_suspended`, `agent_revoked` or `api_key_revoked`.
    func authenticate(_ request: AuthenticateRequest) async throws -> AuthenticateResponse {
        let audience = request.audience.isEmpty ? defaultAudience : request.audience
        guard audience.utf8.count <= 200, !audience.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "\"" || $0 == "\\" }) else {
            throw RPCError.invalid("audience", "must be 1 to 200 printable characters without spaces or quotes")
        }
        let digest = SecretDigest.sha256(String(request.secret.utf8.prefix(256)) ?? "")
        struct Credential: Sendable {
            var digest: [UInt8]
            var role: String
            var subject: String
            var tenant: String?
            var disabledReason: String?
            var expired: Bool
        }
        let credential = try await pool.withConnection { connection -> Credential? in
            let rows = try connection.query(
                """
                SELECT digest, role, subject_id::text, tenant_id::text, disabled_reason,
                       expires_at IS NOT NULL AND expires_at <= now()
                  FROM identity.credentials WHERE digest = $1
                """, [digest])
            guard let row = rows.first else { return nil }
            return Credential(
                digest: try row.decode([UInt8].self, at: 0), role: try row.decode(String.self, at: 1),
                subject: try row.decode(String.self, at: 2), tenant: try row.decode(String?.self, at: 3),
                disabledReason: try row.decode(String?.self, at: 4), expired: try row.decode(Bool.self, at: 5))
        }
        let matches = ConstantTime.equals(digest, credential?.digest ?? Self.missDigest)
        guard let credential, matches else {
            throw RPCError.unauthenticated("the secret is not valid", reason: "invalid_credentials")
        }
        if let reason = credential.disabledReason {
            throw RPCError.unauthenticated("the secret's subject may not authenticate (\(reason))", reason: reason)
        }
        if credential.expired {
            throw RPCError.unauthenticated("the secret has expired", reason: "credentials_expired")
        }
        guard let role = TokenRole(rawValue: credential.role) else {
            throw RPCError(.internal, "unknown credential role", reason: "internal")
        }
        let signer = try await keys.currentSigner()
        let now = Int64(Date().timeIntervalSince1970)
        let claims = JWTClaims(
            issuer: tokenIssuer, subject: credential.subject, audience: [audience],
            expiresAt: now + settings.tokenLifetimeSeconds, issuedAt: now, tokenID: Self.newID(),
            tenant: credential.tenant, role: role)
        var response = AuthenticateResponse()
        response.token = try signer.sign(claims)
        response.expiresAtUs = claims.expiresAt * 1_000_000
        response.subject = credential.subject
        response.tenantID = credential.tenant ?? ""
        response.role = credential.role
        return response
    }

    /// Compared against on a miss so both paths do the same work.
    static let missDigest = [UInt8](repeating: 0xA5, count: 32)
}
