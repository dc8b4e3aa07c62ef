import PurserWire

/// `purser.identity.v1.Provider`: a paid API that receives money; global.
public struct Provider: WireMessage {
    public var id = ""
    public var slug = ""
    public var name = ""
    public var defaultCategory = ""
    public var createdAtUs: Int64 = 0
    /// The other categories the provider may be paid under.
    public var categories: [String] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &id)
        try t.field(2, &slug)
        try t.field(3, &name)
        try t.field(4, &defaultCategory)
        try t.field(5, &createdAtUs)
        try t.field(6, &categories)
    }
}

/// `purser.identity.v1.RegisterProviderRequest`.
public struct RegisterProviderRequest: WireMessage {
    public var slug = ""
    public var name = ""
    public var defaultCategory = ""
    public var categories: [String] = []
    public init() {}
    public init(slug: String, name: String, defaultCategory: String = "", categories: [String] = []) {
        self.slug = slug
        self.name = name
        self.defaultCategory = defaultCategory
        self.categories = categories
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &slug)
        try t.field(2, &name)
        try t.field(3, &defaultCategory)
        try t.field(4, &categories)
    }
}

/// `purser.identity.v1.RegisterProviderResponse`: the provider and its secret, shown once.
public struct RegisterProviderResponse: WireMessage {
    public var provider = Provider()
    public var secret = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &provider)
        try t.field(2, &secret)
    }
}

/// `purser.identity.v1.GetProviderRequest`.
public struct GetProviderRequest: WireMessage {
    public var providerID = ""
    public init() {}
    public init(providerID: String) { self.providerID = providerID }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &providerID)
    }
}

/// `purser.identity.v1.ListProvidersRequest`.
public struct ListProvidersRequest: WireMessage {
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

/// `purser.identity.v1.ListProvidersResponse`.
public struct ListProvidersResponse: WireMessage {
    public var providers: [Provider] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &providers)
        try t.field(2, &nextPageToken)
    }
}

/// `purser.identity.v1.RotateProviderSecretRequest`.
public struct RotateProviderSecretRequest: WireMessage {
    public var providerID = ""
    /// How long the previous secret keeps working; 0 = it stops now.
    public var gracePeriodUs: Int64 = 0
    public init() {}
    public init(providerID: String, gracePeriodUs: Int64 = 0) {
        self.providerID = providerID
        self.gracePeriodUs = gracePeriodUs
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &providerID)
        try t.field(2, &gracePeriodUs)
    }
}
