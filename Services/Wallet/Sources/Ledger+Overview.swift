import Foundation
import PurserPostgres
import PurserRPC

/// One agent's row of the tenant overview.
package struct AgentOverview: Sendable {
    package var agentID: UUID
    package var status: String
    package var balanceMicros: Int64
    package var heldMicros: Int64
    package var spentTodayMicros: Int64
    package var spentWeekMicros: Int64
    package var spentMonthMicros: Int64
    package var lastActivityUs: Int64
}

/// A tenant's accounts and spend windows, as `ListBalances` answers them.
package struct TenantOverview: Sendable {
    package var currency: String?
    package var treasuryBalanceMicros: Int64 = 0
    package var treasuryHeldMicros: Int64 = 0
    package var fundedMicros: Int64 = 0
    package var totalHeldMicros: Int64 = 0
    package var spentTodayMicros: Int64 = 0
    package var spentWeekMicros: Int64 = 0
    package var spentMonthMicros: Int64 = 0
    package var asOfUs: Int64 = 0
    package var agents: [AgentOverview] = []
    /// What the tenant owes and is owed each other tenant, by counter-tenant id.
    package var positions: [TenantPositionBalance] = []
}

/// The tenant's payable towards one other tenant and its receivable from it
/// (as a positive amount owed to the tenant).
package struct TenantPositionBalance: Sendable, Equatable {
    package var counterTenant: UUID
    package var payableMicros: Int64
    package var receivableMicros: Int64
}

/// One hold, as `ListHolds` shows it.
package struct HoldRecord: Sendable {
    package var holdID: UUID
    package var agentID: UUID
    package var providerID: UUID
    package var category: String
    package var taskID: String
    package var description: String
    package var status: String
    package var amountMicros: Int64
    package var capturedMicros: Int64
    package var refundedMicros: Int64
    package var createdAtUs: Int64
    package var expiresAtUs: Int64
}

/// One refused spend, as recorded in `wallet.denials`.
package struct DenialRecord: Sendable {
    package var agentID: UUID
    package var method: String
    package var reason: String
    package var rule: String
    package var headroomMicros: Int64?
    package var amountMicros: Int64
    package var providerID: String
    package var category: String
    package var message: String
    package var createdAtUs: Int64 = 0
}

extension Ledger {
    /// The UTC day, ISO week and month that hold `now()`, as dates.
    private static let windows = """
        SELECT (now() AT TIME ZONE 'UTC')::date AS day,
               date_trunc('week', now() AT TIME ZONE 'UTC')::date AS week,
               date_trunc('month', now() AT TIME ZONE 'UTC')::date AS month
        """

    /// The tenant's treasury, funding, held and spend totals, its positions
    /// towards other tenants, and up to
    /// `limit` agents whose account id sorts after `after`, in one
    /// repeatable-read snapshot: every figure is of the same instant. Spend is
    /// captures less refunds, summed from `wallet.agent_spend_days` (kept by
    /// the ledger's own trigger, so it matches the entries); the tenant's
    /// windows are the sums of its agents'.
    package func overview(tenant: UUID, after: UUID?, limit: Int) async throws(RPCError) -> TenantOverview {
        var snapshot = TransactionOptions()
        snapshot.isolation = .repeatableRead
        snapshot.readOnly = true
        return try await transaction(snapshot) { connection in
            var overview = TenantOverview()
            let accounts = try connection.query(
                """
                SELECT (SELECT currency FROM wallet.accounts WHERE tenant_id = $1 AND kind = 'treasury'),
                       coalesce((SELECT balance FROM wallet.accounts WHERE tenant_id = $1 AND kind = 'treasury'), 0),
                       coalesce((SELECT held FROM wallet.accounts WHERE tenant_id = $1 AND kind = 'treasury'), 0),
                       coalesce((SELECT -balance FROM wallet.accounts WHERE tenant_id = $1 AND kind = 'funding'), 0),
                       (SELECT coalesce(sum(held), 0)::bigint FROM wallet.accounts WHERE tenant_id = $1 AND kind = 'agent'),
                       wallet.us(now())
                """, [tenant])
            if let row = accounts.first {
                overview.currency = try row.decode(String?.self, at: 0)
                overview.treasuryBalanceMicros = try row.decode(Int64.self, at: 1)
                overview.treasuryHeldMicros = try row.decode(Int64.self, at: 2)
                overview.fundedMicros = try row.decode(Int64.self, at: 3)
                overview.totalHeldMicros = try row.decode(Int64.self, at: 4)
                overview.asOfUs = try row.decode(Int64.self, at: 5)
            }
            overview.positions = try connection.query(
                """
                SELECT counter_tenant,
                       coalesce(sum(balance) FILTER (WHERE kind = 'payable'), 0)::bigint,
                       coalesce(-sum(balance) FILTER (WHERE kind = 'receivable'), 0)::bigint
                  FROM wallet.accounts
                 WHERE tenant_id = $1 AND kind IN ('payable', 'receivable')
                 GROUP BY counter_tenant ORDER BY counter_tenant
                """, [tenant]
            ).map { row throws(PostgresError) in
                TenantPositionBalance(
                    counterTenant: try row.decode(UUID.self, at: 0), payableMicros: try row.decode(Int64.self, at: 1),
                    receivableMicros: try row.decode(Int64.self, at: 2))
            }
            // The agents' days since the month (or the week, when it began earlier) give every agent's
            // windows; the tenant's totals are their sums (only agents spend), from the same materialized CTE.
            let agents = try connection.query(
                """
                WITH w AS (\(Self.windows)),
                spend AS MATERIALIZED (
                    SELECT d.agent_id,
                           coalesce(sum(d.net) FILTER (WHERE d.day >= w.day), 0)::bigint AS today,
                           coalesce(sum(d.net) FILTER (WHERE d.day >= w.week), 0)::bigint AS week,
                           coalesce(sum(d.net) FILTER (WHERE d.day >= w.month), 0)::bigint AS month,
                           max(d.last_at) AS last
                      FROM wallet.agent_spend_days d, w
                     WHERE d.tenant_id = $1 AND d.day >= least(w.week, w.month)
                     GROUP BY d.agent_id
                ),
                totals AS (
                    SELECT coalesce(sum(today), 0)::bigint AS today, coalesce(sum(week), 0)::bigint AS week,
                           coalesce(sum(month), 0)::bigint AS month
                      FROM spend
                ),
                page AS (
                    SELECT account_id, status, balance, held, updated_at FROM wallet.accounts
                     WHERE tenant_id = $1 AND kind = 'agent' AND ($2::uuid IS NULL OR account_id > $2)
                     ORDER BY account_id LIMIT $3
                )
                SELECT p.account_id, p.status, p.balance, p.held, coalesce(s.today, 0), coalesce(s.week, 0),
                       coalesce(s.month, 0), wallet.us(greatest(p.updated_at, s.last)), t.today, t.week, t.month
                  FROM totals t LEFT JOIN page p ON true LEFT JOIN spend s ON s.agent_id = p.account_id
                 ORDER BY p.account_id
                """, [tenant, after, Int64(limit)])
            if let row = agents.first {
                overview.spentTodayMicros = try row.decode(Int64.self, at: 8)
                overview.spentWeekMicros = try row.decode(Int64.self, at: 9)
                overview.spentMonthMicros = try row.decode(Int64.self, at: 10)
            }
            // With no agent on the page, the one row carries the totals alone.
            overview.agents = try agents.compactMap { row throws(PostgresError) -> AgentOverview? in
                guard let agentID = try row.decode(UUID?.self, at: 0) else { return nil }
                return AgentOverview(
                    agentID: agentID, status: try row.decode(String.self, at: 1),
                    balanceMicros: try row.decode(Int64.self, at: 2), heldMicros: try row.decode(Int64.self, at: 3),
                    spentTodayMicros: try row.decode(Int64.self, at: 4), spentWeekMicros: try row.decode(Int64.self, at: 5),
                    spentMonthMicros: try row.decode(Int64.self, at: 6), lastActivityUs: try row.decode(Int64.self, at: 7))
            }
            return overview
        }
    }

    /// Records one refused spend. Its own statement, after the refusal was
    /// decided: the denial stands whether or not it is recorded.
    package func record(_ denial: DenialRecord, tenant: UUID) async throws(RPCError) {
        try await run { connection in
            _ = try connection.query(
                """
                INSERT INTO wallet.denials (tenant_id, agent_id, method, reason, rule, headroom, amount, provider_id, category, message)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """,
                [tenant, denial.agentID, denial.method, denial.reason, denial.rule, denial.headroomMicros, denial.amountMicros,
                 denial.providerID, denial.category, denial.message])
        }
    }

    /// The tenant's (or one agent's) latest denials, newest first.
    package func denials(tenant: UUID, agent: UUID?, limit: Int) async throws(RPCError) -> [DenialRecord] {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT agent_id, method, reason, rule, headroom, amount, provider_id, category, message, wallet.us(created_at)
                  FROM wallet.denials
                 WHERE tenant_id = $1 AND ($2::uuid IS NULL OR agent_id = $2)
                 ORDER BY seq DESC LIMIT $3
                """, [tenant, agent, Int64(limit)])
            return try rows.map { row throws(PostgresError) in
                DenialRecord(
                    agentID: try row.decode(UUID.self, at: 0), method: try row.decode(String.self, at: 1),
                    reason: try row.decode(String.self, at: 2), rule: try row.decode(String.self, at: 3),
                    headroomMicros: try row.decode(Int64?.self, at: 4), amountMicros: try row.decode(Int64.self, at: 5),
                    providerID: try row.decode(String.self, at: 6), category: try row.decode(String.self, at: 7),
                    message: try row.decode(String.self, at: 8), createdAtUs: try row.decode(Int64.self, at: 9))
            }
        }
    }

    /// One agent's holds (only `status` ones when given), newest first,
    /// starting after the position (`created_at`, `hold_id`) `after`.
    package func holds(
        tenant: UUID, agent: UUID, status: String?, after: (createdAtUs: Int64, holdID: UUID)?, limit: Int
    ) async throws(RPCError) -> [HoldRecord] {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT hold_id, agent_id, provider_id, category, task_id, description, status, amount, captured, refunded,
                       wallet.us(created_at), wallet.us(expires_at)
                  FROM wallet.holds
                 WHERE tenant_id = $1 AND agent_id = $2 AND ($3::text IS NULL OR status = $3)
                   AND ($4::bigint IS NULL OR (created_at, hold_id) < ('epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5::uuid))
                 ORDER BY created_at DESC, hold_id DESC LIMIT $6
                """, [tenant, agent, status, after?.createdAtUs, after?.holdID, Int64(limit)])
            return try rows.map { row throws(PostgresError) in
                HoldRecord(
                    holdID: try row.decode(UUID.self, at: 0), agentID: try row.decode(UUID.self, at: 1),
                    providerID: try row.decode(UUID.self, at: 2), category: try row.decode(String.self, at: 3),
                    taskID: try row.decode(String.self, at: 4), description: try row.decode(String.self, at: 5),
                    status: try row.decode(String.self, at: 6), amountMicros: try row.decode(Int64.self, at: 7),
                    capturedMicros: try row.decode(Int64.self, at: 8), refundedMicros: try row.decode(Int64.self, at: 9),
                    createdAtUs: try row.decode(Int64.self, at: 10), expiresAtUs: try row.decode(Int64.self, at: 11))
            }
        }
    }
}
