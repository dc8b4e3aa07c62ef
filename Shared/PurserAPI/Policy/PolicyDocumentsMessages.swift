import PurserWire

/// `purser.policy.v1.SetTenantPolicyRequest`.
public struct SetTenantPolicyRequest: WireMessage {
    public var tenantID = ""
    /// The policy document as JSON; amounts are decimal strings.
    public var documentJSON = ""
    /// When set, the current version must be exactly this (0 = no document yet).
    public var expectedVersion: Int64?
    public init() {}
    public init(tenantID: String, documentJSON: String, expectedVersion: Int64? = nil) {
        self.tenantID = tenantID
        self.documentJSON = documentJSON
        self.expectedVersion = expectedVersion
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &documentJSON)
        try t.field(3, &expectedVersion)
    }
}

/// `purser.policy.v1.SetAgentPolicyRequest`.
public struct SetAgentPolicyRequest: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    public var documentJSON = ""
    /// When set, the current version must be exactly this (0 = no document yet).
    public var expectedVersion: Int64?
    public init() {}
    public init(tenantID: String, agentID: String, documentJSON: String, expectedVersion: Int64? = nil) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.documentJSON = documentJSON
        self.expectedVersion = expectedVersion
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &documentJSON)
        try t.field(4, &expectedVersion)
    }
}

/// `purser.policy.v1.PolicyVersion`: one stored version of a document.
public struct PolicyVersion: WireMessage {
    public var tenantID = ""
    /// Empty for the tenant default.
    public var agentID = ""
    public var level = PolicyLevel.unspecified
    public var version: Int64 = 0
    /// The document as stored (normalised JSON).
    public var documentJSON = ""
    /// `<role>:<token subject>` of whoever stored it.
    public var author = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &level)
        try t.field(4, &version)
        try t.field(5, &documentJSON)
        try t.field(6, &author)
        try t.field(7, &createdAtUs)
    }
}

/// `purser.policy.v1.ListPolicyVersionsRequest`.
public struct ListPolicyVersionsRequest: WireMessage {
    public var tenantID = ""
    /// Empty for the tenant default.
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

/// `purser.policy.v1.ListPolicyVersionsResponse`: newest first.
public struct ListPolicyVersionsResponse: WireMessage {
    public var versions: [PolicyVersion] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &versions)
        try t.field(2, &nextPageToken)
    }
}
