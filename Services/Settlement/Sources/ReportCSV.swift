import PurserAPI

/// The CSV exports. Columns are fixed and documented in the README; one row
/// per statement line or payout batch line, amounts as 6-place decimals,
/// instants as ISO-8601 UTC.
package enum ReportCSV {
    /// Statement columns, in order.
    package static let statementColumns = [
        "tenant_id", "period_start", "period_end", "day", "agent_id", "provider_id", "category", "currency",
        "captures", "refunds", "net", "entry_count",
    ]

    /// Payout columns, in order.
    package static let payoutColumns = [
        "provider_id", "batch_id", "tenant_id", "currency", "period_start", "period_end", "batch_state", "day",
        "agent_id", "category", "adjustment", "captures", "refunds", "net", "entry_count", "external_reference", "paid_at",
    ]

    /// Tenant batch columns, in order (`paid`, `received` and `owes` from the exported tenant's side).
    package static let tenantBatchColumns = [
        "tenant_id", "batch_id", "other_tenant_id", "currency", "period_start", "period_end", "batch_state",
        "paid", "received", "owes", "transfer_count", "external_reference", "paid_at",
    ]

    /// `tenantID`'s tenant batches as CSV: a header row, then one row per batch.
    package static func tenantBatches(_ batches: [TenantBatch], of tenantID: String) -> [UInt8] {
        var writer = CSVWriter(capacity: 192 * (batches.count + 1))
        writer.row(tenantBatchColumns.map(CSVField.text))
        for batch in batches {
            let side = batch.side(of: tenantID)
            writer.row([
                .text(tenantID), .text(batch.id), .text(side.other), .text(batch.currency),
                .timestamp(batch.period.startAtUs), .timestamp(batch.period.endAtUs), .text(batch.state.description),
                .amount(side.paid), .amount(side.received), .amount(side.owes), .integer(batch.transferCount),
                .text(batch.externalReference), .optionalTimestamp(batch.paidAtUs),
            ])
        }
        return writer.bytes
    }

    /// The statement as CSV: a header row, then one row per line.
    package static func statement(_ statement: TenantStatement) -> [UInt8] {
        var writer = CSVWriter(capacity: 128 * (statement.lines.count + 1))
        writer.row(statementColumns.map(CSVField.text))
        for line in statement.lines {
            writer.row([
                .text(statement.tenantID), .timestamp(statement.period.startAtUs), .timestamp(statement.period.endAtUs),
                .timestamp(line.dayAtUs), .text(line.agentID), .text(line.providerID), .text(line.category),
                .text(line.currency), .amount(line.captureMicros), .amount(line.refundMicros), .amount(line.netMicros),
                .integer(line.entryCount),
            ])
        }
        return writer.bytes
    }

    /// The payout as CSV: a header row, then one row per line of each batch.
    package static func payout(_ payout: ProviderPayout) -> [UInt8] {
        let lineCount = payout.batches.reduce(0) { $0 + $1.lines.count }
        var writer = CSVWriter(capacity: 192 * (lineCount + 1))
        writer.row(payoutColumns.map(CSVField.text))
        for batch in payout.batches {
            for line in batch.lines {
                writer.row([
                    .text(payout.providerID), .text(batch.id), .text(batch.tenantID), .text(batch.currency),
                    .timestamp(batch.period.startAtUs), .timestamp(batch.period.endAtUs), .text(batch.state.description),
                    .timestamp(line.dayAtUs), .text(line.agentID), .text(line.category), .boolean(line.adjustment),
                    .amount(line.captureMicros), .amount(line.refundMicros), .amount(line.netMicros),
                    .integer(line.entryCount), .text(batch.externalReference), .optionalTimestamp(batch.paidAtUs),
                ])
            }
        }
        return writer.bytes
    }
}
