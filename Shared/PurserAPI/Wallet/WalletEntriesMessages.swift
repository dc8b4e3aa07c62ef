import PurserWire

/// `purser.wallet.v1.ListEntriesRequest`.
public struct ListEntriesRequest: WireMessage {
    /// Required for the operator.
    public var tenantID: String = ""
    /// An agent id, a provider id, "treasury" or "funding"; empty = every account (an agent always reads its own account).
    public var accountID: String = ""
    public var kind: LedgerEntryKind = .unspecified
    /// Inclusive lower and exclusive upper bound on created_at_us; 0 = unbounded.
    public var fromUs: Int64 = 0
    public var untilUs: Int64 = 0
    public var pageSize: Int32 = 0
    public var pageToken: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &accountID)
        try t.field(3, &kind)
        try t.field(4, &fromUs)
        try t.field(5, &untilUs)
        try t.field(6, &pageSize)
        try t.field(7, &pageToken)
    }
}

/// `purser.wallet.v1.WalletEntry`.
public struct WalletEntry: WireMessage {
    public var entryID: String = ""
    public var kind: LedgerEntryKind = .unspecified
    public var debitAccount: String = ""
    public var creditAccount: String = ""
    public var amountMicros: Int64 = 0
    public var currency: String = ""
    public var agentID: String = ""
    public var providerID: String = ""
    public var category: String = ""
    public var holdID: String = ""
    public var externalReference: String = ""
    public var description: String = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entryID)
        try t.field(2, &kind)
        try t.field(3, &debitAccount)
        try t.field(4, &creditAccount)
        try t.field(5, &amountMicros)
        try t.field(6, &currency)
        try t.field(7, &agentID)
        try t.field(8, &providerID)
        try t.field(9, &category)
        try t.field(10, &holdID)
        try t.field(11, &externalReference)
        try t.field(12, &description)
        try t.field(13, &createdAtUs)
    }
}

/// `purser.wallet.v1.ListEntriesResponse`.
public struct ListEntriesResponse: WireMessage {
    /// Newest first.
    public var entries: [WalletEntry] = []
    public var nextPageToken: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entries)
        try t.field(2, &nextPageToken)
    }
}
