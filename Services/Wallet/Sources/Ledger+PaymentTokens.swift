import Foundation
import PurserPostgres
import PurserRPC

/// A payment token a provider presents to charge an agent: what the Wallet
/// remembers of it and enforces in the charge's own transaction.
package struct PaymentTokenUse: Sendable, Hashable {
    /// The token's `jti`.
    package var tokenID: String
    /// The most micros every charge under the token may take together.
    package var maximumMicros: Int64
    /// True when the token pays at most once.
    package var singleUse: Bool
    /// When the token expires (microseconds since the epoch).
    package var expiresAtUs: Int64

    package init(tokenID: String, maximumMicros: Int64, singleUse: Bool, expiresAtUs: Int64) {
        self.tokenID = tokenID
        self.maximumMicros = maximumMicros
        self.singleUse = singleUse
        self.expiresAtUs = expiresAtUs
    }
}

extension Ledger {
    /// Decides a provider's charge made under a payment token, in one
    /// transaction: the token's row in `wallet.payment_tokens` is created or
    /// locked first (so concurrent presentations of one token serialize), the
    /// charge is decided exactly as `authorize(_:)` decides it, and an approved
    /// charge is counted against the token before commit. A charge that would
    /// take the token past its maximum (`token_amount_exceeded`) or use a
    /// single-use token a second time (`token_used`) is rolled back whole and
    /// answered PERMISSION_DENIED; a denial by the ledger (insufficient funds,
    /// a limit, a frozen account) does not use the token. An idempotent replay
    /// of a charge already counted (the same hold) is answered as before and
    /// not counted again.
    package func charge(
        tenant: UUID, agent: UUID, provider: UUID, _ command: AuthorizationCommand, under token: PaymentTokenUse
    ) async throws(RPCError) -> AuthorizationReceipt {
        let parameters = AuthorizationParameters(
            tenant: tenant, groups: [AgentAuthorizations(tenant: tenant, agent: agent, commands: [command])])
        let amount = command.amountMicros
        let text = try await transaction { connection throws -> String in
            _ = try connection.query(
                """
                INSERT INTO wallet.payment_tokens (tenant_id, token_id, agent_id, provider_id, max_amount, single_use, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, timestamptz 'epoch' + $7::bigint * interval '1 microsecond')
                ON CONFLICT DO NOTHING
                """, [tenant, token.tokenID, agent, provider, token.maximumMicros, token.singleUse, token.expiresAtUs])
            let locked = try connection.query(
                """
                SELECT charged, charges, max_amount, single_use FROM wallet.payment_tokens
                 WHERE tenant_id = $1 AND token_id = $2 AND agent_id = $3 AND provider_id = $4 FOR UPDATE
                """, [tenant, token.tokenID, agent, provider])
            guard let row = locked.first else {
                throw RPCError(
                    .permissionDenied, "agent-authorization: the payment token names another agent or payee",
                    reason: "token_scope")
            }
            let charged = try row.decode(Int64.self, at: 0)
            let charges = try row.decode(Int64.self, at: 1)
            let maximum = try row.decode(Int64.self, at: 2)
            let singleUse = try row.decode(Bool.self, at: 3)
            let rows = try connection.query(AuthorizationParameters.statement, parameters.values)
            guard let outcome = rows.first else { throw PostgresError(.decoding, "the ledger answered no outcome") }
            let text = try outcome.decode(String.self, at: 1)
            let decided = try LedgerOutcome.decode(text)
            guard decided.ok, let hold = decided.holdId else { return text }
            let counted = try connection.query(
                """
                INSERT INTO wallet.payment_token_charges (tenant_id, hold_id, token_id, amount, expires_at)
                VALUES ($1, $2, $3, $4, timestamptz 'epoch' + $5::bigint * interval '1 microsecond')
                ON CONFLICT DO NOTHING RETURNING 1
                """, [tenant, hold, token.tokenID, amount, token.expiresAtUs])
            guard !counted.isEmpty else { return text }
            if singleUse && charges >= 1 {
                throw RPCError(
                    .permissionDenied, "agent-authorization: the single-use payment token has already paid",
                    reason: "token_used")
            }
            let (total, overflow) = charged.addingReportingOverflow(amount)
            guard !overflow, total <= maximum else {
                throw RPCError(
                    .permissionDenied, "agent-authorization: the payment token allows \(maximum - charged) more micros",
                    reason: "token_amount_exceeded")
            }
            _ = try connection.query(
                "UPDATE wallet.payment_tokens SET charged = $3, charges = charges + 1 WHERE tenant_id = $1 AND token_id = $2",
                [tenant, token.tokenID, total])
            return text
        }
        return try Ledger.authorizationResult(text).get()
    }

    /// Deletes up to `limit` payment-token records whose token expired more
    /// than `graceMicros` ago (no verifier accepts such a token any more) and
    /// returns how many it deleted.
    package func purgePaymentTokens(graceMicros: Int64, limit: Int) async throws(RPCError) -> Int {
        try await run { connection in
            let tokens = try connection.query(
                """
                WITH gone AS (
                    SELECT tenant_id, token_id FROM wallet.payment_tokens
                     WHERE expires_at < now() - $1::bigint * interval '1 microsecond' LIMIT $2)
                DELETE FROM wallet.payment_tokens t USING gone
                 WHERE t.tenant_id = gone.tenant_id AND t.token_id = gone.token_id RETURNING 1
                """, [graceMicros, Int32(clamping: limit)])
            let charges = try connection.query(
                """
                WITH gone AS (
                    SELECT tenant_id, hold_id FROM wallet.payment_token_charges
                     WHERE expires_at < now() - $1::bigint * interval '1 microsecond' LIMIT $2)
                DELETE FROM wallet.payment_token_charges c USING gone
                 WHERE c.tenant_id = gone.tenant_id AND c.hold_id = gone.hold_id RETURNING 1
                """, [graceMicros, Int32(clamping: limit)])
            return max(tokens.count, charges.count)
        }
    }

    /// Runs `body` in one transaction with `options` on a pooled connection
    /// (retried whole on serialization failures and deadlocks) and maps what
    /// fails to `RPCError`.
    func transaction<T: Sendable>(
        _ options: TransactionOptions = TransactionOptions(), _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws(RPCError) -> T {
        do {
            return try await pool.withTransaction(options, body)
        } catch let error as RPCError {
            throw error
        } catch let error as PostgresError {
            throw Ledger.walletError(error)
        } catch is CancellationError {
            throw RPCError(.unavailable, "the call was cancelled before it reached the database", reason: "cancelled")
        } catch {
            throw RPCError(.internal, "\(error)", reason: "internal")
        }
    }
}
