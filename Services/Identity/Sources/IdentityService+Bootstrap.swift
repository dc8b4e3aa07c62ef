import PurserAPI
import PurserAuth
import PurserPostgres
import PurserRPC

extension IdentityService {
    /// Creates the first operator key (`purser_ok_…`, a prefix of its own so
    /// secret scanners tell operator keys from tenant keys). Callable only over mutual TLS with a
    /// client certificate from the deployment CA (the server verifies every
    /// presented certificate against it) and only while no operator key has
    /// ever existed: the table is locked so two concurrent bootstraps cannot
    /// both succeed. Afterwards FAILED_PRECONDITION (`already_bootstrapped`).
    func bootstrap(_ request: BootstrapRequest, context: ServerContext) async throws -> BootstrapResponse {
        guard context.peerIdentity != nil else {
            throw RPCError.permissionDenied(
                "bootstrap requires a client certificate issued by the deployment CA", reason: "client_certificate_required")
        }
        let label = try Validation.text(request.label, field: "label", required: false)
        let secret = try Self.newSecret(.operatorKey)
        let keyID = Self.newID()
        let digest = secret.digest
        let createdAt = try await pool.withTransaction { connection -> Int64 in
            _ = try connection.query("LOCK TABLE identity.operator_keys IN SHARE ROW EXCLUSIVE MODE")
            let existing = try connection.query("SELECT 1 FROM identity.operator_keys LIMIT 1")
            guard existing.isEmpty else {
                throw RPCError(.failedPrecondition, "an operator key already exists", reason: "already_bootstrapped")
            }
            let rows = try connection.query(
                "INSERT INTO identity.operator_keys (key_id, label) VALUES ($1, $2) RETURNING identity.to_us(created_at)",
                [keyID, label])
            _ = try connection.query(
                "INSERT INTO identity.credentials (digest, role, subject_id) VALUES ($1, 'operator', $2)", [digest, keyID])
            return try rows[0].decode(Int64.self, at: 0)
        }
        logger.notice("operator key bootstrapped", ["key_id": keyID, "peer": context.peerIdentity ?? ""])
        var response = BootstrapResponse()
        response.keyID = keyID
        response.secret = secret.exposedValue
        response.createdAtUs = createdAt
        return response
    }
}
