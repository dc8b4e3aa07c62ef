import Foundation
import PurserPostgres
import PurserRPC

/// One payment to an agent of another tenant as Settlement reads it: the
/// payer tenant's `transfer_out` entry and the tenant it pays.
package struct TransferFeedItem: Sendable, Equatable {
    /// Where to resume after this item.
    package var cursor: FeedCursor
    package var entryID: UUID
    package var payerTenantID: UUID
    package var payeeTenantID: UUID
    package var amountMicros: Int64
    package var currency: String
    package var holdID: UUID
    package var createdAtUs: Int64
}

/// The payments across tenants of one payer tenant × payee tenant × currency over a period.
package struct TransferTotal: Sendable, Hashable {
    package var payerTenantID: UUID
    package var payeeTenantID: UUID
    package var currency: String
    /// Sum of the transfers; 0 when `outOfRange`.
    package var amountMicros: Int64
    /// The sum does not fit in 64 bits.
    package var outOfRange: Bool
}

extension Ledger {
    /// `transfer_out` entries after `cursor`, in commit-safe order, at most
    /// `limit`: the same `(xid, seq)` horizon as `feed(after:limit:)` (only
    /// transactions older than the oldest still running), over the
    /// `entries_transfer_feed` index. The payee tenant is the `counter_tenant`
    /// of the payable position account the entry credits.
    package func transferFeed(after cursor: FeedCursor, limit: Int) async throws(RPCError) -> [TransferFeedItem] {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT e.xid::text, e.seq, e.entry_id, e.tenant_id, a.counter_tenant, e.amount, e.currency, e.hold_id,
                       wallet.us(e.created_at)
                  FROM wallet.entries e
                  JOIN wallet.accounts a ON a.tenant_id = e.tenant_id AND a.account_id = e.credit_account
                 WHERE e.kind = 'transfer_out'
                   AND (e.xid, e.seq) > ($1::text::xid8, $2::bigint)
                   AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
                 ORDER BY e.xid, e.seq
                 LIMIT $3
                """, [String(cursor.transaction), cursor.sequence, Int64(limit)])
            return try rows.map { row throws(PostgresError) in
                let xid = try row.decode(String.self, at: 0)
                guard let transaction = UInt64(xid) else {
                    throw PostgresError(.decoding, "unreadable transaction id \(xid)")
                }
                return TransferFeedItem(
                    cursor: FeedCursor(transaction: transaction, sequence: try row.decode(Int64.self, at: 1)),
                    entryID: try row.decode(UUID.self, at: 2), payerTenantID: try row.decode(UUID.self, at: 3),
                    payeeTenantID: try row.decode(UUID.self, at: 4), amountMicros: try row.decode(Int64.self, at: 5),
                    currency: try row.decode(String.self, at: 6), holdID: try row.decode(UUID.self, at: 7),
                    createdAtUs: try row.decode(Int64.self, at: 8))
            }
        }
    }

    /// Totals of the `transfer_out` entries created in `[startUs, endUs)` per
    /// payer tenant × payee tenant × currency, ordered so; of the pairs where
    /// `tenant` pays or is paid, or of every pair when `tenant` is nil. Sums
    /// are exact (`numeric`); a line that does not fit in 64 bits is answered
    /// with `outOfRange` and amount 0. The caller guarantees
    /// `0 <= startUs < endUs <= latestInstantUs`.
    package func transferTotals(fromUs startUs: Int64, toUs endUs: Int64, tenant: UUID?) async throws(RPCError) -> [TransferTotal] {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT t.tenant_id, t.counter_tenant, t.currency,
                       CASE WHEN t.amount <= 9223372036854775807 THEN t.amount::bigint END
                  FROM (SELECT e.tenant_id, a.counter_tenant, e.currency, sum(e.amount) AS amount
                          FROM wallet.entries e
                          JOIN wallet.accounts a ON a.tenant_id = e.tenant_id AND a.account_id = e.credit_account
                         WHERE e.kind = 'transfer_out'
                           AND e.created_at >= wallet.at_us($1::bigint)
                           AND e.created_at < wallet.at_us($2::bigint)
                           AND ($3::uuid IS NULL OR e.tenant_id = $3::uuid OR a.counter_tenant = $3::uuid)
                         GROUP BY e.tenant_id, a.counter_tenant, e.currency) t
                 ORDER BY t.tenant_id, t.counter_tenant, t.currency
                """, [startUs, endUs, tenant])
            return try rows.map { row throws(PostgresError) in
                let amount = try row.decode(Int64?.self, at: 3)
                return TransferTotal(
                    payerTenantID: try row.decode(UUID.self, at: 0), payeeTenantID: try row.decode(UUID.self, at: 1),
                    currency: try row.decode(String.self, at: 2), amountMicros: amount ?? 0, outOfRange: amount == nil)
            }
        }
    }
}
