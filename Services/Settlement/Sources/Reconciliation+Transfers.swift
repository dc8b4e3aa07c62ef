import PurserAPI

/// One tenant batch's header beside the sums of the transfers assigned to it.
package struct TenantBatchTotals: Sendable, Hashable {
    package var batchID: String
    package var tenantLowID: String
    package var tenantHighID: String
    package var currency: String
    /// The header: gross each way and what the low tenant owes the high one
    /// (the net, negated when the high tenant is the debtor).
    package var headerLowToHighMicros: Int64
    package var headerHighToLowMicros: Int64
    package var headerLowOwesMicros: Int64
    /// The same from the batch's transfers.
    package var transfersLowToHighMicros: Int64
    package var transfersHighToLowMicros: Int64
    /// A total does not fit in 64 bits (the amounts are then meaningless).
    package var outOfRange: Bool

    package init(
        batchID: String, tenantLowID: String, tenantHighID: String, currency: String, headerLowToHighMicros: Int64,
        headerHighToLowMicros: Int64, headerLowOwesMicros: Int64, transfersLowToHighMicros: Int64,
        transfersHighToLowMicros: Int64, outOfRange: Bool = false
    ) {
        self.batchID = batchID
        self.tenantLowID = tenantLowID
        self.tenantHighID = tenantHighID
        self.currency = currency
        self.headerLowToHighMicros = headerLowToHighMicros
        self.headerHighToLowMicros = headerHighToLowMicros
        self.headerLowOwesMicros = headerLowOwesMicros
        self.transfersLowToHighMicros = transfersLowToHighMicros
        self.transfersHighToLowMicros = transfersHighToLowMicros
        self.outOfRange = outOfRange
    }
}

/// The payments across tenants of a reconciliation, compared like captures
/// and refunds: per payer tenant × payee tenant × currency, the ledger's
/// total against the recorded transfers (`transfer_ledger_mismatch`), the
/// recorded against the batched plus unbatched (`transfer_batch_mismatch`),
/// and each tenant batch's header against its transfers
/// (`tenant_batch_total_mismatch`).
package struct TransferReconciliation: Sendable {
    package var ledger: [TransferKey: Int64] = [:]
    package var recorded: [TransferKey: Int64] = [:]
    package var batched: [TransferKey: Int64] = [:]
    package var unbatched: [TransferKey: Int64] = [:]
    package var batches: [TenantBatchTotals] = []
    /// Keys whose total on some side does not fit in 64 bits.
    package var outOfRange: Set<TransferKey> = []

    package init() {}

    /// Every discrepancy, keys in order then batches in order. A key or batch
    /// out of range gets one `total_out_of_range` and nothing else.
    package var discrepancies: [Discrepancy] {
        var found: [Discrepancy] = []
        let overflowing = outOfRange.union(batched.keys.filter { CheckedMicros.sum(batched[$0] ?? 0, unbatched[$0] ?? 0) == nil })
        for key in overflowing.sorted() {
            found.append(Self.discrepancy("total_out_of_range", key.payerTenantID, key.payeeTenantID, key.currency, expected: 0, actual: 0))
        }
        let keys = Set(ledger.keys).union(recorded.keys).union(batched.keys).union(unbatched.keys).subtracting(overflowing)
        for key in keys.sorted() {
            let ledgerMicros = ledger[key] ?? 0, recordedMicros = recorded[key] ?? 0
            if ledgerMicros != recordedMicros {
                found.append(Self.discrepancy(
                    "transfer_ledger_mismatch", key.payerTenantID, key.payeeTenantID, key.currency,
                    expected: ledgerMicros, actual: recordedMicros))
            }
            if let settled = CheckedMicros.sum(batched[key] ?? 0, unbatched[key] ?? 0), settled != recordedMicros {
                found.append(Self.discrepancy(
                    "transfer_batch_mismatch", key.payerTenantID, key.payeeTenantID, key.currency,
                    expected: recordedMicros, actual: settled))
            }
        }
        for batch in batches.sorted(by: { ($0.tenantLowID, $0.tenantHighID, $0.currency, $0.batchID) <
                                          ($1.tenantLowID, $1.tenantHighID, $1.currency, $1.batchID) }) {
            var discrepancy: Discrepancy
            if batch.outOfRange {
                discrepancy = Self.discrepancy("total_out_of_range", batch.tenantLowID, batch.tenantHighID, batch.currency,
                                               expected: 0, actual: 0)
            } else {
                let owed = CheckedMicros.difference(batch.transfersLowToHighMicros, batch.transfersHighToLowMicros)
                let views: [(expected: Int64?, actual: Int64)] = [
                    (batch.transfersLowToHighMicros, batch.headerLowToHighMicros),
                    (batch.transfersHighToLowMicros, batch.headerHighToLowMicros),
                    (owed, batch.headerLowOwesMicros),
                ]
                guard let differing = views.first(where: { $0.expected != $0.actual }) else { continue }
                discrepancy = Self.discrepancy(
                    "tenant_batch_total_mismatch", batch.tenantLowID, batch.tenantHighID, batch.currency,
                    expected: differing.expected ?? 0, actual: differing.actual)
            }
            discrepancy.batchID = batch.batchID
            found.append(discrepancy)
        }
        return found
    }

    /// A discrepancy of `kind` between `tenant` and `counterTenant`; one whose
    /// difference does not fit in 64 bits becomes `total_out_of_range` with amounts 0.
    static func discrepancy(
        _ kind: String, _ tenant: String, _ counterTenant: String, _ currency: String, expected: Int64, actual: Int64
    ) -> Discrepancy {
        var discrepancy = Discrepancy()
        discrepancy.tenantID = tenant
        discrepancy.counterTenantID = counterTenant
        discrepancy.currency = currency
        guard let difference = CheckedMicros.difference(actual, expected) else {
            discrepancy.kind = "total_out_of_range"
            return discrepancy
        }
        discrepancy.kind = kind
        discrepancy.expectedMicros = expected
        discrepancy.actualMicros = actual
        discrepancy.differenceMicros = difference
        return discrepancy
    }
}

extension Reconciliation {
    /// Adds the ledger's transfer totals to `transfers.ledger` (out-of-range ones to `transfers.outOfRange`).
    package mutating func addLedgerTransfers(_ totals: [LedgerTransferTotal]) {
        for total in totals {
            if !total.outOfRange, let sum = CheckedMicros.sum(transfers.ledger[total.key] ?? 0, total.amountMicros) {
                transfers.ledger[total.key] = sum
            } else {
                transfers.outOfRange.insert(total.key)
            }
        }
    }
}
