import PurserWire

/// `purser.identity.v1.ListRevocationsRequest`.
public struct ListRevocationsRequest: WireMessage {
    /// 0 = from the beginning; otherwise the cursor of the last entry seen.
    public var since: Int64 = 0
    public var pageSize: Int32 = 0
    public init() {}
    public init(since: Int64, pageSize: Int32 = 0) {
        self.since = since
        self.pageSize = pageSize
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &since)
        try t.field(2, &pageSize)
    }
}

/// `purser.identity.v1.RevokedSubject`: a token subject whose tokens must be refused.
public struct RevokedSubject: WireMessage {
    public var cursor: Int64 = 0
    /// Agent id or API key id (a token's `sub`).
    public var subject = ""
    public var tenantID = ""
    public var reason = ""
    public var revokedAtUs: Int64 = 0
    /// After this no unexpired token of the subject can exist.
    public var expiresAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &cursor)
        try t.field(2, &subject)
        try t.field(3, &tenantID)
        try t.field(4, &reason)
        try t.field(5, &revokedAtUs)
        try t.field(6, &expiresAtUs)
    }
}

/// `purser.identity.v1.ListRevocationsResponse`.
public struct ListRevocationsResponse: WireMessage {
    public var revocations: [RevokedSubject] = []
    /// The cursor to pass as `since` next time.
    public var nextCursor: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &revocations)
        try t.field(2, &nextCursor)
    }
}
