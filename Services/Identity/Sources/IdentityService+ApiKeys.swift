import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService

extension IdentityService {
    /// Creates a tenant API key (operator, or an admin of that tenant) and
    /// returns its `purser_sk_` secret once; only the digest is stored.
    func createApiKey(_ request: CreateApiKeyRequest, principal: Principal) async throws -> CreateApiKeyResponse {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let role: String
        switch request.role {
        case .admin: role = "admin"
        case .finance: role = "finance"
        default: throw RPCError.invalid("role", "must be API_KEY_ROLE_ADMIN or API_KEY_ROLE_FINANCE", reason: "role_invalid")
        }
        let label = try Validation.text(request.label, field: "label", required: false)
        let expiresAt = try WireTime.validated(request.expiresAtUs, field: "expires_at_us")
        if expiresAt != 0 {
            guard expiresAt > Int64(Date().timeIntervalSince1970 * 1_000_000) else {
                throw RPCError.invalid("expires_at_us", "must be in the future (or 0 for never)")
            }
        }
        let secret = try Self.newSecret(.tenantKey)
        let keyID = Self.newID(), digest = secret.digest
        let key = try await pool.withTransaction { connection -> ApiKey? in
            let tenant = try connection.query("SELECT 1 FROM identity.tenants WHERE tenant_id = $1", [tenantID])
            guard !tenant.isEmpty else { return nil }
            let rows = try connection.query(
                """
                INSERT INTO identity.api_keys (tenant_id, key_id, role, label, expires_at)
                VALUES ($1, $2, $3, $4, identity.from_us(NULLIF($5, 0)))
                RETURNING \(IdentityRows.apiKeyColumns)
                """, [tenantID, keyID, role, label, expiresAt])
            _ = try connection.query(
                """
                INSERT INTO identity.credentials (digest, role, subject_id, tenant_id, expires_at)
                VALUES ($1, $2, $3, $4, identity.from_us(NULLIF($5, 0)))
                """, [digest, role, keyID, tenantID, expiresAt])
            return try IdentityRows.apiKey(rows[0])
        }
        guard let key else { throw RPCError.notFound("tenant") }
        var response = CreateApiKeyResponse()
        response.key = key
        response.secret = secret.exposedValue
        return response
    }

    /// The tenant's API keys (never their secrets), paged by key id. An unknown
    /// tenant answers NOT_FOUND (`not_found`), as CreateApiKey does, never an empty page.
    func listApiKeys(_ request: ListApiKeysRequest, principal: Principal) async throws -> ListApiKeysResponse {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let size = try PageToken.size(request.pageSize)
        let after = try PageToken.parse(request.pageToken).map { token throws(RPCError) in
            guard let id = try? Validation.id(token.after, what: "API key") else {
                throw RPCError.invalid("page_token", "is not a token this service issued", reason: "page_token_invalid")
            }
            return id
        }
        let keys = try await pool.withConnection { connection -> [ApiKey]? in
            let tenant = try connection.query("SELECT 1 FROM identity.tenants WHERE tenant_id = $1", [tenantID])
            guard !tenant.isEmpty else { return nil }
            let rows = try connection.query(
                """
                SELECT \(IdentityRows.apiKeyColumns) FROM identity.api_keys
                 WHERE tenant_id = $1 AND ($2::uuid IS NULL OR key_id > $2::uuid)
                 ORDER BY key_id LIMIT $3
                """, [tenantID, after, size + 1])
            return try rows.map(IdentityRows.apiKey)
        }
        guard let keys else { throw RPCError.notFound("tenant") }
        var response = ListApiKeysResponse()
        response.keys = Array(keys.prefix(size))
        if keys.count > size, let last = response.keys.last { response.nextPageToken = PageToken(after: last.id).text }
        return response
    }

    /// Revokes a tenant API key: its secret stops authenticating at once and
    /// its unexpired tokens enter the revocation feed. Revoking twice is a no-op.
    func revokeApiKey(_ request: RevokeApiKeyRequest, principal: Principal) async throws -> ApiKey {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let keyID = try Validation.id(request.keyID, what: "API key")
        let lifetime = (settings.tokenLifetime + .seconds(60)).microseconds
        let key = try await pool.withTransaction { connection -> ApiKey? in
            let updated = try connection.query(
                """
                UPDATE identity.api_keys SET revoked_at = now()
                 WHERE tenant_id = $1 AND key_id = $2 AND revoked_at IS NULL
                RETURNING \(IdentityRows.apiKeyColumns)
                """, [tenantID, keyID])
            if let row = updated.first {
                _ = try connection.query(
                    "UPDATE identity.credentials SET disabled_reason = 'api_key_revoked' WHERE subject_id = $1 AND tenant_id = $2",
                    [keyID, tenantID])
                try IdentityService.lockRevocationFeed(connection)
                _ = try connection.query(
                    """
                    INSERT INTO identity.revocations (tenant_id, subject_id, reason, revoked_at, expires_at)
                    VALUES ($1, $2, 'api_key_revoked', now(), now() + $3 * interval '1 microsecond')
                    """, [tenantID, keyID, lifetime])
                return try IdentityRows.apiKey(row)
            }
            let rows = try connection.query(
                "SELECT \(IdentityRows.apiKeyColumns) FROM identity.api_keys WHERE tenant_id = $1 AND key_id = $2",
                [tenantID, keyID])
            return try rows.first.map(IdentityRows.apiKey)
        }
        guard let key else { throw RPCError.notFound("API key") }
        verifier.revoke(subject: keyID, until: Int64(Date().timeIntervalSince1970) + lifetime / 1_000_000)
        return key
    }
}
