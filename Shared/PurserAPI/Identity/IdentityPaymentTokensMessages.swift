import PurserWire

/// `purser.identity.v1.IssuePaymentTokenRequest`: the payee, the most the token
/// may pay in all, its lifetime and whether it pays once.
public struct IssuePaymentTokenRequest: WireMessage {
    /// The provider the token pays (its only audience).
    public var providerID = ""
    /// The most micros every charge under the token may take together (> 0).
    public var maxAmountMicros: Int64 = 0
    /// Lifetime in seconds; 0 = the longest allowed (the Wallet's longest hold).
    public var ttlSeconds: Int32 = 0
    /// True: the token pays at most once.
    public var singleUse = false
    public init() {}
    public init(providerID: String, maxAmountMicros: Int64, ttlSeconds: Int32 = 0, singleUse: Bool = false) {
        self.providerID = providerID
        self.maxAmountMicros = maxAmountMicros
        self.ttlSeconds = ttlSeconds
        self.singleUse = singleUse
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &providerID)
        try t.field(2, &maxAmountMicros)
        try t.field(3, &ttlSeconds)
        try t.field(4, &singleUse)
    }
}

/// `purser.identity.v1.IssuePaymentTokenResponse`: the token to hand to the provider.
public struct IssuePaymentTokenResponse: WireMessage {
    /// Compact JWS (EdDSA); the provider sends it as `agent-authorization: Bearer <token>`.
    public var token = ""
    /// The token's `jti`.
    public var tokenID = ""
    public var expiresAtUs: Int64 = 0
    /// `provider:<provider id>`.
    public var audience = ""
    public var maxAmountMicros: Int64 = 0
    public var singleUse = false
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &token)
        try t.field(2, &tokenID)
        try t.field(3, &expiresAtUs)
        try t.field(4, &audience)
        try t.field(5, &maxAmountMicros)
        try t.field(6, &singleUse)
    }
}
