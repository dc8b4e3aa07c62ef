import PurserWire

/// `purser.wallet.v1.PolicyChangedNotice`: a tenant's policies now stand at
/// `epoch` (service `policy` only).
public struct PolicyChangedNotice: WireMessage, Hashable {
    public var tenantID: String = ""
    public var epoch: Int64 = 0
    public init() {}

    /// The notice that `tenantID`'s policies stand at `epoch`.
    public init(tenantID: String, epoch: Int64) {
        self.tenantID = tenantID
        self.epoch = epoch
    }

    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &epoch)
    }
}

/// `purser.wallet.v1.PolicyChangedResponse`: the epoch the Wallet holds for the tenant.
public struct PolicyChangedResponse: WireMessage, Hashable {
    public var epoch: Int64 = 0
    public init() {}

    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &epoch)
    }
}
