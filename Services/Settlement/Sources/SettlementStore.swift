import PurserAPI
import PurserPostgres

/// Every read and write of the `settlement` schema's periods, batches and
/// statements. Handlers authorize first, then call it; tests call it directly.
public struct SettlementStore: Sendable {
    public let pool: PostgresPool

    /// The store on `pool`, whose database holds the migrated `settlement` schema.
    public init(pool: PostgresPool) { self.pool = pool }

    /// The columns `batch(from:)` reads, in order.
    static let batchColumns = """
        b.batch_id::text, b.tenant_id, b.provider_id, b.currency, b.period_start_us, b.period_end_us, b.state,
        b.capture_micros, b.refund_micros, b.net_micros, b.adjustment_micros, b.entry_count, b.external_reference,
        b.created_at_us, b.closed_at_us, b.paid_at_us
        """

    /// A batch (without lines) from a row of `batchColumns`.
    static func batch(from row: PostgresRow) throws -> Batch {
        var batch = Batch()
        batch.id = try row.decode(String.self, at: 0)
        batch.tenantID = try row.decode(String.self, at: 1)
        batch.providerID = try row.decode(String.self, at: 2)
        batch.currency = try row.decode(String.self, at: 3)
        batch.period = Period(startAtUs: try row.decode(Int64.self, at: 4), endAtUs: try row.decode(Int64.self, at: 5))
        batch.state = BatchState(name: try row.decode(String.self, at: 6)) ?? .unspecified
        batch.captureMicros = try row.decode(Int64.self, at: 7)
        batch.refundMicros = try row.decode(Int64.self, at: 8)
        batch.netMicros = try row.decode(Int64.self, at: 9)
        batch.adjustmentMicros = try row.decode(Int64.self, at: 10)
        batch.entryCount = try row.decode(Int64.self, at: 11)
        batch.externalReference = try row.decode(String.self, at: 12)
        batch.createdAtUs = try row.decode(Int64.self, at: 13)
        batch.closedAtUs = try row.decode(Int64.self, at: 14)
        batch.paidAtUs = try row.decode(Int64.self, at: 15)
        return batch
    }

    /// The lines of `batches`, keyed by batch id, adjustments last, then by
    /// day, agent and category. One query for all of them.
    static func lines(of batches: [Batch], on connection: PostgresConnection) throws -> [String: [BatchLine]] {
        guard !batches.isEmpty else { return [:] }
        let tenants = "{" + batches.map { Self.arrayElement($0.tenantID) }.joined(separator: ",") + "}"
        let ids = "{" + batches.map(\.id).joined(separator: ",") + "}"
        let rows = try connection.query("""
            SELECT l.batch_id::text, l.agent_id, l.category, l.day_at_us, l.adjustment,
                   l.capture_micros, l.refund_micros, l.net_micros, l.entry_count
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
            line.captureMicros = try row.decode(Int64.self, at: 5)
            line.refundMicros = try row.decode(Int64.self, at: 6)
            line.netMicros = try row.decode(Int64.self, at: 7)
            line.entryCount = try row.decode(Int64.self, at: 8)
            result[try row.decode(String.self, at: 0), default: []].append(line)
        }
        return result
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
