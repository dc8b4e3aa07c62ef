import PurserWire

/// `purser.wallet.v1.AuditLedgerRequest`.
public struct AuditLedgerRequest: WireMessage {
    /// The operator may leave it empty to audit every tenant.
    public var tenantID: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
    }
}

/// `purser.wallet.v1.LedgerDiscrepancy`.
public struct LedgerDiscrepancy: WireMessage {
    public var tenantID: String = ""
    /// e.g. balance_equals_entries, held_equals_pending_holds, tenant_sums_to_zero.
    public var check: String = ""
    public var subject: String = ""
    public var expected: Int64 = 0
    public var actual: Int64 = 0
    /// The expected or the actual amount does not fit in 64 bits (both are then 0).
    public var outOfRange = false
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &check)
        try t.field(3, &subject)
        try t.field(4, &expected)
        try t.field(5, &actual)
        try t.field(6, &outOfRange)
    }
}

/// `purser.wallet.v1.AuditLedgerResponse`.
public struct AuditLedgerResponse: WireMessage {
    public var discrepancies: [LedgerDiscrepancy] = []
    public var clean: Bool = false
    public var checkedAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &discrepancies)
        try t.field(2, &clean)
        try t.field(3, &checkedAtUs)
    }
}
