import PurserAPI
import PurserPostgres
import PurserRPC
import PurserService

extension SettlementStore {
    /// The columns `tenantBatch(from:)` reads, in order; totals are `NULL` where they do not fit in 64 bits.
    static let tenantBatchColumns = """
        t.batch_id::text, t.tenant_low, t.tenant_high, t.currency, t.period_start_us, t.period_end_us, t.state,
        settlement.int64_or_null(t.low_to_high_micros), settlement.int64_or_null(t.high_to_low_micros),
        t.debtor_tenant, t.creditor_tenant, settlement.int64_or_null(t.net_micros), t.transfer_count,
        t.external_reference, t.created_at_us, t.closed_at_us, t.paid_at_us
        """

    /// A tenant batch from a row of `tenantBatchColumns`; one whose totals do
    /// not fit in 64 bits throws `total_out_of_range`.
    static func tenantBatch(from row: PostgresRow) throws -> TenantBatch {
        var batch = TenantBatch()
        batch.id = try row.decode(String.self, at: 0)
        batch.tenantLowID = try row.decode(String.self, at: 1)
        batch.tenantHighID = try row.decode(String.self, at: 2)
        batch.currency = try row.decode(String.self, at: 3)
        batch.period = Period(startAtUs: try row.decode(Int64.self, at: 4), endAtUs: try row.decode(Int64.self, at: 5))
        batch.state = BatchState(name: try row.decode(String.self, at: 6)) ?? .unspecified
        let what = "the totals of tenant batch \(batch.id)"
        batch.lowToHighMicros = try micros(row, at: 7, what)
        batch.highToLowMicros = try micros(row, at: 8, what)
        batch.debtorTenantID = try row.decode(String.self, at: 9)
        batch.creditorTenantID = try row.decode(String.self, at: 10)
        batch.netMicros = try micros(row, at: 11, what)
        batch.transferCount = try row.decode(Int64.self, at: 12)
        batch.externalReference = try row.decode(String.self, at: 13)
        batch.createdAtUs = try row.decode(Int64.self, at: 14)
        batch.closedAtUs = try row.decode(Int64.self, at: 15)
        batch.paidAtUs = try row.decode(Int64.self, at: 16)
        return batch
    }

    /// The tenant-batch part of a run of the period `[start, end)`, on the
    /// run's transaction (so under its lock), as `run` does for entries:
    /// every stored transfer not yet in a tenant batch that occurred before
    /// the end — and does not belong to another period still open — joins the
    /// period's batch of its pair of tenants × currency (created on first
    /// need; a transfer from before the start is flagged an adjustment). The
    /// open batches of the period are then recomputed from their transfers:
    /// the gross each way, the debtor (the tenant that paid more; the low one
    /// on a tie), the creditor and the net the debtor owes, summed as
    /// `numeric`. Returns the number of transfers that joined a batch.
    static func settleTransfers(start: Int64, end: Int64, nowUs: Int64, on connection: PostgresConnection) throws -> Int {
        let candidate = """
            x.tenant_batch_id IS NULL AND x.occurred_at_us < $2
            AND NOT EXISTS (
                SELECT 1 FROM settlement.periods o
                WHERE NOT o.closed AND o.start_at_us <= x.occurred_at_us AND x.occurred_at_us < o.end_at_us
                  AND NOT (o.start_at_us = $1 AND o.end_at_us = $2))
            """
        try connection.execute("""
            INSERT INTO settlement.tenant_batches
                (batch_id, tenant_low, tenant_high, currency, period_start_us, period_end_us, state,
                 debtor_tenant, creditor_tenant, created_at_us)
            SELECT gen_random_uuid(), p.low, p.high, p.currency, $1, $2, 'open', p.low, p.high, $3
            FROM (SELECT DISTINCT least(x.payer_tenant, x.payee_tenant) AS low, greatest(x.payer_tenant, x.payee_tenant) AS high,
                         x.currency
                  FROM settlement.transfers x WHERE \(candidate)) p
            ON CONFLICT (tenant_low, tenant_high, currency, period_start_us) DO NOTHING
            """, [start, end, nowUs])
        let assigned = try connection.execute("""
            UPDATE settlement.transfers x SET tenant_batch_id = b.batch_id, adjustment = x.occurred_at_us < $1
            FROM settlement.tenant_batches b
            WHERE b.tenant_low = least(x.payer_tenant, x.payee_tenant) AND b.tenant_high = greatest(x.payer_tenant, x.payee_tenant)
              AND b.currency = x.currency AND b.period_start_us = $1 AND b.state = 'open' AND \(candidate)
            """, [start, end])
        guard assigned > 0 else { return 0 }
        try connection.execute("""
            UPDATE settlement.tenant_batches b
               SET low_to_high_micros = s.low_to_high, high_to_low_micros = s.high_to_low,
                   net_micros = abs(s.low_to_high - s.high_to_low),
                   debtor_tenant = CASE WHEN s.low_to_high >= s.high_to_low THEN b.tenant_low ELSE b.tenant_high END,
                   creditor_tenant = CASE WHEN s.low_to_high >= s.high_to_low THEN b.tenant_high ELSE b.tenant_low END,
                   transfer_count = s.transfers
            FROM (SELECT x.tenant_batch_id,
                         COALESCE(sum(x.amount_micros::numeric) FILTER (WHERE x.payer_tenant < x.payee_tenant), 0) AS low_to_high,
                         COALESCE(sum(x.amount_micros::numeric) FILTER (WHERE x.payer_tenant > x.payee_tenant), 0) AS high_to_low,
                         count(*) AS transfers
                  FROM settlement.transfers x JOIN settlement.tenant_batches ob ON ob.batch_id = x.tenant_batch_id
                  WHERE ob.period_start_us = $1 AND ob.state = 'open'
                  GROUP BY x.tenant_batch_id) s
            WHERE b.batch_id = s.tenant_batch_id
            """, [start])
        return assigned
    }

    /// The tenant batches of the period starting at `start`, in a stable
    /// order (pair, currency), and apart the ids of those whose totals do not fit in 64 bits.
    static func tenantBatches(startingAt start: Int64, on connection: PostgresConnection) throws -> ([TenantBatch], [String]) {
        let rows = try connection.query("""
            SELECT \(tenantBatchColumns) FROM settlement.tenant_batches t WHERE t.period_start_us = $1
            ORDER BY t.tenant_low, t.tenant_high, t.currency
            """, [start])
        var batches: [TenantBatch] = [], outOfRange: [String] = []
        for row in rows {
            do {
                batches.append(try tenantBatch(from: row))
            } catch let error as RPCError where error.reason == "total_out_of_range" {
                outOfRange.append(try row.decode(String.self, at: 0))
            }
        }
        return (batches, outOfRange)
    }

    /// Tenant batches `tenantID` is a side of (every tenant's when empty),
    /// in `state` (any when unspecified) and inside `period` (any when nil),
    /// newest period first, then by id, `pageSize` at a time; returns the
    /// batches and the token of the next page ("" on the last).
    package func listTenantBatches(
        tenantID: String, state: BatchState = .unspecified, period: SettlementPeriod? = nil, pageSize: Int = 100,
        pageToken: String = ""
    ) async throws -> (batches: [TenantBatch], nextPageToken: String) {
        var after: PageToken.Position?
        if !pageToken.isEmpty {
            guard let position = PageToken(text: pageToken)?.position, Self.isUUID(position.id) else {
                throw RPCError.invalidArgument("page_token is not valid")
            }
            after = position
        }
        let size = pageSize <= 0 ? 100 : min(pageSize, Self.maximumPageSize)
        let parameters: [(any PostgresEncodable)?] = [
            tenantID, state == .unspecified ? "" : state.description,
            period?.startUs ?? Int64.min, period?.endUs ?? Int64.max,
            after?.timeUs ?? Int64.max, after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff", Int64(size + 1),
        ]
        return try await pool.withTransaction(TransactionOptions(readOnly: true)) { connection in
            let rows = try connection.query("""
                SELECT \(Self.tenantBatchColumns) FROM settlement.tenant_batches t
                WHERE ($1::text = '' OR t.tenant_low = $1::text OR t.tenant_high = $1::text)
                  AND ($2::text = '' OR t.state = $2::text)
                  AND t.period_start_us >= $3 AND t.period_end_us <= $4
                  AND (t.period_start_us, t.batch_id) < ($5, $6::uuid)
                ORDER BY t.period_start_us DESC, t.batch_id DESC
                LIMIT $7
                """, parameters)
            let batches = try rows.prefix(size).map(Self.tenantBatch(from:))
            var next = ""
            if rows.count > size, let last = batches.last {
                next = PageToken(after: PageToken.Position(timeUs: last.period.startAtUs, id: last.id)).text
            }
            return (batches, next)
        }
    }

    /// Every tenant batch `tenantID` is a side of whose period lies inside
    /// `period`, oldest period first, then by the other tenant and currency.
    package func tenantBatches(of tenantID: String, inside period: SettlementPeriod) async throws -> [TenantBatch] {
        try await pool.withTransaction(TransactionOptions(readOnly: true)) { connection in
            try connection.query("""
                SELECT \(Self.tenantBatchColumns) FROM settlement.tenant_batches t
                WHERE (t.tenant_low = $1 OR t.tenant_high = $1) AND t.period_start_us >= $2 AND t.period_end_us <= $3
                ORDER BY t.period_start_us, CASE WHEN t.tenant_low = $1 THEN t.tenant_high ELSE t.tenant_low END, t.currency
                """, [tenantID, period.startUs, period.endUs]).map(Self.tenantBatch(from:))
        }
    }

    /// The tenant batch `batchID`, or `nil` when there is none.
    package func tenantBatch(id batchID: String) async throws -> TenantBatch? {
        guard Self.isUUID(batchID) else { return nil }
        return try await pool.withTransaction(TransactionOptions(readOnly: true)) { connection in
            let rows = try connection.query(
                "SELECT \(Self.tenantBatchColumns) FROM settlement.tenant_batches t WHERE t.batch_id = $1::uuid", [batchID])
            return try rows.first.map(Self.tenantBatch(from:))
        }
    }

    /// Marks a closed tenant batch paid with `reference` at `nowUs`, under
    /// its row lock, by the provider batches' rule
    /// (`BatchState.payment(reference:existingReference:)`): the same
    /// reference again answers the paid batch unchanged; an open batch or
    /// another reference is refused. Returns `nil` when the batch does not exist.
    package func markTenantBatchPaid(batchID: String, reference: String, nowUs: Int64) async throws -> TenantBatch? {
        guard Self.isUUID(batchID) else { return nil }
        return try await pool.withTransaction { connection in
            let rows = try connection.query(
                "SELECT \(Self.tenantBatchColumns) FROM settlement.tenant_batches t WHERE t.batch_id = $1::uuid FOR UPDATE",
                [batchID])
            guard let row = rows.first else { return nil }
            var batch = try Self.tenantBatch(from: row)
            switch try batch.state.payment(reference: reference, existingReference: batch.externalReference) {
            case .alreadyPaid:
                break
            case .markPaid:
                try connection.execute("""
                    UPDATE settlement.tenant_batches SET state = 'paid', external_reference = $2, paid_at_us = $3
                    WHERE batch_id = $1::uuid
                    """, [batch.id, reference, nowUs])
                batch.state = .paid
                batch.externalReference = reference
                batch.paidAtUs = nowUs
            }
            return batch
        }
    }
}

extension TenantBatch {
    /// The batch from `tenantID`'s side (one of its two tenants): the other
    /// tenant, what `tenantID`'s agents paid and received, and what it owes
    /// (the net, negative when it is the creditor).
    package func side(of tenantID: String) -> (other: String, paid: Int64, received: Int64, owes: Int64) {
        let low = tenantID == tenantLowID
        return (low ? tenantHighID : tenantLowID, low ? lowToHighMicros : highToLowMicros, low ? highToLowMicros : lowToHighMicros,
                debtorTenantID == tenantID ? netMicros : -netMicros)
    }
}
