import PurserAPI
import PurserPostgres
import PurserRPC

extension SettlementStore {
    /// Every stored capture and refund of `tenantID` that occurred in
    /// `period`, batched or not, as a statement (per agent, provider,
    /// category and day). Read in one snapshot. Sums are `numeric` in SQL and
    /// checked in Swift: a total that does not fit in 64 bits answers
    /// `total_out_of_range` (for this tenant only). With them, what the
    /// tenant owes or is owed each other tenant (`otherTenantTotals`).
    package func statement(tenantID: String, period: SettlementPeriod) async throws -> TenantStatement {
        let (lines, others) = try await pool.withTransaction(TransactionOptions(isolation: .repeatableRead, readOnly: true)) {
            connection in
            (try Self.statementLines(tenantID: tenantID, period: period, on: connection),
             try Self.otherTenantTotals(tenantID: tenantID, period: period, on: connection))
        }
        var statement = try TenantStatement(tenantID: tenantID, period: period.wire, lines: lines)
        statement.otherTenants = others
        return statement
    }

    /// The statement lines of `tenantID` in `period` (see `statement`).
    static func statementLines(tenantID: String, period: SettlementPeriod, on connection: PostgresConnection) throws -> [StatementLine] {
        let rows = try connection.query("""
            SELECT day_at_us, agent_id, provider_id, category, currency,
                   settlement.int64_or_null(COALESCE(sum(amount_micros) FILTER (WHERE kind = 'capture'), 0)),
                   settlement.int64_or_null(COALESCE(sum(amount_micros) FILTER (WHERE kind = 'refund'), 0)),
                   settlement.int64_or_null(sum(CASE WHEN kind = 'capture' THEN amount_micros ELSE -amount_micros END)),
                   count(*)
            FROM settlement.entries
            WHERE tenant_id = $1 AND occurred_at_us >= $2 AND occurred_at_us < $3
            GROUP BY day_at_us, agent_id, provider_id, category, currency
            """, [tenantID, period.startUs, period.endUs])
        return try rows.map { row in
            var line = StatementLine()
            line.dayAtUs = try row.decode(Int64.self, at: 0)
            line.agentID = try row.decode(String.self, at: 1)
            line.providerID = try row.decode(String.self, at: 2)
            line.category = try row.decode(String.self, at: 3)
            line.currency = try row.decode(String.self, at: 4)
            let what = "a statement line of tenant \(tenantID)"
            line.captureMicros = try Self.micros(row, at: 5, what)
            line.refundMicros = try Self.micros(row, at: 6, what)
            line.netMicros = try Self.micros(row, at: 7, what)
            line.entryCount = try row.decode(Int64.self, at: 8)
            return line
        }
    }

    /// What `tenantID`'s agents paid agents of each other tenant and received
    /// from them, of the transfers stored that occurred in `period` (batched or
    /// not), per other tenant and currency, ordered so. A total that does not
    /// fit in 64 bits answers `total_out_of_range`.
    static func otherTenantTotals(tenantID: String, period: SettlementPeriod, on connection: PostgresConnection) throws -> [OtherTenantTotal] {
        let rows = try connection.query("""
            SELECT t.other, t.currency, settlement.int64_or_null(t.paid), settlement.int64_or_null(t.received),
                   settlement.int64_or_null(t.paid - t.received), t.transfers
            FROM (SELECT CASE WHEN x.payer_tenant = $1 THEN x.payee_tenant ELSE x.payer_tenant END AS other, x.currency,
                         COALESCE(sum(x.amount_micros::numeric) FILTER (WHERE x.payer_tenant = $1), 0) AS paid,
                         COALESCE(sum(x.amount_micros::numeric) FILTER (WHERE x.payee_tenant = $1), 0) AS received,
                         count(*) AS transfers
                  FROM settlement.transfers x
                  WHERE (x.payer_tenant = $1 OR x.payee_tenant = $1) AND x.occurred_at_us >= $2 AND x.occurred_at_us < $3
                  GROUP BY 1, 2) t
            ORDER BY t.other, t.currency
            """, [tenantID, period.startUs, period.endUs])
        return try rows.map { row in
            var total = OtherTenantTotal()
            total.otherTenantID = try row.decode(String.self, at: 0)
            total.currency = try row.decode(String.self, at: 1)
            let what = "the payments between tenant \(tenantID) and tenant \(total.otherTenantID)"
            total.paidMicros = try Self.micros(row, at: 2, what)
            total.receivedMicros = try Self.micros(row, at: 3, what)
            total.owesMicros = try Self.micros(row, at: 4, what)
            total.transferCount = try row.decode(Int64.self, at: 5)
            return total
        }
    }

    /// The batches payable to `providerID` whose period lies inside `period`,
    /// with their lines, and the totals per currency (paid, due, pending). A
    /// batch, line or total that does not fit in 64 bits answers `total_out_of_range`.
    package func payout(providerID: String, period: SettlementPeriod) async throws -> ProviderPayout {
        try await pool.withTransaction(TransactionOptions(isolation: .repeatableRead, readOnly: true)) { connection in
            let rows = try connection.query("""
                SELECT \(Self.batchColumns) FROM settlement.batches b
                WHERE b.provider_id = $1 AND b.period_start_us >= $2 AND b.period_end_us <= $3
                ORDER BY b.period_start_us, b.tenant_id, b.currency, b.batch_id
                """, [providerID, period.startUs, period.endUs])
            var batches = try rows.map(Self.batch(from:))
            let lines = try Self.lines(of: batches, on: connection)
            for index in batches.indices { batches[index].lines = lines[batches[index].id] ?? [] }
            return try ProviderPayout(providerID: providerID, period: period.wire, batches: batches)
        }
    }
}

extension ProviderPayout {
    /// A payout of `providerID` for `period` holding `batches`, with totals per
    /// currency: net of all, paid, due (closed, unpaid) and pending (open).
    /// Sums are checked: one that does not fit in 64 bits throws `total_out_of_range`.
    package init(providerID: String, period: Period, batches: [Batch]) throws(RPCError) {
        self.init()
        self.providerID = providerID
        self.period = period
        self.batches = batches
        var totals: [String: PayoutTotal] = [:]
        for batch in batches {
            var total = totals[batch.currency] ?? PayoutTotal(currency: batch.currency)
            let what = "the \(batch.currency) payout total of provider \(providerID)"
            try CheckedMicros.add(batch.netMicros, to: &total.netMicros, what)
            switch batch.state {
            case .paid: try CheckedMicros.add(batch.netMicros, to: &total.paidMicros, what)
            case .closed: try CheckedMicros.add(batch.netMicros, to: &total.dueMicros, what)
            default: try CheckedMicros.add(batch.netMicros, to: &total.pendingMicros, what)
            }
            totals[batch.currency] = total
        }
        self.totals = totals.values.sorted { $0.currency < $1.currency }
    }
}
