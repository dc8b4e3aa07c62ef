import PurserWire

/// `purser.policy.v1.GetEffectivePolicyRequest`.
public struct GetEffectivePolicyRequest: WireMessage {
    public var tenantID = ""
    /// Empty for the tenant default alone.
    public var agentID = ""
    public init() {}
    public init(tenantID: String, agentID: String = "") {
        self.tenantID = tenantID
        self.agentID = agentID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
    }
}

/// `purser.policy.v1.RuleSourceView`: which document a rule comes from.
public struct RuleSourceView: WireMessage, Hashable {
    public var level = PolicyLevel.unspecified
    public var version: Int64 = 0
    public init() {}
    public init(level: PolicyLevel, version: Int64) {
        self.level = level
        self.version = version
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &level)
        try t.field(2, &version)
    }
}

/// `purser.policy.v1.PerCallMaxView`.
public struct PerCallMaxView: WireMessage {
    public var amountMicros: Int64 = 0
    public var source = RuleSourceView()
    public var rule = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &amountMicros)
        try t.field(2, &source)
        try t.field(3, &rule)
    }
}

/// `purser.policy.v1.EffectiveLimitView`.
public struct EffectiveLimitView: WireMessage {
    /// Counter scope: interval plus sorted categories, e.g. `daily:search`.
    public var limitID = ""
    public var interval = ""
    public var amountMicros: Int64 = 0
    /// 0 = no count cap.
    public var count: Int64 = 0
    /// Empty = all spend.
    public var categories: [String] = []
    public var source = RuleSourceView()
    public var index: Int32 = 0
    public var rule = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &limitID)
        try t.field(2, &interval)
        try t.field(3, &amountMicros)
        try t.field(4, &count)
        try t.field(5, &categories)
        try t.field(6, &source)
        try t.field(7, &index)
        try t.field(8, &rule)
    }
}

/// `purser.policy.v1.AllowListView`.
public struct AllowListView: WireMessage {
    public var names: [String] = []
    public var sources: [RuleSourceView] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &names)
        try t.field(2, &sources)
    }
}

/// `purser.policy.v1.BlockedNameView`.
public struct BlockedNameView: WireMessage {
    public var name = ""
    public var source = RuleSourceView()
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &source)
    }
}

/// `purser.policy.v1.EffectivePolicyView`: the tenant default merged with
/// the agent override, every rule with its source, plus the two documents.
public struct EffectivePolicyView: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    /// 0 when the level has no document.
    public var tenantVersion: Int64 = 0
    public var agentVersion: Int64 = 0
    /// Changes whenever either document or the tenant's time zone changes.
    public var etag = ""
    /// IANA zone in which windows are fixed.
    public var timeZone = ""
    public var perCallMax: PerCallMaxView?
    public var limits: [EffectiveLimitView] = []
    public var allowedCategories: AllowListView?
    public var blockedCategories: [BlockedNameView] = []
    public var allowedProviders: AllowListView?
    public var blockedProviders: [BlockedNameView] = []
    public var tenantDocumentJSON = ""
    public var agentDocumentJSON = ""
    public var policyEpoch: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &tenantVersion)
        try t.field(4, &agentVersion)
        try t.field(5, &etag)
        try t.field(6, &timeZone)
        try t.field(7, &perCallMax)
        try t.field(8, &limits)
        try t.field(9, &allowedCategories)
        try t.field(10, &blockedCategories)
        try t.field(11, &allowedProviders)
        try t.field(12, &blockedProviders)
        try t.field(13, &tenantDocumentJSON)
        try t.field(14, &agentDocumentJSON)
        try t.field(15, &policyEpoch)
    }
}
