import Foundation
import PurserAPI
import PurserKit

/// The JSON exports: one document per report, keys sorted, amounts both as
/// exact integers (`…_micros`) and as 6-place decimal strings, instants as
/// ISO-8601 UTC strings. Never a floating-point number.
package enum ReportJSON {
    struct Amounts: Encodable {
        let captures: String
        let refunds: String
        let net: String
        let captureMicros: Int64
        let refundMicros: Int64
        let netMicros: Int64

        init(capture: Int64, refund: Int64, net: Int64) {
            captures = Money(micros: capture).formatted(decimals: 6)
            refunds = Money(micros: refund).formatted(decimals: 6)
            self.net = Money(micros: net).formatted(decimals: 6)
            captureMicros = capture
            refundMicros = refund
            netMicros = net
        }
    }

    struct Group: Encodable {
        let key: String
        let currency: String
        let amounts: Amounts
        let entryCount: Int64

        init(_ total: StatementTotal) {
            key = total.key
            currency = total.currency
            amounts = Amounts(capture: total.captureMicros, refund: total.refundMicros, net: total.netMicros)
            entryCount = total.entryCount
        }
    }

    struct StatementLineRow: Encodable {
        let day: String
        let agentId: String
        let providerId: String
        let category: String
        let currency: String
        let amounts: Amounts
        let entryCount: Int64
    }

    struct StatementDocument: Encodable {
        let kind = "statement"
        let tenantId: String
        let periodStart: String
        let periodEnd: String
        let totals: [Group]
        let byAgent: [Group]
        let byProvider: [Group]
        let byCategory: [Group]
        let byDay: [Group]
        let lines: [StatementLineRow]
    }

    struct PayoutLineRow: Encodable {
        let day: String
        let agentId: String
        let category: String
        let adjustment: Bool
        let amounts: Amounts
        let entryCount: Int64
    }

    struct PayoutBatch: Encodable {
        let batchId: String
        let tenantId: String
        let currency: String
        let periodStart: String
        let periodEnd: String
        let state: String
        let amounts: Amounts
        let adjustmentMicros: Int64
        let entryCount: Int64
        let externalReference: String
        let paidAt: String?
        let lines: [PayoutLineRow]
    }

    struct PayoutTotalRow: Encodable {
        let currency: String
        let net: String
        let paid: String
        let due: String
        let pending: String
        let netMicros: Int64
        let paidMicros: Int64
        let dueMicros: Int64
        let pendingMicros: Int64
    }

    struct PayoutDocument: Encodable {
        let kind = "payout"
        let providerId: String
        let periodStart: String
        let periodEnd: String
        let totals: [PayoutTotalRow]
        let batches: [PayoutBatch]
    }

    struct TenantBatchRow: Encodable {
        let batchId: String
        let otherTenantId: String
        let currency: String
        let periodStart: String
        let periodEnd: String
        let state: String
        let paid: String
        let received: String
        let owes: String
        let paidMicros: Int64
        let receivedMicros: Int64
        let owesMicros: Int64
        let transferCount: Int64
        let externalReference: String
        let paidAt: String?
    }

    struct TenantBatchesDocument: Encodable {
        let kind = "tenant_batches"
        let tenantId: String
        let periodStart: String
        let periodEnd: String
        let batches: [TenantBatchRow]
    }

    /// `tenantID`'s tenant batches of `period` as one JSON document, from its side.
    package static func tenantBatches(_ batches: [TenantBatch], of tenantID: String, period: Period) throws -> [UInt8] {
        let document = TenantBatchesDocument(
            tenantId: tenantID, periodStart: ISO8601.timestamp(period.startAtUs), periodEnd: ISO8601.timestamp(period.endAtUs),
            batches: batches.map { batch in
                let side = batch.side(of: tenantID)
                return TenantBatchRow(
                    batchId: batch.id, otherTenantId: side.other, currency: batch.currency,
                    periodStart: ISO8601.timestamp(batch.period.startAtUs), periodEnd: ISO8601.timestamp(batch.period.endAtUs),
                    state: batch.state.description, paid: Money(micros: side.paid).formatted(decimals: 6),
                    received: Money(micros: side.received).formatted(decimals: 6), owes: Money(micros: side.owes).formatted(decimals: 6),
                    paidMicros: side.paid, receivedMicros: side.received, owesMicros: side.owes, transferCount: batch.transferCount,
                    externalReference: batch.externalReference, paidAt: batch.paidAtUs == 0 ? nil : ISO8601.timestamp(batch.paidAtUs))
            })
        return try encode(document)
    }

    /// The statement as one JSON document.
    package static func statement(_ statement: TenantStatement) throws -> [UInt8] {
        let document = StatementDocument(
            tenantId: statement.tenantID,
            periodStart: ISO8601.timestamp(statement.period.startAtUs),
            periodEnd: ISO8601.timestamp(statement.period.endAtUs),
            totals: statement.totals.map(Group.init), byAgent: statement.byAgent.map(Group.init),
            byProvider: statement.byProvider.map(Group.init), byCategory: statement.byCategory.map(Group.init),
            byDay: statement.byDay.map(Group.init),
            lines: statement.lines.map { line in
                StatementLineRow(
                    day: ISO8601.timestamp(line.dayAtUs), agentId: line.agentID, providerId: line.providerID,
                    category: line.category, currency: line.currency,
                    amounts: Amounts(capture: line.captureMicros, refund: line.refundMicros, net: line.netMicros),
                    entryCount: line.entryCount)
            })
        return try encode(document)
    }

    /// The payout as one JSON document.
    package static func payout(_ payout: ProviderPayout) throws -> [UInt8] {
        let document = PayoutDocument(
            providerId: payout.providerID,
            periodStart: ISO8601.timestamp(payout.period.startAtUs),
            periodEnd: ISO8601.timestamp(payout.period.endAtUs),
            totals: payout.totals.map { total in
                PayoutTotalRow(
                    currency: total.currency, net: Money(micros: total.netMicros).formatted(decimals: 6),
                    paid: Money(micros: total.paidMicros).formatted(decimals: 6),
                    due: Money(micros: total.dueMicros).formatted(decimals: 6),
                    pending: Money(micros: total.pendingMicros).formatted(decimals: 6),
                    netMicros: total.netMicros, paidMicros: total.paidMicros, dueMicros: total.dueMicros,
                    pendingMicros: total.pendingMicros)
            },
            batches: payout.batches.map { batch in
                PayoutBatch(
                    batchId: batch.id, tenantId: batch.tenantID, currency: batch.currency,
                    periodStart: ISO8601.timestamp(batch.period.startAtUs), periodEnd: ISO8601.timestamp(batch.period.endAtUs),
                    state: batch.state.description,
                    amounts: Amounts(capture: batch.captureMicros, refund: batch.refundMicros, net: batch.netMicros),
                    adjustmentMicros: batch.adjustmentMicros, entryCount: batch.entryCount,
                    externalReference: batch.externalReference,
                    paidAt: batch.paidAtUs == 0 ? nil : ISO8601.timestamp(batch.paidAtUs),
                    lines: batch.lines.map { line in
                        PayoutLineRow(
                            day: ISO8601.timestamp(line.dayAtUs), agentId: line.agentID, category: line.category,
                            adjustment: line.adjustment,
                            amounts: Amounts(capture: line.captureMicros, refund: line.refundMicros, net: line.netMicros),
                            entryCount: line.entryCount)
                    })
            })
        return try encode(document)
    }

    private static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
