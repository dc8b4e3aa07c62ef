import PurserWire

/// `purser.wallet.v1.FundRequest`.
public struct FundRequest: WireMessage {
    /// Required for the operator; a tenant admin may leave it empty (its own tenant).
    public var tenantID: String = ""
    public var amountMicros: Int64 = 0
    public var externalReference: String = ""
    public var description: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &amountMicros)
        try t.field(3, &externalReference)
        try t.field(4, &description)
    }
}

/// `purser.wallet.v1.FundResponse`.
public struct FundResponse: WireMessage {
    public var entryID: String = ""
    public var amountMicros: Int64 = 0
    public var treasuryBalanceMicros: Int64 = 0
    public var currency: String = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entryID)
        try t.field(2, &amountMicros)
        try t.field(3, &treasuryBalanceMicros)
        try t.field(4, &currency)
        try t.field(5, &createdAtUs)
    }
}

/// `purser.wallet.v1.AllocateRequest`.
public struct AllocateRequest: WireMessage {
    public var agentID: String = ""
    public var amountMicros: Int64 = 0
    public var description: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &agentID)
        try t.field(2, &amountMicros)
        try t.field(3, &description)
    }
}

/// `purser.wallet.v1.ReclaimRequest`.
public struct ReclaimRequest: WireMessage {
    public var agentID: String = ""
    public var amountMicros: Int64 = 0
    public var description: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &agentID)
        try t.field(2, &amountMicros)
        try t.field(3, &description)
    }
}

/// `purser.wallet.v1.TransferResponse`.
public struct TransferResponse: WireMessage {
    public var entryID: String = ""
    public var amountMicros: Int64 = 0
    public var agentBalanceMicros: Int64 = 0
    public var agentAvailableMicros: Int64 = 0
    public var treasuryBalanceMicros: Int64 = 0
    public var currency: String = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entryID)
        try t.field(2, &amountMicros)
        try t.field(3, &agentBalanceMicros)
        try t.field(4, &agentAvailableMicros)
        try t.field(5, &treasuryBalanceMicros)
        try t.field(6, &currency)
        try t.field(7, &createdAtUs)
    }
}
