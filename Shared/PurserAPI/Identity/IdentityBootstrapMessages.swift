import PurserWire

/// `purser.identity.v1.BootstrapRequest`.
public struct BootstrapRequest: WireMessage {
    public var label = ""
    public init() {}
    public init(label: String) { self.label = label }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &label)
    }
}

/// `purser.identity.v1.BootstrapResponse`: the first operator key; the secret is shown once.
public struct BootstrapResponse: WireMessage {
    public var keyID = ""
    public var secret = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &keyID)
        try t.field(2, &secret)
        try t.field(3, &createdAtUs)
    }
}
