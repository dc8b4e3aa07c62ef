import PurserWire

/// `purser.wallet.v1.LedgerTotalsRequest`.
public struct LedgerTotalsRequest: WireMessage {
    /// The period `[startAtUs, endAtUs)`: entries created at or after the start and before the end.
    public var startAtUs: Int64 = 0
    public var endAtUs: Int64 = 0
    /// The operator and the `settlement` service may leave it empty for every tenant.
    public var tenantID: String = ""
    public init() {}

    /// The totals of `[startAtUs, endAtUs)`, of `tenantID` ("" = every tenant the caller may read).
    public init(startAtUs: Int64, endAtUs: Int64, tenantID: String = "") {
        self.startAtUs = startAtUs
        self.endAtUs = endAtUs
        self.tenantID = tenantID
    }

    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &startAtUs)
        try t.field(2, &endAtUs)
        try t.field(3, &tenantID)
    }
}

/// `purser.wallet.v1.LedgerTotalsLine`: the captures and refunds of one
/// tenant × provider × currency in the period.
public struct LedgerTotalsLine: WireMessage, Hashable {
    public var tenantID: String = ""
    public var providerID: String = ""
    public var currency: String = ""
    public var captureMicros: Int64 = 0
    public var refundMicros: Int64 = 0
    /// The captures or refunds do not fit in 64 bits (both amounts are then 0).
    public var outOfRange = false
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &providerID)
        try t.field(3, &currency)
        try t.field(4, &captureMicros)
        try t.field(5, &refundMicros)
        try t.field(6, &outOfRange)
    }
}

/// `purser.wallet.v1.LedgerTotalsResponse`.
public struct LedgerTotalsResponse: WireMessage {
    /// Ordered by tenant, provider and currency.
    public var lines: [LedgerTotalsLine] = []
    public var startAtUs: Int64 = 0
    public var endAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &lines)
        try t.field(2, &startAtUs)
        try t.field(3, &endAtUs)
    }
}
