import Foundation
import PurserPostgres
import PurserRPC

extension Ledger {
    /// Checks every invariant of the ledger for one tenant (every tenant when
    /// `nil`): each account's balance equals the sum of its entries, each
    /// account's `held` equals its pending holds, no available balance is
    /// negative, each tenant's balances plus its derived provider payables sum
    /// to zero, and each hold's capture and refunds match its entries. Returns
    /// the discrepancies; a sound ledger returns none. Sums are `numeric`: a
    /// discrepancy whose amounts do not fit in 64 bits is reported with
    /// `outOfRange` (amounts 0), never failing the audit of other tenants.
    package func audit(tenant: UUID?) async throws(RPCError) -> [AuditDiscrepancy] {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT tenant_id, check_name, subject,
                       CASE WHEN expected BETWEEN -9223372036854775808 AND 9223372036854775807 THEN expected::bigint END,
                       CASE WHEN actual BETWEEN -9223372036854775808 AND 9223372036854775807 THEN actual::bigint END
                  FROM wallet.audit($1::uuid)
                """, [tenant])
            return try rows.map { row throws(PostgresError) in
                let expected = try row.decode(Int64?.self, at: 3), actual = try row.decode(Int64?.self, at: 4)
                let fits = expected != nil && actual != nil
                return AuditDiscrepancy(
                    tenantID: try row.decode(UUID.self, at: 0), check: try row.decode(String.self, at: 1),
                    subject: try row.decode(String.self, at: 2), expected: fits ? expected ?? 0 : 0,
                    actual: fits ? actual ?? 0 : 0, outOfRange: !fits)
            }
        }
    }

    /// Records that the tenant's policies stand at `epoch` (keeping the newer
    /// of it and what was recorded) and returns the recorded epoch. Committed
    /// before it returns.
    package func notePolicyEpoch(tenant: UUID, epoch: Int64) async throws(RPCError) -> Int64 {
        try await run { connection in
            let rows = try connection.query("SELECT wallet.note_policy_epoch($1, $2)", [tenant, epoch])
            return try rows.first?.decode(Int64.self, at: 0) ?? epoch
        }
    }

    /// Releases up to about `limit` holds past their expiry and returns how
    /// many it released. Safe to run from every replica at once: accounts and
    /// holds another transaction has locked are skipped, not waited for.
    package func sweepExpiredHolds(limit: Int) async throws(RPCError) -> Int {
        try await run { connection in
            let rows = try connection.query("SELECT wallet.sweep_expired($1::int)", [Int32(clamping: limit)])
            return Int(try rows.first?.decode(Int64.self, at: 0) ?? 0)
        }
    }

    /// Deletes up to `limit` idempotency records older than `retentionMicros`
    /// and returns how many it deleted.
    package func purgeIdempotencyRecords(olderThanMicros retentionMicros: Int64, limit: Int) async throws(RPCError) -> Int {
        try await run { connection in
            let rows = try connection.query(
                "SELECT wallet.purge_idempotency($1, $2::int)", [retentionMicros, Int32(clamping: limit)])
            return Int(try rows.first?.decode(Int64.self, at: 0) ?? 0)
        }
    }
}
