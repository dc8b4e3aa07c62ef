import PurserWire

/// `purser.settlement.v1.Period`: `[startAtUs, endAtUs)`, both at 00:00:00 UTC.
public struct Period: WireMessage, Hashable {
    public var startAtUs: Int64 = 0
    public var endAtUs: Int64 = 0
    public init() {}
    public init(startAtUs: Int64, endAtUs: Int64) {
        self.startAtUs = startAtUs
        self.endAtUs = endAtUs
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &startAtUs)
        try t.field(2, &endAtUs)
    }
}

/// `purser.settlement.v1.BatchLine`: captures minus refunds of one agent in one
/// category on one day, inside a batch.
public struct BatchLine: WireMessage, Hashable {
    public var agentID = ""
    public var category = ""
    /// 00:00:00 UTC of the day the entries occurred on.
    public var dayAtUs: Int64 = 0
    /// Entries of an earlier period that arrived after it was closed.
    public var adjustment = false
    public var captureMicros: Int64 = 0
    public var refundMicros: Int64 = 0
    public var netMicros: Int64 = 0
    public var entryCount: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &agentID)
        try t.field(2, &category)
        try t.field(3, &dayAtUs)
        try t.field(4, &adjustment)
        try t.field(5, &captureMicros)
        try t.field(6, &refundMicros)
        try t.field(7, &netMicros)
        try t.field(8, &entryCount)
    }
}

/// `purser.settlement.v1.Batch`: what one tenant owes one provider in one
/// currency for one period.
public struct Batch: WireMessage {
    public var id = ""
    public var tenantID = ""
    public var providerID = ""
    public var currency = ""
    public var period = Period()
    public var state = BatchState.unspecified
    public var captureMicros: Int64 = 0
    public var refundMicros: Int64 = 0
    /// Captures minus refunds, adjustments included: what the provider is owed.
    public var netMicros: Int64 = 0
    /// The part of `netMicros` from adjustment lines.
    public var adjustmentMicros: Int64 = 0
    public var entryCount: Int64 = 0
    public var externalReference = ""
    public var createdAtUs: Int64 = 0
    public var closedAtUs: Int64 = 0
    public var paidAtUs: Int64 = 0
    /// Filled by `GetBatch` and `GetProviderPayout`; empty in lists.
    public var lines: [BatchLine] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &id)
        try t.field(2, &tenantID)
        try t.field(3, &providerID)
        try t.field(4, &currency)
        try t.field(5, &period)
        try t.field(6, &state)
        try t.field(7, &captureMicros)
        try t.field(8, &refundMicros)
        try t.field(9, &netMicros)
        try t.field(10, &adjustmentMicros)
        try t.field(11, &entryCount)
        try t.field(12, &externalReference)
        try t.field(13, &createdAtUs)
        try t.field(14, &closedAtUs)
        try t.field(15, &paidAtUs)
        try t.field(16, &lines)
    }
}

/// `purser.settlement.v1.RunSettlementRequest`.
public struct RunSettlementRequest: WireMessage {
    public var period = Period()
    public init() {}
    public init(period: Period) { self.period = period }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &period)
    }
}

/// `purser.settlement.v1.RunSettlementResponse`.
public struct RunSettlementResponse: WireMessage {
    public var period = Period()
    /// The period has ended and its batches are closed.
    public var closed = false
    /// `false` when the run found nothing to do.
    public var changed = false
    public var entriesSettled: Int64 = 0
    public var adjustmentsSettled: Int64 = 0
    /// The period's batches after the run, without lines.
    public var batches: [Batch] = []
    /// Batches of the period whose totals do not fit in 64 bits: settled, but
    /// left out of `batches`; reading them answers `total_out_of_range`.
    public var outOfRangeBatchIDs: [String] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &period)
        try t.field(2, &closed)
        try t.field(3, &changed)
        try t.field(4, &entriesSettled)
        try t.field(5, &adjustmentsSettled)
        try t.field(6, &batches)
        try t.field(7, &outOfRangeBatchIDs)
    }
}

/// `purser.settlement.v1.ListBatchesRequest`: filters (empty = any) and paging.
public struct ListBatchesRequest: WireMessage {
    public var tenantID = ""
    public var providerID = ""
    public var state = BatchState.unspecified
    /// When set, only batches whose period lies inside this one.
    public var period: Period? = nil
    public var pageSize: Int32 = 0
    public var pageToken = ""
    public init() {}
    public init(tenantID: String = "", providerID: String = "", state: BatchState = .unspecified,
                period: Period? = nil, pageSize: Int32 = 0, pageToken: String = "") {
        self.tenantID = tenantID
        self.providerID = providerID
        self.state = state
        self.period = period
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &providerID)
        try t.field(3, &state)
        try t.field(4, &period)
        try t.field(5, &pageSize)
        try t.field(6, &pageToken)
    }
}

/// `purser.settlement.v1.ListBatchesResponse`.
public struct ListBatchesResponse: WireMessage {
    public var batches: [Batch] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &batches)
        try t.field(2, &nextPageToken)
    }
}

/// `purser.settlement.v1.GetBatchRequest`.
public struct GetBatchRequest: WireMessage {
    public var batchID = ""
    public init() {}
    public init(batchID: String) { self.batchID = batchID }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &batchID)
    }
}

/// `purser.settlement.v1.MarkBatchPaidRequest`.
public struct MarkBatchPaidRequest: WireMessage {
    public var batchID = ""
    /// The payment's reference in the outside world (bank transfer, on-chain transaction).
    public var externalReference = ""
    public init() {}
    public init(batchID: String, externalReference: String) {
        self.batchID = batchID
        self.externalReference = externalReference
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &batchID)
        try t.field(2, &externalReference)
    }
}
