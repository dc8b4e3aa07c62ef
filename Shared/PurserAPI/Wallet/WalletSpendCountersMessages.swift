import PurserWire

/// `purser.wallet.v1.SpendCounterKey`: one counter, by Policy's limit id and window key.
public struct SpendCounterKey: WireMessage, Hashable {
    public var limitID: String = ""
    public var windowKey: String = ""
    public init() {}

    /// The counter of `limitID` in `windowKey`.
    public init(limitID: String, windowKey: String) {
        self.limitID = limitID
        self.windowKey = windowKey
    }

    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &limitID)
        try t.field(2, &windowKey)
    }
}

/// `purser.wallet.v1.GetSpendCountersRequest`: the counters of one agent (service `policy` only).
public struct GetSpendCountersRequest: WireMessage {
    public var tenantID: String = ""
    public var agentID: String = ""
    /// At most `maximumKeys` keys.
    public var keys: [SpendCounterKey] = []
    public init() {}

    /// Most keys one request may name.
    public static let maximumKeys = 256

    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &keys)
    }
}

/// `purser.wallet.v1.SpendCounter`: what the ledger has counted under one key.
public struct SpendCounter: WireMessage, Hashable {
    public var limitID: String = ""
    public var windowKey: String = ""
    public var spentMicros: Int64 = 0
    public var count: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &limitID)
        try t.field(2, &windowKey)
        try t.field(3, &spentMicros)
        try t.field(4, &count)
    }
}

/// `purser.wallet.v1.GetSpendCountersResponse`: one counter per requested key,
/// in request order; a key nothing was counted under answers zeros.
public struct GetSpendCountersResponse: WireMessage {
    public var counters: [SpendCounter] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &counters)
    }
}
