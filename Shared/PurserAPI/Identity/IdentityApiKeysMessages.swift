import PurserWire

/// `purser.identity.v1.ApiKey`: a tenant API key, never its secret.
public struct ApiKey: WireMessage {
    public var id = ""
    public var tenantID = ""
    public var role = ApiKeyRole.unspecified
    public var label = ""
    public var createdAtUs: Int64 = 0
    /// 0 = never expires.
    public var expiresAtUs: Int64 = 0
    /// 0 = not revoked.
    public var revokedAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &id)
        try t.field(2, &tenantID)
        try t.field(3, &role)
        try t.field(4, &label)
        try t.field(5, &createdAtUs)
        try t.field(6, &expiresAtUs)
        try t.field(7, &revokedAtUs)
    }
}

/// `purser.identity.v1.CreateApiKeyRequest`.
public struct CreateApiKeyRequest: WireMessage {
    public var tenantID = ""
    public var role = ApiKeyRole.unspecified
    public var label = ""
    /// 0 = never expires; otherwise in the future.
    public var expiresAtUs: Int64 = 0
    public init() {}
    public init(tenantID: String, role: ApiKeyRole, label: String = "", expiresAtUs: Int64 = 0) {
        self.tenantID = tenantID
        self.role = role
        self.label = label
        self.expiresAtUs = expiresAtUs
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &role)
        try t.field(3, &label)
        try t.field(4, &expiresAtUs)
    }
}

/// `purser.identity.v1.CreateApiKeyResponse`: the key and its secret, shown once.
public struct CreateApiKeyResponse: WireMessage {
    public var key = ApiKey()
    public var secret = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &key)
        try t.field(2, &secret)
    }
}

/// `purser.identity.v1.ListApiKeysRequest`.
public struct ListApiKeysRequest: WireMessage {
    public var tenantID = ""
    public var pageSize: Int32 = 0
    public var pageToken = ""
    public init() {}
    public init(tenantID: String, pageSize: Int32 = 0, pageToken: String = "") {
        self.tenantID = tenantID
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &pageSize)
        try t.field(3, &pageToken)
    }
}

/// `purser.identity.v1.ListApiKeysResponse`.
public struct ListApiKeysResponse: WireMessage {
    public var keys: [ApiKey] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &keys)
        try t.field(2, &nextPageToken)
    }
}

/// `purser.identity.v1.RevokeApiKeyRequest`.
public struct RevokeApiKeyRequest: WireMessage {
    public var tenantID = ""
    public var keyID = ""
    public init() {}
    public init(tenantID: String, keyID: String) {
        self.tenantID = tenantID
        self.keyID = keyID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &keyID)
    }
}
