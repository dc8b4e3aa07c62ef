import PurserWire

/// `purser.wallet.v1.GetBalanceRequest`.
public struct GetBalanceRequest: WireMessage {
    /// The agent whose account to read; empty = the caller itself for an agent, the tenant's treasury for admin and finance.
    public var agentID: String = ""
    /// Required for the operator.
    public var tenantID: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &agentID)
        try t.field(2, &tenantID)
    }
}

/// `purser.wallet.v1.WalletBalance`.
public struct WalletBalance: WireMessage {
    public var accountID: String = ""
    /// Empty for the treasury.
    public var agentID: String = ""
    public var balanceMicros: Int64 = 0
    public var heldMicros: Int64 = 0
    public var availableMicros: Int64 = 0
    public var currency: String = ""
    public var asOfUs: Int64 = 0
    public var status: AccountStatus = .unspecified
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &accountID)
        try t.field(2, &agentID)
        try t.field(3, &balanceMicros)
        try t.field(4, &heldMicros)
        try t.field(5, &availableMicros)
        try t.field(6, &currency)
        try t.field(7, &asOfUs)
        try t.field(8, &status)
    }
}
