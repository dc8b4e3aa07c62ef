import PurserWire

/// `purser.email.v1.Alias`: one address of an agent with its counters.
public struct Alias: WireMessage, Hashable {
    public var id = ""
    public var tenantID = ""
    public var agentID = ""
    /// Lowercase `local@domain`.
    public var address = ""
    public var kind = AliasKind.unspecified
    public var status = AliasStatus.unspecified
    /// `disabled` (DisableAlias) or `agent_revoked`; empty while enabled.
    public var disabledReason = ""
    public var receivedCount: Int64 = 0
    /// Deliveries refused because the alias was disabled.
    public var rejectedCount: Int64 = 0
    /// 0 = never.
    public var lastReceivedAtUs: Int64 = 0
    public var createdAtUs: Int64 = 0
    public var updatedAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &id)
        try t.field(2, &tenantID)
        try t.field(3, &agentID)
        try t.field(4, &address)
        try t.field(5, &kind)
        try t.field(6, &status)
        try t.field(7, &disabledReason)
        try t.field(8, &receivedCount)
        try t.field(9, &rejectedCount)
        try t.field(10, &lastReceivedAtUs)
        try t.field(11, &createdAtUs)
        try t.field(12, &updatedAtUs)
    }
}

/// `purser.email.v1.CreateAliasRequest`.
public struct CreateAliasRequest: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    /// PRIMARY (or UNSPECIFIED with an empty `localPart`), CUSTOM or RANDOM.
    public var kind = AliasKind.unspecified
    /// CUSTOM only.
    public var localPart = ""
    public init() {}
    public init(tenantID: String, agentID: String, kind: AliasKind = .primary, localPart: String = "") {
        self.tenantID = tenantID
        self.agentID = agentID
        self.kind = kind
        self.localPart = localPart
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &kind)
        try t.field(4, &localPart)
    }
}

/// `purser.email.v1.ListAliasesRequest`.
public struct ListAliasesRequest: WireMessage {
    public var tenantID = ""
    /// Empty: every alias of the tenant (tenant admin only).
    public var agentID = ""
    public var pageSize: Int32 = 0
    public var pageToken = ""
    public init() {}
    public init(tenantID: String, agentID: String = "", pageSize: Int32 = 0, pageToken: String = "") {
        self.tenantID = tenantID
        self.agentID = agentID
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &pageSize)
        try t.field(4, &pageToken)
    }
}

/// `purser.email.v1.ListAliasesResponse`.
public struct ListAliasesResponse: WireMessage {
    public var aliases: [Alias] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &aliases)
        try t.field(2, &nextPageToken)
    }
}

/// `purser.email.v1.DisableAliasRequest`.
public struct DisableAliasRequest: WireMessage {
    public var tenantID = ""
    public var aliasID = ""
    public init() {}
    public init(tenantID: String, aliasID: String) {
        self.tenantID = tenantID
        self.aliasID = aliasID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &aliasID)
    }
}

/// `purser.email.v1.EnableAliasRequest`.
public struct EnableAliasRequest: WireMessage {
    public var tenantID = ""
    public var aliasID = ""
    public init() {}
    public init(tenantID: String, aliasID: String) {
        self.tenantID = tenantID
        self.aliasID = aliasID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &aliasID)
    }
}

/// `purser.email.v1.DisableAgentResponse`: the acknowledgement of an `AgentRevocationNotice`.
public struct DisableAgentResponse: WireMessage {
    /// Aliases this notice disabled (0 for a repeat).
    public var disabledAliases: Int32 = 0
    public init() {}
    public init(disabledAliases: Int32) { self.disabledAliases = disabledAliases }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &disabledAliases)
    }
}
