import PurserAPI
import PurserKit
import PurserPostgres
import PurserRPC

extension SettlementStore {
    /// Settles `period` as of `nowUs`, in one transaction serialized with every
    /// other run.
    ///
    /// - A closed period is left as it is (`changed = false`): running a period
    ///   twice changes nothing.
    /// - Otherwise every stored entry not yet in a batch that occurred before
    ///   the period's end — and does not belong to another period still open —
    ///   joins the period's batch of its tenant × provider × currency (created
    ///   on first need). Entries from before the period's start are flagged
    ///   adjustments: they belong to a period that was closed without them.
    /// - Lines (agent × category × day × adjustment) and totals of the touched
    ///   batches are recomputed from their entries.
    /// - Payments across tenants are netted the same way into one tenant batch
    ///   per pair of tenants × currency (`settleTransfers`), closed with the period.
    /// - When the period has ended by `nowUs`, the period and its batches are
    ///   closed; otherwise they stay open and later runs add to them.
    /// - Totals are summed as `numeric`, so no sum can fail the run: a batch
    ///   whose totals do not fit in 64 bits (one tenant's) is settled like the
    ///   others but answered in `outOfRangeBatchIDs` instead of `batches`.
    /// - A period overlapping a settled period with other bounds is refused
    ///   (`period_overlaps`).
    package func run(_ period: SettlementPeriod, nowUs: Int64, closingAtUs: Int64? = nil) async throws -> RunSettlementResponse {
        let closesAt = closingAtUs ?? nowUs
        let start = period.startUs, end = period.endUs
        return try await pool.withTransaction { connection in
            _ = try connection.query("SELECT pg_advisory_xact_lock(hashtext('purser.settlement.run'))")
            var response = RunSettlementResponse()
            response.period = period.wire
            let existing = try connection.query(
                "SELECT closed FROM settlement.periods WHERE start_at_us = $1 AND end_at_us = $2", [start, end])
            if let row = existing.first, try row.decode(Bool.self, at: 0) {
                response.closed = true
                try Self.fillBatches(of: &response, startingAt: start, on: connection)
                return response
            }
            let overlapping = try connection.query("""
                SELECT start_at_us, end_at_us FROM settlement.periods
                WHERE start_at_us < $2 AND $1 < end_at_us AND NOT (start_at_us = $1 AND end_at_us = $2)
                ORDER BY start_at_us LIMIT 1
                """, [start, end])
            if let row = overlapping.first {
                let other = SettlementPeriod(
                    start: UTCDay(containing: try row.decode(Int64.self, at: 0)),
                    end: UTCDay(containing: try row.decode(Int64.self, at: 1)))
                throw RPCError.periodOverlaps(other)
            }
            let created = try connection.execute("""
                INSERT INTO settlement.periods (start_at_us, end_at_us, created_at_us) VALUES ($1, $2, $3)
                ON CONFLICT DO NOTHING
                """, [start, end, nowUs])

            let candidate = """
                e.batch_id IS NULL AND e.occurred_at_us < $2
                AND NOT EXISTS (
                    SELECT 1 FROM settlement.periods o
                    WHERE NOT o.closed AND o.start_at_us <= e.occurred_at_us AND e.occurred_at_us < o.end_at_us
                      AND NOT (o.start_at_us = $1 AND o.end_at_us = $2))
                """
            try connection.execute("""
                WITH created AS (
                    INSERT INTO settlement.batches
                        (tenant_id, batch_id, provider_id, currency, period_start_us, period_end_us, state, created_at_us)
                    SELECT e.tenant_id, gen_random_uuid(), e.provider_id, e.currency, $1, $2, 'open', $3
                    FROM (SELECT DISTINCT e.tenant_id, e.provider_id, e.currency FROM settlement.entries e WHERE \(candidate)) e
                    ON CONFLICT (tenant_id, provider_id, currency, period_start_us) DO NOTHING
                    RETURNING tenant_id, batch_id)
                INSERT INTO settlement.batch_directory (batch_id, tenant_id) SELECT batch_id, tenant_id FROM created
                """, [start, end, nowUs])
            let assigned = try connection.query("""
                UPDATE settlement.entries e SET batch_id = b.batch_id, adjustment = e.occurred_at_us < $1
                FROM settlement.batches b
                WHERE b.tenant_id = e.tenant_id AND b.provider_id = e.provider_id AND b.currency = e.currency
                  AND b.period_start_us = $1 AND b.state = 'open' AND \(candidate)
                RETURNING e.adjustment
                """, [start, end])
            response.entriesSettled = Int64(assigned.count)
            response.adjustmentsSettled = Int64(try assigned.reduce(0) { $0 + (try $1.decode(Bool.self, at: 0) ? 1 : 0) })

            if !assigned.isEmpty { try Self.recomputeOpenBatches(startingAt: start, on: connection) }
            let transfers = try Self.settleTransfers(start: start, end: end, nowUs: nowUs, on: connection)
            response.transfersSettled = Int64(transfers)
            var closedNow = 0
            let closing = BatchState.afterRun(periodEndUs: end, nowUs: closesAt) == .closed
            if closing {
                closedNow = try connection.execute("""
                    UPDATE settlement.periods SET closed = true, closed_at_us = $3 WHERE start_at_us = $1 AND end_at_us = $2
                    """, [start, end, nowUs])
                try connection.execute("""
                    UPDATE settlement.batches SET state = 'closed', closed_at_us = $2 WHERE period_start_us = $1 AND state = 'open'
                    """, [start, nowUs])
                try connection.execute("""
                    UPDATE settlement.tenant_batches SET state = 'closed', closed_at_us = $2
                    WHERE period_start_us = $1 AND state = 'open'
                    """, [start, nowUs])
            }
            response.closed = closing
            response.changed = created > 0 || !assigned.isEmpty || transfers > 0 || closedNow > 0
            try Self.fillBatches(of: &response, startingAt: start, on: connection)
            return response
        }
    }

    /// Sets the provider and tenant batches of the period starting at `start`
    /// on `response`, with the ids of those out of range apart.
    static func fillBatches(of response: inout RunSettlementResponse, startingAt start: Int64, on connection: PostgresConnection) throws {
        let (batches, outOfRange) = try Self.batches(startingAt: start, on: connection)
        let (tenantBatches, tenantOutOfRange) = try Self.tenantBatches(startingAt: start, on: connection)
        response.batches = batches
        response.tenantBatches = tenantBatches
        response.outOfRangeBatchIDs = outOfRange + tenantOutOfRange
    }

    /// Rebuilds the lines and totals of the open batches of the period starting
    /// at `start` from their entries. Sums are `numeric` (the columns too), so
    /// no total can overflow here.
    static func recomputeOpenBatches(startingAt start: Int64, on connection: PostgresConnection) throws {
        try connection.execute("""
            DELETE FROM settlement.batch_lines l USING settlement.batches b
            WHERE l.tenant_id = b.tenant_id AND l.batch_id = b.batch_id AND b.period_start_us = $1 AND b.state = 'open'
            """, [start])
        try connection.execute("""
            INSERT INTO settlement.batch_lines (tenant_id, batch_id, agent_id, category, day_at_us, adjustment,
                                     capture_micros, refund_micros, net_micros, entry_count)
            SELECT e.tenant_id, e.batch_id, e.agent_id, e.category, e.day_at_us, e.adjustment,
                   COALESCE(sum(e.amount_micros) FILTER (WHERE e.kind = 'capture'), 0),
                   COALESCE(sum(e.amount_micros) FILTER (WHERE e.kind = 'refund'), 0),
                   sum(CASE WHEN e.kind = 'capture' THEN e.amount_micros ELSE -e.amount_micros END),
                   count(*)
            FROM settlement.entries e JOIN settlement.batches b ON b.tenant_id = e.tenant_id AND b.batch_id = e.batch_id
            WHERE b.period_start_us = $1 AND b.state = 'open'
            GROUP BY e.tenant_id, e.batch_id, e.agent_id, e.category, e.day_at_us, e.adjustment
            """, [start])
        try connection.execute("""
            UPDATE settlement.batches b SET capture_micros = t.capture, refund_micros = t.refund, net_micros = t.net,
                                 adjustment_micros = t.adjustment, entry_count = t.entries
            FROM (SELECT l.tenant_id, l.batch_id, sum(l.capture_micros) AS capture, sum(l.refund_micros) AS refund,
                         sum(l.net_micros) AS net,
                         COALESCE(sum(l.net_micros) FILTER (WHERE l.adjustment), 0) AS adjustment,
                         sum(l.entry_count) AS entries
                  FROM settlement.batch_lines l JOIN settlement.batches ob ON ob.tenant_id = l.tenant_id AND ob.batch_id = l.batch_id
                  WHERE ob.period_start_us = $1 AND ob.state = 'open'
                  GROUP BY l.tenant_id, l.batch_id) t
            WHERE b.tenant_id = t.tenant_id AND b.batch_id = t.batch_id
            """, [start])
    }

    /// The batches of the period starting at `start`, without lines, in a
    /// stable order, and apart the ids of those whose totals do not fit in 64 bits.
    static func batches(startingAt start: Int64, on connection: PostgresConnection) throws -> ([Batch], [String]) {
        let rows = try connection.query("""
            SELECT \(batchColumns) FROM settlement.batches b WHERE b.period_start_us = $1
            ORDER BY b.tenant_id, b.provider_id, b.currency
            """, [start])
        var batches: [Batch] = [], outOfRange: [String] = []
        for row in rows {
            do {
                batches.append(try batch(from: row))
            } catch let error as RPCError where error.reason == "total_out_of_range" {
                outOfRange.append(try row.decode(String.self, at: 0))
            }
        }
        return (batches, outOfRange)
    }
}

extension SettlementStore {
    /// The end of the latest closed period, if any period was closed.
    package func latestClosedPeriodEnd() async throws -> Int64? {
        try await pool.withTransaction(TransactionOptions(readOnly: true)) { connection in
            let rows = try connection.query("SELECT max(end_at_us) FROM settlement.periods WHERE closed")
            return try rows.first?.decode(Int64?.self, at: 0)
        }
    }
}
