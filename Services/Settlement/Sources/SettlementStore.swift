import PurserAPI
import PurserPostgres
import PurserRPC

/// Every read and write of the `settlement` schema's periods, batches and
/// statements. Handlers authorize first, then call it; tests call it directly.
package struct SettlementStore: Sendable {
    package let pool: PostgresPool

    /// The store on `pool`, whose database holds the migrated `settlement` schema.
    package init(pool: PostgresPool) { self.pool = pool }

    /// The columns `batch(from:)` reads, in order; totals are `NULL` where they do not fit in 64 bits.
    static let batchColumns = """
        b.batch_id::text, b.tenant_id, b.provider_id, b.currency, b.period_start_us, b.period_end_us, b.state,
        settlement.int64_or_null(b.capture_micros), settlement.int64_or_null(b.refund_micros),
        settlement.int64_or_null(b.net_micros), settlement.int64_or_null(b.adjustment_micros), b.entry_count,
        b.external_reference, b.created_at_us, b.closed_at_us, b.paid_at_us
        """

    /// A batch (without lines) from a row of `batchColumns`; a batch whose
    /// totals do not fit in 64 bits throws `total_out_of_range`.
    static func batch(from row: PostgresRow) throws -> Batch {
        var batch = Batch()
        batch.id = try row.decode(String.self, at: 0)
        batch.tenantID = try row.decode(String.self, at: 1)
        batch.providerID = try row.decode(String.self, at: 2)
        batch.currency = try row.decode(String.self, at: 3)
        batch.period = Period(startAtUs: try row.decode(Int64.self, at: 4), endAtUs: try row.decode(Int64.self, at: 5))
        batch.state = BatchState(name: try row.decode(String.self, at: 6)) ?? .unspecified
        let what = "the totals of batch \(batch.id)"
        batch.captureMicros = try micros(row, at: 7, what)
        batch.refundMicros = try micros(row, at: 8, what)
        batch.netMicros = try micros(row, at: 9, what)
        batch.adjustmentMicros = try micros(row, at: 10, what)
        batch.entryCount = try row.decode(Int64.self, at: 11)
        batch.externalReference = try row.decode(String.self, at: 12)
        batch.createdAtUs = try row.decode(Int64.self, at: 13)
        batch.closedAtUs = try row.decode(Int64.self, at: 14)
        batch.paidAtUs = try row.decode(Int64.self, at: 15)
        return batch
    }

    /// The lines of `batches`, keyed by batch id, adjustments last, then by
    /// day, agent and category. One query for all of them. A line whose
    /// totals do not fit in 64 bits throws `total_out_of_range`.
    static func lines(of batches: [Batch], on connection: PostgresConnection) throws -> [String: [BatchLine]] {
        guard !batches.isEmpty else { return [:] }
        let tenants = "{" + batches.map { Self.arrayElement($0.tenantID) }.joined(separator: ",") + "}"
        let ids = "{" + batches.map(\.id).joined(separator: ",") + "}"
        let rows = try connection.query("""
            SELECT l.batch_id::text, l.agent_id, l.category, l.day_at_us, l.adjustment,
                   settlement.int64_or_null(l.capture_micros), settlement.int64_or_null(l.refund_micros),
                   settlement.int64_or_null(l.net_micros), l.entry_count
            FROM settlement.batch_lines l
            JOIN unnest($1::text[], $2::uuid[]) AS b(tenant_id, batch_id)
              ON l.tenant_id = b.tenant_id AND l.batch_id = b.batch_id
            ORDER BY l.batch_id, l.adjustment, l.day_at_us, l.agent_id, l.category
            """, [tenants, ids])
        var result: [String: [BatchLine]] = [:]
        for row in rows {
            var line = BatchLine()
            line.agentID = try row.decode(String.self, at: 1)
            line.category = try row.decode(String.self, at: 2)
            line.dayAtUs = try row.decode(Int64.self, at: 3)
            line.adjustment = try row.decode(Bool.self, at: 4)
            let what = "a line of batch \(try row.decode(String.self, at: 0))"
            line.captureMicros = try micros(row, at: 5, what)
            line.refundMicros = try micros(row, at: 6, what)
            line.netMicros = try micros(row, at: 7, what)
            line.entryCount = try row.decode(Int64.self, at: 8)
            result[try row.decode(String.self, at: 0), default: []].append(line)
        }
        return result
    }

    /// The amount in column `index` of `row`, selected through
    /// `settlement.int64_or_null`: `NULL` means the total `what` names does
    /// not fit in 64 bits, refused as `total_out_of_range`.
    static func micros(_ row: PostgresRow, at index: Int, _ what: @autoclosure () -> String) throws -> Int64 {
        guard let value = try row.decode(Int64?.self, at: index) else { throw RPCError.totalOutOfRange(what()) }
        return value
    }

    /// `text` as a quoted element of a PostgreSQL array literal.
    static func arrayElement(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
