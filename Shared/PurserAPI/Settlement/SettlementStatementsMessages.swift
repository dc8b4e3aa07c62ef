import PurserWire

/// `purser.settlement.v1.StatementTotal`: totals of one group (an agent, a
/// provider, a category or a day as `YYYY-MM-DD`) in one currency.
public struct StatementTotal: WireMessage, Hashable {
    public var key = ""
    public var currency = ""
    public var captureMicros: Int64 = 0
    public var refundMicros: Int64 = 0
    public var netMicros: Int64 = 0
    public var entryCount: Int64 = 0
    public init() {}
    public init(key: String, currency: String) {
        self.key = key
        self.currency = currency
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &key)
        try t.field(2, &currency)
        try t.field(3, &captureMicros)
        try t.field(4, &refundMicros)
        try t.field(5, &netMicros)
        try t.field(6, &entryCount)
    }
}

/// `purser.settlement.v1.StatementLine`: one agent × provider × category × day × currency.
public struct StatementLine: WireMessage, Hashable {
    public var dayAtUs: Int64 = 0
    public var agentID = ""
    public var providerID = ""
    public var category = ""
    public var currency = ""
    public var captureMicros: Int64 = 0
    public var refundMicros: Int64 = 0
    public var netMicros: Int64 = 0
    public var entryCount: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &dayAtUs)
        try t.field(2, &agentID)
        try t.field(3, &providerID)
        try t.field(4, &category)
        try t.field(5, &currency)
        try t.field(6, &captureMicros)
        try t.field(7, &refundMicros)
        try t.field(8, &netMicros)
        try t.field(9, &entryCount)
    }
}

/// `purser.settlement.v1.GetTenantStatementRequest`.
public struct GetTenantStatementRequest: WireMessage {
    public var tenantID = ""
    public var period = Period()
    public init() {}
    public init(tenantID: String, period: Period) {
        self.tenantID = tenantID
        self.period = period
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &period)
    }
}

/// `purser.settlement.v1.TenantStatement`: every capture and refund of the
/// tenant that occurred in the period, batched or not.
public struct TenantStatement: WireMessage {
    public var tenantID = ""
    public var period = Period()
    /// One per currency (key = currency).
    public var totals: [StatementTotal] = []
    public var byAgent: [StatementTotal] = []
    public var byProvider: [StatementTotal] = []
    public var byCategory: [StatementTotal] = []
    public var byDay: [StatementTotal] = []
    public var lines: [StatementLine] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &period)
        try t.field(3, &totals)
        try t.field(4, &byAgent)
        try t.field(5, &byProvider)
        try t.field(6, &byCategory)
        try t.field(7, &byDay)
        try t.field(8, &lines)
    }
}

/// `purser.settlement.v1.GetProviderPayoutRequest`.
public struct GetProviderPayoutRequest: WireMessage {
    public var providerID = ""
    public var period = Period()
    public init() {}
    public init(providerID: String, period: Period) {
        self.providerID = providerID
        self.period = period
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &providerID)
        try t.field(2, &period)
    }
}

/// `purser.settlement.v1.PayoutTotal`: what is payable to a provider in one currency.
public struct PayoutTotal: WireMessage, Hashable {
    public var currency = ""
    public var netMicros: Int64 = 0
    public var paidMicros: Int64 = 0
    /// Net of closed, unpaid batches.
    public var dueMicros: Int64 = 0
    /// Net of batches still open.
    public var pendingMicros: Int64 = 0
    public init() {}
    public init(currency: String) { self.currency = currency }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &currency)
        try t.field(2, &netMicros)
        try t.field(3, &paidMicros)
        try t.field(4, &dueMicros)
        try t.field(5, &pendingMicros)
    }
}

/// `purser.settlement.v1.ProviderPayout`: a provider's batches (with lines)
/// whose period lies inside the requested one, and their totals.
public struct ProviderPayout: WireMessage {
    public var providerID = ""
    public var period = Period()
    public var totals: [PayoutTotal] = []
    public var batches: [Batch] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &providerID)
        try t.field(2, &period)
        try t.field(3, &totals)
        try t.field(4, &batches)
    }
}
