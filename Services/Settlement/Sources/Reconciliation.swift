import PurserAPI

/// One batch's three views of the same money: its header, the sum of its
/// lines and the sum of the entries assigned to it.
package struct BatchTotals: Sendable, Hashable {
    package var batchID: String
    package var key: ReconcileKey
    package var headerNetMicros: Int64
    package var linesNetMicros: Int64
    package var entriesNetMicros: Int64
    /// One of the three does not fit in 64 bits (the three amounts are then meaningless).
    package var outOfRange: Bool

    /// The three totals of batch `batchID`.
    package init(
        batchID: String, key: ReconcileKey, headerNetMicros: Int64, linesNetMicros: Int64, entriesNetMicros: Int64,
        outOfRange: Bool = false
    ) {
        self.batchID = batchID
        self.key = key
        self.headerNetMicros = headerNetMicros
        self.linesNetMicros = linesNetMicros
        self.entriesNetMicros = entriesNetMicros
        self.outOfRange = outOfRange
    }
}

/// The comparison behind `Reconcile`, without I/O: given the ledger's totals
/// and Settlement's own (recorded entries, batched lines, unbatched entries,
/// per-batch totals) for one period, the lines and every discrepancy.
///
/// A tenant × provider × currency whose total on any side does not fit in
/// 64 bits is in `outOfRange`: it gets no line and one `total_out_of_range`
/// discrepancy, and every other key is compared as usual.
package struct Reconciliation: Sendable {
    package var ledger: [ReconcileKey: Int64] = [:]
    package var recorded: [ReconcileKey: Int64] = [:]
    package var batched: [ReconcileKey: Int64] = [:]
    package var unbatched: [ReconcileKey: Int64] = [:]
    package var batches: [BatchTotals] = []
    /// Keys whose total on some side does not fit in 64 bits.
    package var outOfRange: Set<ReconcileKey> = []
    /// The payments across tenants of the same period.
    package var transfers = TransferReconciliation()

    /// An empty comparison; fill the sides, then read `lines` and `discrepancies`.
    package init() {}

    /// Every key seen on any side, one line each, sorted by tenant, provider,
    /// currency; keys whose totals are out of range (or whose batched plus
    /// unbatched total is) have none.
    package var lines: [ReconcileLine] {
        let keys = Set(ledger.keys).union(recorded.keys).union(batched.keys).union(unbatched.keys)
            .subtracting(allOutOfRange)
        return keys.sorted().map { key in
            var line = ReconcileLine()
            line.tenantID = key.tenantID
            line.providerID = key.providerID
            line.currency = key.currency
            line.ledgerNetMicros = ledger[key] ?? 0
            line.recordedNetMicros = recorded[key] ?? 0
            line.batchedNetMicros = batched[key] ?? 0
            line.unbatchedNetMicros = unbatched[key] ?? 0
            return line
        }
    }

    /// `ledger_mismatch` where the ledger and the recorded entries differ,
    /// `batch_mismatch` where recorded ≠ batched + unbatched, and
    /// `batch_total_mismatch` for each batch whose header, lines and entries
    /// disagree (expected = entries; actual = the first view that differs).
    /// `total_out_of_range` for each key and each batch whose totals do not fit
    /// in 64 bits (amounts 0), and in place of a discrepancy whose difference
    /// does not fit. Then those of the payments across tenants (`TransferReconciliation`).
    package var discrepancies: [Discrepancy] {
        var found: [Discrepancy] = []
        for key in allOutOfRange.sorted() {
            found.append(Self.discrepancy("total_out_of_range", key, expected: 0, actual: 0))
        }
        for line in lines {
            let key = ReconcileKey(tenantID: line.tenantID, providerID: line.providerID, currency: line.currency)
            if line.ledgerNetMicros != line.recordedNetMicros {
                found.append(Self.discrepancy(
                    "ledger_mismatch", key, expected: line.ledgerNetMicros, actual: line.recordedNetMicros))
            }
            // Always in range: `lines` leaves out the keys where it is not.
            if let settled = CheckedMicros.sum(line.batchedNetMicros, line.unbatchedNetMicros), line.recordedNetMicros != settled {
                found.append(Self.discrepancy("batch_mismatch", key, expected: line.recordedNetMicros, actual: settled))
            }
        }
        for batch in batches.sorted(by: { ($0.key, $0.batchID) < ($1.key, $1.batchID) }) {
            guard !batch.outOfRange else {
                var discrepancy = Self.discrepancy("total_out_of_range", batch.key, expected: 0, actual: 0)
                discrepancy.batchID = batch.batchID
                found.append(discrepancy)
                continue
            }
            let actual = batch.headerNetMicros != batch.entriesNetMicros ? batch.headerNetMicros : batch.linesNetMicros
            guard actual != batch.entriesNetMicros else { continue }
            var discrepancy = Self.discrepancy("batch_total_mismatch", batch.key, expected: batch.entriesNetMicros, actual: actual)
            discrepancy.batchID = batch.batchID
            found.append(discrepancy)
        }
        return found + transfers.discrepancies
    }

    /// The response for `period` with the ledger named `ledgerSource`.
    package func response(period: Period, ledgerSource: String) -> ReconcileResponse {
        var response = ReconcileResponse()
        response.period = period
        response.ledgerSource = ledgerSource
        response.lines = lines
        response.discrepancies = discrepancies
        response.balanced = response.discrepancies.isEmpty
        return response
    }

    /// `outOfRange` and every key whose batched plus unbatched total does not fit.
    private var allOutOfRange: Set<ReconcileKey> {
        outOfRange.union(batched.keys.filter { key in
            CheckedMicros.sum(batched[key] ?? 0, unbatched[key] ?? 0) == nil
        })
    }

    /// A discrepancy of `kind`; one whose difference does not fit in 64 bits
    /// becomes `total_out_of_range` with amounts 0.
    private static func discrepancy(_ kind: String, _ key: ReconcileKey, expected: Int64, actual: Int64) -> Discrepancy {
        guard let difference = CheckedMicros.difference(actual, expected) else {
            return discrepancy("total_out_of_range", key, expected: 0, actual: 0)
        }
        var discrepancy = Discrepancy()
        discrepancy.kind = kind
        discrepancy.tenantID = key.tenantID
        discrepancy.providerID = key.providerID
        discrepancy.currency = key.currency
        discrepancy.expectedMicros = expected
        discrepancy.actualMicros = actual
        discrepancy.differenceMicros = difference
        return discrepancy
    }
}
