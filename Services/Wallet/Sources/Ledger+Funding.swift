import Foundation
import PurserPostgres
import PurserRPC

extension Ledger {
    /// Moves `amountMicros` from the tenant's funding account into its treasury
    /// (creating both on first use). Idempotent by `scope`. Counts toward the
    /// tenant's daily bound (`tenant_daily_limit_exceeded` beyond it).
    package func fund(
        tenant: UUID, currency: String, amountMicros: Int64, reference: String, description: String,
        scope: IdempotencyScope
    ) async throws(RPCError) -> FundReceipt {
        let result = try await outcome(
            "SELECT wallet.fund_bounded($1, $2, $3, $4, $5, $6, $7, $8)",
            [tenant, scope.principal, scope.key, currency, amountMicros, reference, description, tenantDailyMaximumMicros]
        ).accepted()
        return FundReceipt(
            entryID: try result.require(result.entryId, "entry_id"),
            amountMicros: try result.require(result.amountMicros, "amount_micros"),
            treasuryBalanceMicros: try result.require(result.treasuryBalanceMicros, "treasury_balance_micros"),
            currency: result.currency ?? currency,
            createdAtUs: try result.require(result.createdAtUs, "created_at_us"))
    }

    /// Moves `amountMicros` from the treasury to the agent's account (creating
    /// it on first use). Denied with `insufficient_funds` when the treasury holds
    /// less, `agent_revoked` when the agent's account is revoked. Idempotent by `scope`.
    package func allocate(
        tenant: UUID, currency: String, agent: UUID, amountMicros: Int64, description: String = "",
        scope: IdempotencyScope
    ) async throws(RPCError) -> TransferReceipt {
        try await transfer("allocate", tenant: tenant, currency: currency, agent: agent, amountMicros: amountMicros,
                           description: description, scope: scope)
    }

    /// Moves `amountMicros` of the agent's available balance back to the
    /// treasury. Denied with `insufficient_funds` when less is available.
    /// Idempotent by `scope`.
    package func reclaim(
        tenant: UUID, currency: String, agent: UUID, amountMicros: Int64, description: String = "",
        scope: IdempotencyScope
    ) async throws(RPCError) -> TransferReceipt {
        try await transfer("reclaim", tenant: tenant, currency: currency, agent: agent, amountMicros: amountMicros,
                           description: description, scope: scope)
    }

    private func transfer(
        _ kind: String, tenant: UUID, currency: String, agent: UUID, amountMicros: Int64, description: String,
        scope: IdempotencyScope
    ) async throws(RPCError) -> TransferReceipt {
        let result = try await outcome(
            "SELECT wallet.transfer($1, $2, $3, $4, $5, $6, $7, $8)",
            [tenant, scope.principal, scope.key, currency, agent, amountMicros, kind, description]
        ).accepted()
        return TransferReceipt(
            entryID: try result.require(result.entryId, "entry_id"),
            amountMicros: try result.require(result.amountMicros, "amount_micros"),
            agentBalanceMicros: try result.require(result.agentBalanceMicros, "agent_balance_micros"),
            agentAvailableMicros: try result.require(result.agentAvailableMicros, "agent_available_micros"),
            treasuryBalanceMicros: try result.require(result.treasuryBalanceMicros, "treasury_balance_micros"),
            currency: result.currency ?? currency,
            createdAtUs: try result.require(result.createdAtUs, "created_at_us"))
    }

    /// Moves `amountMicros` within an agent tree, both agent accounts locked
    /// in account-id order: `delegate` from the ancestor `other`'s available
    /// balance to `agent`, `return` from `agent`'s available balance to the
    /// ancestor `other`. The caller has established that `other` is an
    /// ancestor of `agent`. Denied `insufficient_funds` beyond the paying
    /// account's available balance, `agent_revoked` when the receiving account
    /// (or a delegating one) is revoked. Idempotent by `scope`.
    package func moveInTree(
        _ kind: TreeMove, tenant: UUID, currency: String, agent: UUID, ancestor other: UUID, amountMicros: Int64,
        description: String = "", scope: IdempotencyScope
    ) async throws(RPCError) -> TransferReceipt {
        let result = try await outcome(
            "SELECT wallet.move_in_tree($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [tenant, scope.principal, scope.key, currency, agent, other, amountMicros, kind.rawValue, description]
        ).accepted()
        var receipt = TransferReceipt(
            entryID: try result.require(result.entryId, "entry_id"),
            amountMicros: try result.require(result.amountMicros, "amount_micros"),
            agentBalanceMicros: try result.require(result.agentBalanceMicros, "agent_balance_micros"),
            agentAvailableMicros: try result.require(result.agentAvailableMicros, "agent_available_micros"),
            treasuryBalanceMicros: result.treasuryBalanceMicros ?? 0,
            currency: result.currency ?? currency,
            createdAtUs: try result.require(result.createdAtUs, "created_at_us"))
        receipt.counterpartBalanceMicros = result.counterpartBalanceMicros ?? 0
        receipt.counterpartAvailableMicros = result.counterpartAvailableMicros ?? 0
        return receipt
    }
}

/// A move of credits between an agent and one of its ancestors.
package enum TreeMove: String, Sendable {
    /// Ancestor → descendant (Allocate with `from_agent_id`).
    case delegate
    /// Descendant → ancestor (Reclaim with `to_agent_id`).
    case `return`
}
