import PurserWire

/// `purser.settlement.v1.ReconcileRequest`.
public struct ReconcileRequest: WireMessage {
    public var period = Period()
    public init() {}
    public init(period: Period) { self.period = period }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &period)
    }
}

/// `purser.settlement.v1.ReconcileLine`: one tenant × provider × currency; net = captures − refunds.
public struct ReconcileLine: WireMessage, Hashable {
    public var tenantID = ""
    public var providerID = ""
    public var currency = ""
    /// The ledger's total for the period.
    public var ledgerNetMicros: Int64 = 0
    /// What Settlement stored from the capture feed.
    public var recordedNetMicros: Int64 = 0
    /// What Settlement's batches hold for entries of the period.
    public var batchedNetMicros: Int64 = 0
    /// Stored entries of the period not in any batch yet.
    public var unbatchedNetMicros: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &providerID)
        try t.field(3, &currency)
        try t.field(4, &ledgerNetMicros)
        try t.field(5, &recordedNetMicros)
        try t.field(6, &batchedNetMicros)
        try t.field(7, &unbatchedNetMicros)
    }
}

/// `purser.settlement.v1.Discrepancy`: one total that does not agree.
public struct Discrepancy: WireMessage, Hashable {
    /// `ledger_mismatch`, `batch_mismatch` or `batch_total_mismatch`.
    public var kind = ""
    public var tenantID = ""
    public var providerID = ""
    public var currency = ""
    /// Set for `batch_total_mismatch`.
    public var batchID = ""
    public var expectedMicros: Int64 = 0
    public var actualMicros: Int64 = 0
    /// `actualMicros - expectedMicros`.
    public var differenceMicros: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &kind)
        try t.field(2, &tenantID)
        try t.field(3, &providerID)
        try t.field(4, &currency)
        try t.field(5, &batchID)
        try t.field(6, &expectedMicros)
        try t.field(7, &actualMicros)
        try t.field(8, &differenceMicros)
    }
}

/// `purser.settlement.v1.ReconcileResponse`.
public struct ReconcileResponse: WireMessage {
    public var period = Period()
    /// No discrepancy.
    public var balanced = false
    /// Where the ledger totals came from: `wallet` or `feed`.
    public var ledgerSource = ""
    public var lines: [ReconcileLine] = []
    public var discrepancies: [Discrepancy] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &period)
        try t.field(2, &balanced)
        try t.field(3, &ledgerSource)
        try t.field(4, &lines)
        try t.field(5, &discrepancies)
    }
}
