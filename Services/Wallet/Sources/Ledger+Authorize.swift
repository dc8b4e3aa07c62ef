import Foundation
import PurserPostgres

extension Ledger {
    /// Decides a batch of authorizations for one agent in one transaction:
    /// the agent's account row is locked once, each command is decided in
    /// order against the running balance and its limits (its own hold or
    /// denial, its own idempotency record), and the account is updated once.
    /// Returns one result per command, in order; a denial (`insufficient_funds`,
    /// `limit_exceeded`, `agent_revoked`, `account_frozen`, `idempotency_conflict`)
    /// is a result, not a thrown error. Throws only when the whole batch failed.
    public func authorize(
        tenant: UUID, agent: UUID, _ commands: [AuthorizationCommand]
    ) async throws(WalletError) -> [Result<AuthorizationReceipt, WalletError>] {
        guard !commands.isEmpty else { return [] }
        let document = try Ledger.batchDocument(commands)
        let texts = try await run { connection in
            let rows = try connection.query("SELECT * FROM wallet.authorize_batch($1, $2, $3::jsonb)", [tenant, agent, document])
            return try rows.map { row throws(PostgresError) in try row.decode(String.self, at: 0) }
        }
        guard texts.count == commands.count else {
            throw WalletError(.internal, reason: "internal", "the ledger answered \(texts.count) outcomes for \(commands.count) requests")
        }
        return texts.map { text in
            Result { () throws(WalletError) in
                let result = try LedgerOutcome.decode(text).accepted()
                return AuthorizationReceipt(
                    holdID: try result.require(result.holdId, "hold_id"),
                    amountMicros: try result.require(result.amountMicros, "amount_micros"),
                    expiresAtUs: try result.require(result.expiresAtUs, "expires_at_us"),
                    availableAfterMicros: try result.require(result.availableAfterMicros, "available_after_micros"),
                    currency: result.currency ?? "",
                    createdAtUs: try result.require(result.createdAtUs, "created_at_us"),
                    captureEntryID: result.entryId)
            }
        }
    }

    /// One authorization on its own (a batch of one).
    public func authorize(tenant: UUID, agent: UUID, _ command: AuthorizationCommand) async throws(WalletError) -> AuthorizationReceipt {
        guard let result = try await authorize(tenant: tenant, agent: agent, [command]).first else {
            throw WalletError(.internal, reason: "internal", "the ledger answered no outcome")
        }
        return try result.get()
    }

    private struct BatchItem: Encodable {
        var principal: String
        var key: String
        var method: String
        var provider: String
        var category: String
        var task: String
        var description: String
        var amount: Int64
        var ttlUs: Int64
        var limits: [SpendLimit]
        var denial: PolicyRefusal?

        enum CodingKeys: String, CodingKey {
            case principal, key, method, provider, category, task, description, amount, limits, denial
            case ttlUs = "ttl_us"
        }
    }

    static func batchDocument(_ commands: [AuthorizationCommand]) throws(WalletError) -> String {
        let items = commands.map { command in
            BatchItem(
                principal: command.scope.principal, key: command.scope.key, method: command.kind.rawValue,
                provider: command.providerID.uuidString.lowercased(), category: command.category, task: command.taskID,
                description: command.description, amount: command.amountMicros, ttlUs: command.holdTTLMicros,
                limits: command.limits, denial: command.refusal)
        }
        do {
            return String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
        } catch {
            throw WalletError(.internal, reason: "internal", "unencodable authorization batch")
        }
    }
}
