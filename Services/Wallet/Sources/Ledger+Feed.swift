import Foundation
import PurserPostgres
import PurserRPC

/// A position in the capture feed: the transaction id and sequence of the last
/// entry read. Text form `<xid>.<sequence>`; the empty string is the start.
package struct FeedCursor: Sendable, Hashable, CustomStringConvertible {
    package var transaction: UInt64
    package var sequence: Int64

    /// Before every entry.
    package static let start = FeedCursor(transaction: 0, sequence: 0)

    /// The position just after the entry with this transaction id and sequence.
    package init(transaction: UInt64, sequence: Int64) {
        self.transaction = transaction
        self.sequence = sequence
    }

    /// Parses the text form; `nil` when it is malformed (the empty string is `start`).
    package init?(parsing text: String) {
        if text.isEmpty {
            self = .start
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let transaction = UInt64(parts[0]), let sequence = Int64(parts[1]), sequence >= 0 else {
            return nil
        }
        self.init(transaction: transaction, sequence: sequence)
    }

    package var description: String { self == .start ? "" : "\(transaction).\(sequence)" }
}

/// One capture or refund as Settlement reads it.
package struct FeedItem: Sendable, Equatable {
    /// Where to resume after this item.
    package var cursor: FeedCursor
    package var entryID: UUID
    /// `capture` or `refund`.
    package var kind: String
    package var tenantID: UUID
    package var agentID: UUID
    package var providerID: UUID
    package var category: String
    package var amountMicros: Int64
    package var holdID: UUID
    package var createdAtUs: Int64
    package var currency: String
}

extension Ledger {
    /// Captures and refunds after `cursor`, in commit-safe order, at most `limit`.
    ///
    /// Entries are ordered by the id of the transaction that wrote them, then by
    /// sequence, and only entries of transactions older than the oldest one
    /// still running (`xid < pg_snapshot_xmin(pg_current_snapshot())`) are
    /// returned. Every transaction below that horizon has finished, so no entry
    /// can ever appear behind a cursor this feed has handed out: transactions
    /// that commit out of order are waited for, never skipped. A long-running
    /// transaction anywhere in the cluster delays the feed; it never loses entries.
    package func feed(after cursor: FeedCursor, limit: Int) async throws(RPCError) -> [FeedItem] {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT e.xid::text AS transaction_text, e.seq, e.entry_id, e.kind, e.tenant_id, e.agent_id, e.provider_id,
                       e.category, e.amount, e.hold_id, wallet.us(e.created_at), e.currency
                  FROM wallet.entries e
                 WHERE e.kind IN ('capture', 'refund')
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
                return FeedItem(
                    cursor: FeedCursor(transaction: transaction, sequence: try row.decode(Int64.self, at: 1)),
                    entryID: try row.decode(UUID.self, at: 2), kind: try row.decode(String.self, at: 3),
                    tenantID: try row.decode(UUID.self, at: 4), agentID: try row.decode(UUID.self, at: 5),
                    providerID: try row.decode(UUID.self, at: 6), category: try row.decode(String.self, at: 7),
                    amountMicros: try row.decode(Int64.self, at: 8), holdID: try row.decode(UUID.self, at: 9),
                    createdAtUs: try row.decode(Int64.self, at: 10), currency: try row.decode(String.self, at: 11))
            }
        }
    }
}
