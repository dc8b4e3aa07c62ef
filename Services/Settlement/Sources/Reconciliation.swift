import PurserAPI

/// One batch's three views of the same money: its header, the sum of its
/// lines and the sum of the entries assigned to it.
public struct BatchTotals: Sendable, Hashable {
    public var batchID: String
    public var key: ReconcileKey
    public var headerNetMicros: Int64
    public var linesNetMicros: Int64
    public var entriesNetMicros: Int64

    /// The three totals of batch `batchID`.
    public init(batchID: String, key: ReconcileKey, headerNetMicros: Int64, linesNetMicros: Int64, entriesNetMicros: Int64) {
        self.batchID = batchID
        self.key = key
        self.headerNetMicros = headerNetMicros
        self.linesNetMicros = linesNetMicros
        self.entriesNetMicros = entriesNetMicros
    }
}

/// The comparison behind `Reconcile`, without I/O: given the ledger's totals
/// and Settlement's own (recorded entries, batched lines, unbatched entries,
/// per-batch totals) for one period, the lines and every discrepancy.
public struct Reconciliation: Sendable {
    public var ledger: [ReconcileKey: Int64] = [:]
    public var recorded: [ReconcileKey: Int64] = [:]
    public var batched: [ReconcileKey: Int64] = [:]
    public var unbatched: [ReconcileKey: Int64] = [:]
    public var batches: [BatchTotals] = []

    /// An empty comparison; fill the sides, then read `lines` and `discrepancies`.
    public init() {}

    /// Every key seen on any side, one line each, sorted by tenant, provider, currency.
    public var lines: [ReconcileLine] {
        let keys = Set(ledger.keys).union(recorded.keys).union(batched.keys).union(unbatched.keys)
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
    public var discrepancies: [Discrepancy] {
        var found: [Discrepancy] = []
        for line in lines {
            let key = ReconcileKey(tenantID: line.tenantID, providerID: line.providerID, currency: line.currency)
            if line.ledgerNetMicros != line.recordedNetMicros {
                found.append(Self.discrepancy(
                    "ledger_mismatch", key, expected: line.ledgerNetMicros, actual: line.recordedNetMicros))
            }
            let settled = line.batchedNetMicros &+ line.unbatchedNetMicros
            if line.recordedNetMicros != settled {
                found.append(Self.discrepancy("batch_mismatch", key, expected: line.recordedNetMicros, actual: settled))
            }
        }
        for batch in batches.sorted(by: { ($0.key, $0.batchID) < ($1.key, $1.batchID) }) {
            let actual = batch.headerNetMicros != batch.entriesNetMicros ? batch.headerNetMicros : batch.linesNetMicros
            guard actual != batch.entriesNetMicros else { continue }
            var discrepancy = Self.discrepancy("batch_total_mismatch", batch.key, expected: batch.entriesNetMicros, actual: actual)
            discrepancy.batchID = batch.batchID
            found.append(discrepancy)
        }
        return found
    }

    /// The response for `period` with the ledger named `ledgerSource`.
    public func response(period: Period, ledgerSource: String) -> ReconcileResponse {
        var response = ReconcileResponse()
        response.period = period
        response.ledgerSource = ledgerSource
        response.lines = lines
        response.discrepancies = discrepancies
        response.balanced = response.discrepancies.isEmpty
        return response
    }

    private static func discrepancy(_ kind: String, _ key: ReconcileKey, expected: Int64, actual: Int64) -> Discrepancy {
        var discrepancy = Discrepancy()
        discrepancy.kind = kind
        discrepancy.tenantID = key.tenantID
        discrepancy.providerID = key.providerID
        discrepancy.currency = key.currency
        discrepancy.expectedMicros = expected
        discrepancy.actualMicros = actual
        discrepancy.differenceMicros = actual &- expected
        return discrepancy
    }
}
