import Foundation
import PurserPostgres
import PurserRPC
import PurserService

/// The captures and refunds of one tenant × provider × currency over a period.
package struct PeriodTotal: Sendable, Hashable {
    package var tenantID: UUID
    package var providerID: UUID
    package var currency: String
    /// Sum of the captures, 0 when there were none.
    package var captureMicros: Int64
    /// Sum of the refunds, 0 when there were none.
    package var refundMicros: Int64
    /// The sum of the captures or of the refunds does not fit in 64 bits;
    /// both amounts are then 0.
    package var outOfRange: Bool

    /// A total with every field given.
    package init(
        tenantID: UUID, providerID: UUID, currency: String, captureMicros: Int64, refundMicros: Int64, outOfRange: Bool = false
    ) {
        self.tenantID = tenantID
        self.providerID = providerID
        self.currency = currency
        self.captureMicros = captureMicros
        self.refundMicros = refundMicros
        self.outOfRange = outOfRange
    }
}

extension Ledger {
    /// Latest (exclusive) end a period may name: 10000-01-01T00:00:00Z in
    /// Unix µs, just after the last time a request may name.
    package static let latestInstantUs: Int64 = WireTime.latestUs + 1

    /// Totals of the captures and refunds created in `[startUs, endUs)`, per
    /// tenant × provider × currency, ordered by tenant, provider and currency;
    /// of `tenant` only, or of every tenant when `tenant` is nil.
    ///
    /// One aggregate query over the entries table, reading the period's entries
    /// through the `entries_settled_by_time` index. Sums are exact (`numeric`);
    /// a line whose captures or refunds do not fit in 64 bits is answered with
    /// `outOfRange` and amounts 0, and every other line as usual, so one
    /// tenant's totals never stop another's. Entries of transactions not yet
    /// committed are not counted.
    /// The caller guarantees `0 <= startUs < endUs <= latestInstantUs`.
    package func totals(fromUs startUs: Int64, toUs endUs: Int64, tenant: UUID?) async throws(RPCError) -> [PeriodTotal] {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT t.tenant_id, t.provider_id, t.currency,
                       CASE WHEN t.capture <= 9223372036854775807 THEN t.capture::bigint END,
                       CASE WHEN t.refund <= 9223372036854775807 THEN t.refund::bigint END
                  FROM (SELECT e.tenant_id, e.provider_id, e.currency,
                               coalesce(sum(e.amount) FILTER (WHERE e.kind = 'capture'), 0) AS capture,
                               coalesce(sum(e.amount) FILTER (WHERE e.kind = 'refund'), 0) AS refund
                          FROM wallet.entries e
                         WHERE e.kind IN ('capture', 'refund')
                           AND e.created_at >= wallet.at_us($1::bigint)
                           AND e.created_at < wallet.at_us($2::bigint)
                           AND ($3::uuid IS NULL OR e.tenant_id = $3::uuid)
                         GROUP BY e.tenant_id, e.provider_id, e.currency) t
                 ORDER BY t.tenant_id, t.provider_id, t.currency
                """, [startUs, endUs, tenant])
            return try rows.map { row throws(PostgresError) in
                let capture = try row.decode(Int64?.self, at: 3), refund = try row.decode(Int64?.self, at: 4)
                let fits = capture != nil && refund != nil
                return PeriodTotal(
                    tenantID: try row.decode(UUID.self, at: 0), providerID: try row.decode(UUID.self, at: 1),
                    currency: try row.decode(String.self, at: 2), captureMicros: fits ? capture ?? 0 : 0,
                    refundMicros: fits ? refund ?? 0 : 0, outOfRange: !fits)
            }
        }
    }
}
