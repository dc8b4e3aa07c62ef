import PurserWire

/// `purser.wallet.v1.AuthorizeRequest`.
public struct AuthorizeRequest: WireMessage {
    public var amountMicros: Int64 = 0
    public var providerID: String = ""
    /// Defaults to the provider's default category.
    public var category: String = ""
    public var taskID: String = ""
    public var description: String = ""
    /// 0 = the default (300 s); at most the configured maximum.
    public var holdTTLSeconds: Int32 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &amountMicros)
        try t.field(2, &providerID)
        try t.field(3, &category)
        try t.field(4, &taskID)
        try t.field(5, &description)
        try t.field(6, &holdTTLSeconds)
    }
}

/// `purser.wallet.v1.AuthorizeResponse`.
public struct AuthorizeResponse: WireMessage {
    public var holdID: String = ""
    public var amountMicros: Int64 = 0
    public var expiresAtUs: Int64 = 0
    public var availableAfterMicros: Int64 = 0
    public var currency: String = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &holdID)
        try t.field(2, &amountMicros)
        try t.field(3, &expiresAtUs)
        try t.field(4, &availableAfterMicros)
        try t.field(5, &currency)
        try t.field(6, &createdAtUs)
    }
}

/// `purser.wallet.v1.CaptureRequest`.
public struct CaptureRequest: WireMessage {
    /// Required for providers (holds are tenant-scoped); agents may leave it empty.
    public var tenantID: String = ""
    public var holdID: String = ""
    /// Absent = the whole hold.
    public var amountMicros: Int64? = nil
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &holdID)
        try t.field(3, &amountMicros)
    }
}

/// `purser.wallet.v1.CaptureResponse`.
public struct CaptureResponse: WireMessage {
    public var holdID: String = ""
    public var entryID: String = ""
    public var capturedMicros: Int64 = 0
    public var releasedMicros: Int64 = 0
    public var availableAfterMicros: Int64 = 0
    public var currency: String = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &holdID)
        try t.field(2, &entryID)
        try t.field(3, &capturedMicros)
        try t.field(4, &releasedMicros)
        try t.field(5, &availableAfterMicros)
        try t.field(6, &currency)
        try t.field(7, &createdAtUs)
    }
}

/// `purser.wallet.v1.VoidRequest`.
public struct VoidRequest: WireMessage {
    public var tenantID: String = ""
    public var holdID: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &holdID)
    }
}

/// `purser.wallet.v1.VoidResponse`.
public struct VoidResponse: WireMessage {
    public var holdID: String = ""
    public var releasedMicros: Int64 = 0
    public var availableAfterMicros: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &holdID)
        try t.field(2, &releasedMicros)
        try t.field(3, &availableAfterMicros)
    }
}

/// `purser.wallet.v1.ChargeRequest`.
public struct ChargeRequest: WireMessage {
    public var amountMicros: Int64 = 0
    public var providerID: String = ""
    public var category: String = ""
    public var taskID: String = ""
    public var description: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &amountMicros)
        try t.field(2, &providerID)
        try t.field(3, &category)
        try t.field(4, &taskID)
        try t.field(5, &description)
    }
}

/// `purser.wallet.v1.ChargeResponse`.
public struct ChargeResponse: WireMessage {
    public var holdID: String = ""
    public var entryID: String = ""
    public var amountMicros: Int64 = 0
    public var availableAfterMicros: Int64 = 0
    public var currency: String = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &holdID)
        try t.field(2, &entryID)
        try t.field(3, &amountMicros)
        try t.field(4, &availableAfterMicros)
        try t.field(5, &currency)
        try t.field(6, &createdAtUs)
    }
}

/// `purser.wallet.v1.RefundRequest`.
public struct RefundRequest: WireMessage {
    public var tenantID: String = ""
    public var holdID: String = ""
    /// Absent = everything captured and not yet refunded.
    public var amountMicros: Int64? = nil
    public var reason: String = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &holdID)
        try t.field(3, &amountMicros)
        try t.field(4, &reason)
    }
}

/// `purser.wallet.v1.RefundResponse`.
public struct RefundResponse: WireMessage {
    public var holdID: String = ""
    public var entryID: String = ""
    public var refundedMicros: Int64 = 0
    public var totalRefundedMicros: Int64 = 0
    public var availableAfterMicros: Int64 = 0
    public var currency: String = ""
    public var createdAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &holdID)
        try t.field(2, &entryID)
        try t.field(3, &refundedMicros)
        try t.field(4, &totalRefundedMicros)
        try t.field(5, &availableAfterMicros)
        try t.field(6, &currency)
        try t.field(7, &createdAtUs)
    }
}
