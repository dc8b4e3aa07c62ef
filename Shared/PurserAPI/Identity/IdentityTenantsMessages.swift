import PurserWire

/// `purser.identity.v1.Tenant`.
public struct Tenant: WireMessage {
    public var id = ""
    public var slug = ""
    public var name = ""
    public var emailDomain = ""
    /// IANA time zone name, "UTC" unless set.
    public var timeZone = ""
    /// ISO 4217 code, "USD" unless set.
    public var currency = ""
    public var adminCanReadMail = false
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &id)
        try t.field(2, &slug)
        try t.field(3, &name)
        try t.field(4, &emailDomain)
        try t.field(5, &timeZone)
        try t.field(6, &currency)
        try t.field(7, &adminCanReadMail)
        try t.field(8, &createdAtUs)
    }
}

/// `purser.identity.v1.CreateTenantRequest`.
public struct CreateTenantRequest: WireMessage {
    public var slug = ""
    public var name = ""
    public var emailDomain = ""
    public var timeZone = ""
    public var currency = ""
    public var adminCanReadMail = false
    public init() {}
    public init(slug: String, name: String, emailDomain: String = "", timeZone: String = "", currency: String = "", adminCanReadMail: Bool = false) {
        self.slug = slug
        self.name = name
        self.emailDomain = emailDomain
        self.timeZone = timeZone
        self.currency = currency
        self.adminCanReadMail = adminCanReadMail
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &slug)
        try t.field(2, &name)
        try t.field(3, &emailDomain)
        try t.field(4, &timeZone)
        try t.field(5, &currency)
        try t.field(6, &adminCanReadMail)
    }
}

/// `purser.identity.v1.GetTenantRequest`.
public struct GetTenantRequest: WireMessage {
    public var tenantID = ""
    public init() {}
    public init(tenantID: String) { self.tenantID = tenantID }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
    }
}

/// `purser.identity.v1.ListTenantsRequest`.
public struct ListTenantsRequest: WireMessage {
    public var pageSize: Int32 = 0
    public var pageToken = ""
    public init() {}
    public init(pageSize: Int32, pageToken: String = "") {
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &pageSize)
        try t.field(2, &pageToken)
    }
}

/// `purser.identity.v1.ListTenantsResponse`.
public struct ListTenantsResponse: WireMessage {
    public var tenants: [Tenant] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenants)
        try t.field(2, &nextPageToken)
    }
}
