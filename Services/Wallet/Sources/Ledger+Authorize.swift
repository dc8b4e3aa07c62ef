import Foundation
import PurserPostgres

extension Ledger {
    /// Decides a batch of authorizations for one agent in one transaction:
    /// the agent's account row is locked once, each command is decided in
    /// order against the running balance and its limits (its own hold or
    /// denial, its own idempotency record), and the account is updated once.
    /// Returns one result per command, in order; a denial (`insufficient_funds`,
    /// `limit_exceeded`, `agent_revoked`, `account_frozen`, `idempotency_conflict`,
    /// `tenant_daily_limit_exceeded`) is a result, not a thrown error. Throws only when the whole batch failed.
    package func authorize(
        tenant: UUID, agent: UUID, _ commands: [AuthorizationCommand]
    ) async throws(WalletError) -> [Result<AuthorizationReceipt, WalletError>] {
        try await authorize([AgentAuthorizations(tenant: tenant, agent: agent, commands: commands)]).first ?? []
    }

    /// Decides the authorizations of several agents of one tenant in one
    /// transaction (one round trip, one commit), each agent's batch exactly as
    /// `authorize(tenant:agent:_:)` decides it. Account rows are locked in
    /// agent order whatever the order of `groups`, so concurrent calls cannot
    /// deadlock on them. Returns one array of results per group, in the order
    /// of `groups`. Throws only when the whole transaction failed (then no
    /// group's effects were committed), or at once when `groups` name more
    /// than one tenant (a transaction never spans tenants).
    package func authorize(
        _ groups: [AgentAuthorizations]
    ) async throws(WalletError) -> [[Result<AuthorizationReceipt, WalletError>]] {
        guard groups.contains(where: { !$0.commands.isEmpty }), let tenant = groups.first?.tenant else {
            return groups.map { _ in [] }
        }
        guard groups.allSatisfy({ $0.tenant == tenant }) else {
            throw WalletError(.internal, reason: "internal", "one authorization transaction names several tenants")
        }
        let document = try Ledger.groupsDocument(groups)
        let rows = try await run { connection in
            let rows = try connection.query(
                "SELECT group_index, outcome FROM wallet.authorize_agents($1::uuid, $2::jsonb)", [tenant, document])
            return try rows.map { row throws(PostgresError) in (try row.decode(Int32.self, at: 0), try row.decode(String.self, at: 1)) }
        }
        var texts: [[String]] = groups.map { _ in [] }
        for (index, text) in rows {
            guard texts.indices.contains(Int(index)) else {
                throw WalletError(.internal, reason: "internal", "the ledger answered for an unknown group \(index)")
            }
            texts[Int(index)].append(text)
        }
        return try zip(groups, texts).map { group, texts throws(WalletError) in
            guard texts.count == group.commands.count else {
                throw WalletError(
                    .internal, reason: "internal",
                    "the ledger answered \(texts.count) outcomes for \(group.commands.count) requests")
            }
            return texts.map(Ledger.authorizationResult)
        }
    }

    static func authorizationResult(_ text: String) -> Result<AuthorizationReceipt, WalletError> {
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

    /// One authorization on its own (a batch of one).
    package func authorize(tenant: UUID, agent: UUID, _ command: AuthorizationCommand) async throws(WalletError) -> AuthorizationReceipt {
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
        var policyEpoch: Int64?
        var unavailable: UnstoredFailure?

        enum CodingKeys: String, CodingKey {
            case principal, key, method, provider, category, task, description, amount, limits, denial, unavailable
            case ttlUs = "ttl_us", policyEpoch = "policy_epoch"
        }
    }

    /// A failure the ledger answers for a request that is not a replay, without storing it.
    private struct UnstoredFailure: Encodable {
        var ok = false
        var status: String
        var reason: String
        var message: String

        init(_ error: WalletError) {
            status = error.code.rawValue
            reason = error.reason
            message = error.message
        }
    }

    private struct Group: Encodable {
        var agent: String
        var requests: [BatchItem]
    }

    static func groupsDocument(_ groups: [AgentAuthorizations]) throws(WalletError) -> String {
        let document = groups.map { group in
            Group(
                agent: group.agent.uuidString.lowercased(),
                requests: group.commands.map { command in
                    BatchItem(
                        principal: command.scope.principal, key: command.scope.key, method: command.kind.rawValue,
                        provider: command.providerID.uuidString.lowercased(), category: command.category, task: command.taskID,
                        description: command.description, amount: command.amountMicros, ttlUs: command.holdTTLMicros,
                        limits: command.limits, denial: command.refusal, policyEpoch: command.policyEpoch,
                        unavailable: command.policyFailure.map(UnstoredFailure.init))
                })
        }
        do {
            return String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
        } catch {
            throw WalletError(.internal, reason: "internal", "unencodable authorization batch")
        }
    }
}
