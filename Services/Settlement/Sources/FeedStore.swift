import Foundation
import PurserPostgres

/// The feed's side of the `settlement` schema: stored entries and the cursor,
/// always written together in one transaction.
struct FeedStore: Sendable {
    let pool: PostgresPool
    static let source = "wallet"

    /// The cursor after the last stored page ("" before the first).
    func cursor() async throws -> String {
        try await pool.withTransaction { connection in
            let rows = try connection.query("SELECT cursor FROM settlement.feed_cursor WHERE source = $1", [FeedStore.source])
            guard let row = rows.first else { return "" }
            return try row.decode(String.self, at: 0)
        }
    }

    /// Stores `page`, read after `cursor`, and advances the cursor to
    /// `page.nextCursor`, atomically. Entries already stored (same tenant and
    /// entry id) are left as they are. Returns the number of new entries, or
    /// `nil` when another consumer moved the cursor since `cursor` was read
    /// (nothing is written then).
    func store(_ page: FeedPage, readAfter cursor: String, nowUs: Int64) async throws -> Int? {
        for entry in page.entries { try entry.validate() }
        let payload = String(decoding: try JSONEncoder().encode(page.entries), as: UTF8.self)
        return try await pool.withTransaction { connection -> Int? in
            let rows = try connection.query(
                "SELECT cursor FROM settlement.feed_cursor WHERE source = $1 FOR UPDATE", [FeedStore.source])
            guard let row = rows.first, try row.decode(String.self, at: 0) == cursor else { return nil }
            var inserted = 0
            if !page.entries.isEmpty {
                inserted = try connection.execute("""
                    INSERT INTO settlement.entries (tenant_id, entry_id, kind, agent_id, provider_id, category, currency,
                                         amount_micros, hold_id, occurred_at_us, stored_at_us)
                    SELECT "tenantID", "entryID", kind, "agentID", "providerID", category, currency,
                           "amountMicros", "holdID", "occurredAtUs", $2
                    FROM jsonb_to_recordset($1::jsonb) AS x(
                        "entryID" text, kind text, "tenantID" text, "agentID" text, "providerID" text,
                        category text, currency text, "amountMicros" bigint, "holdID" text, "occurredAtUs" bigint)
                    ON CONFLICT (tenant_id, entry_id) DO NOTHING
                    """, [payload, nowUs])
            }
            try connection.execute("""
                UPDATE settlement.feed_cursor SET cursor = $2, entries_stored = entries_stored + $3, updated_at = now()
                WHERE source = $1
                """, [FeedStore.source, page.nextCursor, Int64(inserted)])
            return inserted
        }
    }

    /// The transfer feed's cursor row.
    static let transferSource = "wallet_transfers"

    /// The transfer feed's cursor after the last stored page ("" before the first).
    func transferCursor() async throws -> String {
        try await pool.withTransaction { connection in
            let rows = try connection.query(
                "SELECT cursor FROM settlement.feed_cursor WHERE source = $1", [FeedStore.transferSource])
            guard let row = rows.first else { return "" }
            return try row.decode(String.self, at: 0)
        }
    }

    /// Stores `page` of the transfer feed, read after `cursor`, and advances
    /// the transfer cursor to `page.nextCursor`, atomically, like `store(_:readAfter:nowUs:)`:
    /// a transfer already stored (same entry id) is left as it is; `nil` when
    /// another consumer moved the cursor since `cursor` was read.
    func storeTransfers(_ page: TransferPage, readAfter cursor: String, nowUs: Int64) async throws -> Int? {
        for transfer in page.transfers { try transfer.validate() }
        let payload = String(decoding: try JSONEncoder().encode(page.transfers), as: UTF8.self)
        return try await pool.withTransaction { connection -> Int? in
            let rows = try connection.query(
                "SELECT cursor FROM settlement.feed_cursor WHERE source = $1 FOR UPDATE", [FeedStore.transferSource])
            guard let row = rows.first, try row.decode(String.self, at: 0) == cursor else { return nil }
            var inserted = 0
            if !page.transfers.isEmpty {
                inserted = try connection.execute("""
                    INSERT INTO settlement.transfers (entry_id, payer_tenant, payee_tenant, currency, amount_micros, hold_id,
                                                      occurred_at_us, stored_at_us)
                    SELECT "entryID", "payerTenantID", "payeeTenantID", currency, "amountMicros", "holdID", "occurredAtUs", $2
                    FROM jsonb_to_recordset($1::jsonb) AS x(
                        "entryID" text, "payerTenantID" text, "payeeTenantID" text, currency text, "amountMicros" bigint,
                        "holdID" text, "occurredAtUs" bigint)
                    ON CONFLICT (entry_id) DO NOTHING
                    """, [payload, nowUs])
            }
            try connection.execute("""
                UPDATE settlement.feed_cursor SET cursor = $2, entries_stored = entries_stored + $3, updated_at = now()
                WHERE source = $1
                """, [FeedStore.transferSource, page.nextCursor, Int64(inserted)])
            return inserted
        }
    }
}
