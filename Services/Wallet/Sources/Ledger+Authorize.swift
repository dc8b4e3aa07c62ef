import Foundation
import PurserPostgres
import PurserRPC

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
    ) async throws(RPCError) -> [Result<AuthorizationReceipt, RPCError>] {
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
    ) async throws(RPCError) -> [[Result<AuthorizationReceipt, RPCError>]] {
        guard groups.contains(where: { !$0.commands.isEmpty }), let tenant = groups.first?.tenant else {
            return groups.map { _ in [] }
        }
        guard groups.allSatisfy({ $0.tenant == tenant }) else {
            throw RPCError(.internal, "one authorization transaction names several tenants", reason: "internal")
        }
        let parameters = AuthorizationParameters(tenant: tenant, groups: groups)
        let rows = try await run { connection in
            let rows = try connection.query(AuthorizationParameters.statement, parameters.values)
            return try rows.map { row throws(PostgresError) in (try row.decode(Int32.self, at: 0), try row.decode(String.self, at: 1)) }
        }
        var texts: [String?] = Array(repeating: nil, count: parameters.count)
        for (index, text) in rows {
            guard texts.indices.contains(Int(index)), texts[Int(index)] == nil else {
                throw RPCError(.internal, "the ledger answered for an unknown request \(index)", reason: "internal")
            }
            texts[Int(index)] = text
        }
        var results: [[Result<AuthorizationReceipt, RPCError>]] = []
        var next = 0
        for group in groups {
            var outcomes: [Result<AuthorizationReceipt, RPCError>] = []
            for _ in group.commands {
                guard let text = texts[next] else {
                    throw RPCError(.internal, "the ledger answered no outcome for request \(next)", reason: "internal")
                }
                outcomes.append(Ledger.authorizationResult(text))
                next += 1
            }
            results.append(outcomes)
        }
        return results
    }

    static func authorizationResult(_ text: String) -> Result<AuthorizationReceipt, RPCError> {
        Result { () throws(RPCError) in
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
    package func authorize(tenant: UUID, agent: UUID, _ command: AuthorizationCommand) async throws(RPCError) -> AuthorizationReceipt {
        guard let result = try await authorize(tenant: tenant, agent: agent, [command]).first else {
            throw RPCError(.internal, "the ledger answered no outcome", reason: "internal")
        }
        return try result.get()
    }
}
