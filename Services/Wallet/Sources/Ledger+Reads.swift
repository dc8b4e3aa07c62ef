import Foundation
import PurserPostgres
import PurserRPC

/// An account named in a filter.
package enum AccountSelector: Sendable, Hashable {
    /// An agent's account or a provider's payable, by id.
    case id(UUID)
    /// The tenant's treasury.
    case treasury
    /// The tenant's funding account.
    case funding
}

/// Which entries `Ledger.entries` returns.
package struct EntryFilter: Sendable, Equatable {
    /// Entries debiting or crediting this account.
    package var account: AccountSelector?
    /// `fund`, `allocate`, `reclaim`, `capture`, `refund`, `transfer`, `delegate` or `return`.
    package var kind: String?
    /// Entries created at or after this instant (Unix µs).
    package var fromUs: Int64?
    /// Entries created before this instant (Unix µs).
    package var untilUs: Int64?

    /// A filter; `nil` criteria match everything.
    package init(account: AccountSelector? = nil, kind: String? = nil, fromUs: Int64? = nil, untilUs: Int64? = nil) {
        self.account = account
        self.kind = kind
        self.fromUs = fromUs
        self.untilUs = untilUs
    }
}

/// An account with a balance row.
package enum AccountReference: Sendable, Hashable {
    /// The agent's own account (its id is the agent's id).
    case agent(UUID)
    /// The tenant's treasury (funded, not yet allocated).
    case treasury
}

extension Ledger {
    /// The account's balance, held and available amounts as of now, or `nil`
    /// when the tenant has no such account.
    package func balance(tenant: UUID, account: AccountReference) async throws(RPCError) -> AccountBalance? {
        let id: UUID? = switch account {
        case .agent(let agent): agent
        case .treasury: nil
        }
        return try await run { connection in
            let rows = try connection.query(
                """
                SELECT \(Self.balanceColumns)
                  FROM wallet.accounts
                 WHERE tenant_id = $1 AND account_id = coalesce($2::uuid, wallet.treasury_account($1))
                """, [tenant, id])
            return try rows.first.map(Self.accountBalance)
        }
    }

    /// The columns `accountBalance(_:)` reads from `wallet.accounts`.
    static let balanceColumns = "account_id, kind, status, currency, balance, held, wallet.us(now()), balance_low"

    static func accountBalance(_ row: PostgresRow) throws(PostgresError) -> AccountBalance {
        AccountBalance(
            accountID: try row.decode(UUID.self, at: 0), kind: try row.decode(String.self, at: 1),
            status: try row.decode(String.self, at: 2), currency: try row.decode(String.self, at: 3),
            balanceMicros: try row.decode(Int64.self, at: 4), heldMicros: try row.decode(Int64.self, at: 5),
            asOfUs: try row.decode(Int64.self, at: 6), balanceLowMicros: try row.decode(Int64.self, at: 7))
    }

    /// Sets an agent's `agent.balance_low` threshold, opening its account (in
    /// the tenant's currency) if it has none yet, and answers its balance.
    package func setBalanceLow(tenant: UUID, agent: UUID, micros: Int64, currency: String) async throws(RPCError) -> AccountBalance {
        try await run { connection in
            _ = try connection.query("SELECT wallet.ensure_tenant_accounts($1, $2)", [tenant, currency])
            _ = try connection.query(
                "INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency) VALUES ($1, $2, 'agent', $3) ON CONFLICT DO NOTHING",
                [tenant, agent, currency])
            let rows = try connection.query(
                """
                UPDATE wallet.accounts SET balance_low = $3 WHERE tenant_id = $1 AND account_id = $2 AND kind = 'agent'
                RETURNING \(Self.balanceColumns)
                """, [tenant, agent, micros])
            guard let row = rows.first else { throw RPCError.notFound("agent") }
            return try Self.accountBalance(row)
        }
    }

    /// A page of the tenant's entries, newest first, matching `filter`, starting
    /// after the entry with sequence `before` (exclusive) when given.
    package func entries(tenant: UUID, filter: EntryFilter, before: Int64?, limit: Int) async throws(RPCError) -> [LedgerEntry] {
        let (accountID, accountRole): (UUID?, String?) = switch filter.account {
        case .id(let id): (id, nil)
        case .treasury: (nil, "treasury")
        case .funding: (nil, "funding")
        case nil: (nil, nil)
        }
        let account = filter.account != nil
        return try await transaction { connection in
            if account { try connection.executeScript(Self.accountEntriesPlanning) }
            let rows = try connection.query(
                account ? Self.accountEntriesPage : Self.tenantEntriesPage,
                [tenant, accountID, filter.kind, filter.fromUs, filter.untilUs, before, Int64(limit), accountRole])
            return try rows.map { row throws(PostgresError) in
                LedgerEntry(
                    entryID: try row.decode(UUID.self, at: 0), sequence: try row.decode(Int64.self, at: 1),
                    kind: try row.decode(String.self, at: 2), debitAccount: try row.decode(UUID.self, at: 3),
                    creditAccount: try row.decode(UUID.self, at: 4), amountMicros: try row.decode(Int64.self, at: 5),
                    currency: try row.decode(String.self, at: 6), agentID: try row.decode(UUID?.self, at: 7),
                    providerID: try row.decode(UUID?.self, at: 8), category: try row.decode(String.self, at: 9),
                    holdID: try row.decode(UUID?.self, at: 10), reference: try row.decode(String.self, at: 11),
                    description: try row.decode(String.self, at: 12), createdAtUs: try row.decode(Int64.self, at: 13))
            }
        }
    }

    /// The parameters both page queries take: $1 tenant, $2 account id, $3
    /// kind, $4 from (µs), $5 until (µs), $6 before (sequence, exclusive), $7
    /// page size, $8 `treasury` or `funding` (the tenant's own accounts);
    /// `NULL` criteria match everything.
    private static let entryColumns = """
        entry_id, seq, kind, debit_account, credit_account, amount, currency, agent_id, provider_id,
        category, hold_id, reference, description, wallet.us(created_at)
        """

    private static let entryCriteria = """
        AND ($3::text IS NULL OR kind = $3::text)
        AND ($4::bigint IS NULL OR created_at >= 'epoch'::timestamptz + $4::bigint * interval '1 microsecond')
        AND ($5::bigint IS NULL OR created_at < 'epoch'::timestamptz + $5::bigint * interval '1 microsecond')
        AND seq < coalesce($6::bigint, 9223372036854775807)
        """

    /// One page of the entries of one account (the one $2 names, or the
    /// tenant's account $8 names), newest first. The debit side and the
    /// credit side are each read backwards along their own index
    /// (`entries_by_debit`, `entries_by_credit`), at most a page each, so the
    /// page reads only that account's rows however large the tenant is. An
    /// entry never debits and credits one account, so the two sides never
    /// repeat a row. The account is an expression of the parameters alone
    /// (never a sub-select), so the planner estimates it by its own
    /// statistics: with the account unknown at planning, it guesses "one
    /// account in a few" (the share of the treasury) and reads the tenant's
    /// whole history backwards for an agent that is rarely debited (1,000,090
    /// rows read for a page of 30 in a tenant of a million entries). Custom
    /// plans (`accountEntriesPlanning`) keep it from ever running as a
    /// generic plan, which has the same blind spot.
    static let accountEntriesPage = """
        SELECT \(entryColumns) FROM (
            (SELECT e.* FROM wallet.entries e
              WHERE e.tenant_id = $1 AND e.debit_account = \(accountParameter)
                \(entryCriteria)
              ORDER BY e.seq DESC LIMIT $7)
            UNION ALL
            (SELECT e.* FROM wallet.entries e
              WHERE e.tenant_id = $1 AND e.credit_account = \(accountParameter)
                \(entryCriteria)
              ORDER BY e.seq DESC LIMIT $7)
        ) AS page
        ORDER BY seq DESC
        LIMIT $7
        """

    /// Run before `accountEntriesPage` in its transaction: plan it for the
    /// account at hand every time (see there).
    static let accountEntriesPlanning = "SET LOCAL plan_cache_mode = force_custom_plan"

    private static let accountParameter = """
        coalesce($2::uuid, CASE $8::text WHEN 'treasury' THEN wallet.treasury_account($1)
                                         WHEN 'funding' THEN wallet.funding_account($1) END)
        """

    /// One page of all the tenant's entries, newest first, read backwards
    /// along `entries_by_tenant`. Takes the same parameter list; $2 and $8 are
    /// only typed (an unused parameter must still have a type).
    static let tenantEntriesPage = """
        SELECT \(entryColumns) FROM wallet.entries
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR true) AND ($8::text IS NULL OR true)
           \(entryCriteria)
         ORDER BY seq DESC
         LIMIT $7
        """
}
