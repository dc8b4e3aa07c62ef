import PurserAPI
import PurserPostgres
import PurserRPC
import PurserService

extension IdentityService {
    /// Revoked subjects after `since`, for services' verifiers (service principals only).
    func listRevocations(_ request: ListRevocationsRequest) async throws -> ListRevocationsResponse {
        guard request.since >= 0 else { throw RPCError.invalid("since", "must not be negative") }
        let size = try PageToken.size(request.pageSize)
        return try await RevocationTable(pool: pool).revocations(after: request.since, limit: size)
    }

    /// Serializes writers of `identity.revocations` until commit, so entries
    /// commit in cursor order and a reader that has seen cursor N can never
    /// later find an entry below N. Revocations are rare; readers never wait.
    static func lockRevocationFeed(_ connection: PostgresConnection) throws {
        _ = try connection.query("SELECT pg_advisory_xact_lock(hashtext('identity.revocations'))")
    }
}

/// `identity.revocations` as a `RevocationFeed`: Identity's own verifier
/// polls it directly, other services through `ListRevocations`.
package struct RevocationTable: RevocationFeed {
    let pool: PostgresPool

    /// Reads `identity.revocations` through `pool`.
    package init(pool: PostgresPool) { self.pool = pool }

    /// Entries after `cursor` in cursor order; ones whose tokens have all
    /// expired are skipped but still advance the cursor.
    package func revocations(after cursor: Int64, limit: Int) async throws -> ListRevocationsResponse {
        try await pool.withConnection { connection -> ListRevocationsResponse in
            let rows = try connection.query(
                """
                SELECT seq, subject_id::text, tenant_id::text, reason, identity.to_us(revoked_at),
                       identity.to_us(expires_at), expires_at > now()
                  FROM identity.revocations WHERE seq > $1 ORDER BY seq LIMIT $2
                """, [cursor, limit])
            var response = ListRevocationsResponse()
            response.nextCursor = cursor
            for row in rows {
                response.nextCursor = try row.decode(Int64.self, at: 0)
                guard try row.decode(Bool.self, at: 6) else { continue }
                var entry = RevokedSubject()
                entry.cursor = response.nextCursor
                entry.subject = try row.decode(String.self, at: 1)
                entry.tenantID = try row.decode(String.self, at: 2)
                entry.reason = try row.decode(String.self, at: 3)
                entry.revokedAtUs = try row.decode(Int64.self, at: 4)
                entry.expiresAtUs = try row.decode(Int64.self, at: 5)
                response.revocations.append(entry)
            }
            return response
        }
    }
}
