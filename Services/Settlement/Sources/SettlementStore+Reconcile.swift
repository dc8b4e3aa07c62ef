import Foundation
import PurserAPI
import PurserPostgres

extension SettlementStore {
    /// Settlement's side of a reconciliation of `period`, read in one snapshot:
    /// recorded entries, batch lines and unbatched entries of the period per
    /// tenant × provider × currency, and the three totals of every batch that
    /// holds lines of the period. Sums are `numeric`; a key or batch whose
    /// total does not fit in 64 bits is recorded as out of range instead.
    /// The transfers of the period the same way (`transferReconciliation`).
    package func reconciliation(for period: SettlementPeriod) async throws -> Reconciliation {
        let start = period.startUs, end = period.endUs
        return try await pool.withTransaction(TransactionOptions(isolation: .repeatableRead, readOnly: true)) { connection in
            var reconciliation = Reconciliation()
            var outOfRange: Set<ReconcileKey> = []
            func totals(_ sql: String) throws -> [ReconcileKey: Int64] {
                var result: [ReconcileKey: Int64] = [:]
                for row in try connection.query(sql, [start, end]) {
                    let key = ReconcileKey(
                        tenantID: try row.decode(String.self, at: 0), providerID: try row.decode(String.self, at: 1),
                        currency: try row.decode(String.self, at: 2))
                    if let total = try row.decode(Int64?.self, at: 3) {
                        result[key] = total
                    } else {
                        outOfRange.insert(key)
                    }
                }
                return result
            }
            reconciliation.recorded = try totals("""
                SELECT tenant_id, provider_id, currency,
                       settlement.int64_or_null(sum(CASE WHEN kind = 'capture' THEN amount_micros ELSE -amount_micros END))
                FROM settlement.entries WHERE occurred_at_us >= $1 AND occurred_at_us < $2
                GROUP BY tenant_id, provider_id, currency
                """)
            reconciliation.unbatched = try totals("""
                SELECT tenant_id, provider_id, currency,
                       settlement.int64_or_null(sum(CASE WHEN kind = 'capture' THEN amount_micros ELSE -amount_micros END))
                FROM settlement.entries WHERE batch_id IS NULL AND occurred_at_us >= $1 AND occurred_at_us < $2
                GROUP BY tenant_id, provider_id, currency
                """)
            reconciliation.batched = try totals("""
                SELECT b.tenant_id, b.provider_id, b.currency, settlement.int64_or_null(sum(l.net_micros))
                FROM settlement.batch_lines l JOIN settlement.batches b ON b.tenant_id = l.tenant_id AND b.batch_id = l.batch_id
                WHERE l.day_at_us >= $1 AND l.day_at_us < $2
                GROUP BY b.tenant_id, b.provider_id, b.currency
                """)
            let rows = try connection.query("""
                SELECT b.batch_id::text, b.tenant_id, b.provider_id, b.currency, settlement.int64_or_null(b.net_micros),
                       settlement.int64_or_null((SELECT COALESCE(sum(l.net_micros), 0) FROM settlement.batch_lines l
                        WHERE l.tenant_id = b.tenant_id AND l.batch_id = b.batch_id)),
                       settlement.int64_or_null((
                        SELECT COALESCE(sum(CASE WHEN e.kind = 'capture' THEN e.amount_micros ELSE -e.amount_micros END), 0)
                        FROM settlement.entries e WHERE e.tenant_id = b.tenant_id AND e.batch_id = b.batch_id))
                FROM settlement.batches b
                WHERE EXISTS (SELECT 1 FROM settlement.batch_lines l WHERE l.tenant_id = b.tenant_id AND l.batch_id = b.batch_id
                                AND l.day_at_us >= $1 AND l.day_at_us < $2)
                   OR (b.period_start_us >= $1 AND b.period_end_us <= $2)
                """, [start, end])
            reconciliation.batches = try rows.map { row in
                let header = try row.decode(Int64?.self, at: 4), lines = try row.decode(Int64?.self, at: 5)
                let entries = try row.decode(Int64?.self, at: 6)
                return BatchTotals(
                    batchID: try row.decode(String.self, at: 0),
                    key: ReconcileKey(
                        tenantID: try row.decode(String.self, at: 1), providerID: try row.decode(String.self, at: 2),
                        currency: try row.decode(String.self, at: 3)),
                    headerNetMicros: header ?? 0, linesNetMicros: lines ?? 0, entriesNetMicros: entries ?? 0,
                    outOfRange: header == nil || lines == nil || entries == nil)
            }
            reconciliation.outOfRange = outOfRange
            reconciliation.transfers = try Self.transferReconciliation(start: start, end: end, on: connection)
            return reconciliation
        }
    }
}

extension SettlementStore {
    /// Settlement's side of the payments across tenants of `[start, end)` on
    /// `connection`'s snapshot: recorded transfers, those in a tenant batch
    /// that exists and those in none, per payer tenant × payee tenant ×
    /// currency, and for every tenant batch holding a transfer of the period
    /// (or whose period lies inside it) its header beside the sums of its transfers.
    static func transferReconciliation(start: Int64, end: Int64, on connection: PostgresConnection) throws -> TransferReconciliation {
        var result = TransferReconciliation()
        func totals(_ condition: String) throws -> [TransferKey: Int64] {
            var totals: [TransferKey: Int64] = [:]
            for row in try connection.query("""
                SELECT x.payer_tenant, x.payee_tenant, x.currency, settlement.int64_or_null(sum(x.amount_micros))
                FROM settlement.transfers x
                WHERE x.occurred_at_us >= $1 AND x.occurred_at_us < $2 AND \(condition)
                GROUP BY x.payer_tenant, x.payee_tenant, x.currency
                """, [start, end]) {
                let key = TransferKey(
                    payerTenantID: try row.decode(String.self, at: 0), payeeTenantID: try row.decode(String.self, at: 1),
                    currency: try row.decode(String.self, at: 2))
                if let total = try row.decode(Int64?.self, at: 3) { totals[key] = total } else { result.outOfRange.insert(key) }
            }
            return totals
        }
        result.recorded = try totals("true")
        result.unbatched = try totals("x.tenant_batch_id IS NULL")
        result.batched = try totals("EXISTS (SELECT 1 FROM settlement.tenant_batches b WHERE b.batch_id = x.tenant_batch_id)")
        let rows = try connection.query("""
            SELECT t.batch_id::text, t.tenant_low, t.tenant_high, t.currency,
                   settlement.int64_or_null(t.low_to_high_micros), settlement.int64_or_null(t.high_to_low_micros),
                   settlement.int64_or_null(CASE WHEN t.debtor_tenant = t.tenant_low AND t.creditor_tenant = t.tenant_high
                                                 THEN t.net_micros
                                                 WHEN t.debtor_tenant = t.tenant_high AND t.creditor_tenant = t.tenant_low
                                                 THEN -t.net_micros END),
                   settlement.int64_or_null((SELECT COALESCE(sum(x.amount_micros), 0) FROM settlement.transfers x
                                             WHERE x.tenant_batch_id = t.batch_id AND x.payer_tenant = t.tenant_low)),
                   settlement.int64_or_null((SELECT COALESCE(sum(x.amount_micros), 0) FROM settlement.transfers x
                                             WHERE x.tenant_batch_id = t.batch_id AND x.payer_tenant = t.tenant_high))
            FROM settlement.tenant_batches t
            WHERE EXISTS (SELECT 1 FROM settlement.transfers x WHERE x.tenant_batch_id = t.batch_id
                            AND x.occurred_at_us >= $1 AND x.occurred_at_us < $2)
               OR (t.period_start_us >= $1 AND t.period_end_us <= $2)
            """, [start, end])
        result.batches = try rows.map { row in
            let values = try (4...8).map { try row.decode(Int64?.self, at: $0) }
            // A header whose debtor and creditor are not its two tenants owes an amount no transfer sum can match.
            let owes = values[2] ?? Int64.min
            return TenantBatchTotals(
                batchID: try row.decode(String.self, at: 0), tenantLowID: try row.decode(String.self, at: 1),
                tenantHighID: try row.decode(String.self, at: 2), currency: try row.decode(String.self, at: 3),
                headerLowToHighMicros: values[0] ?? 0, headerHighToLowMicros: values[1] ?? 0, headerLowOwesMicros: owes,
                transfersLowToHighMicros: values[3] ?? 0, transfersHighToLowMicros: values[4] ?? 0,
                outOfRange: values[0] == nil || values[1] == nil || values[3] == nil || values[4] == nil)
        }
        return result
    }

    /// Writes one `reconciliation.mismatch` event per discrepancy of `period`
    /// to the outbox, each at most once per period, kind, key and amounts
    /// (reconciling again finds the same ones and writes nothing new).
    /// Discrepancies whose tenant is not a UUID are not tenants' and are skipped.
    package func recordMismatches(_ discrepancies: [Discrepancy], period: Period) async throws {
        let relevant = discrepancies.filter { UUID(uuidString: $0.tenantID) != nil }
        guard !relevant.isEmpty else { return }
        try await pool.withTransaction { connection in
            for discrepancy in relevant {
                let key = [
                    "mismatch", "\(period.startAtUs)", "\(period.endAtUs)", discrepancy.kind,
                    discrepancy.counterTenantID.isEmpty ? discrepancy.providerID : "tenant=\(discrepancy.counterTenantID)",
                    discrepancy.currency, discrepancy.batchID, "\(discrepancy.expectedMicros)", "\(discrepancy.actualMicros)",
                ].joined(separator: ":")
                _ = try connection.query(
                    """
                    INSERT INTO settlement.event_outbox (tenant_id, type, dedupe_key, data)
                    VALUES ($1::uuid, 'reconciliation.mismatch', $2, jsonb_strip_nulls(jsonb_build_object(
                        'kind', $3::text, 'provider_id', nullif($4::text, ''), 'currency', $5::text, 'batch_id', nullif($6::text, ''),
                        'expected_micros', $7::bigint, 'actual_micros', $8::bigint, 'difference_micros', $9::bigint,
                        'period_start_us', $10::bigint, 'period_end_us', $11::bigint,
                        'counter_tenant_id', nullif($12::text, ''))))
                    ON CONFLICT (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
                    """,
                    [discrepancy.tenantID, key, discrepancy.kind, discrepancy.providerID, discrepancy.currency, discrepancy.batchID,
                     discrepancy.expectedMicros, discrepancy.actualMicros, discrepancy.differenceMicros, period.startAtUs,
                     period.endAtUs, discrepancy.counterTenantID])
            }
        }
    }
}
