import PurserWire

/// `purser.wallet.v1.CaptureFeedRequest`.
public struct CaptureFeedRequest: WireMessage {
    /// "" = from the beginning; otherwise a `next_cursor` (or an entry's `cursor`).
    public var cursor: String = ""
    /// 0 = 500; at most 5000.
    public var limit: Int32 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &cursor)
        try t.field(2, &limit)
    }
}

/// `purser.wallet.v1.CaptureFeedEntry`.
public struct CaptureFeedEntry: WireMessage {
    public var entryID: String = ""
    /// LEDGER_ENTRY_KIND_CAPTURE or LEDGER_ENTRY_KIND_REFUND.
    public var kind: LedgerEntryKind = .unspecified
    public var tenantID: String = ""
    public var agentID: String = ""
    public var providerID: String = ""
    public var category: String = ""
    public var amountMicros: Int64 = 0
    public var holdID: String = ""
    public var createdAtUs: Int64 = 0
    public var currency: String = ""
    /// Resume after this entry.
    public var cursor: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entryID)
        try t.field(2, &kind)
        try t.field(3, &tenantID)
        try t.field(4, &agentID)
        try t.field(5, &providerID)
        try t.field(6, &category)
        try t.field(7, &amountMicros)
        try t.field(8, &holdID)
        try t.field(9, &createdAtUs)
        try t.field(10, &currency)
        try t.field(11, &cursor)
    }
}

/// `purser.wallet.v1.CaptureFeedResponse`.
public struct CaptureFeedResponse: WireMessage {
    public var entries: [CaptureFeedEntry] = []
    /// Pass as `cursor` next time (unchanged when nothing new committed).
    public var nextCursor: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entries)
        try t.field(2, &nextCursor)
    }
}
