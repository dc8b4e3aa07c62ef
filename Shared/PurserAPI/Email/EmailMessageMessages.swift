import PurserWire

/// `purser.email.v1.Header`: one header field, unfolded.
public struct MailHeaderField: WireMessage, Hashable {
    public var name = ""
    public var value = ""
    public init() {}
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &value)
    }
}

/// `purser.email.v1.Message`: one stored message of one alias. Lists carry
/// the summary only; `GetMessage` adds headers, plain text and raw bytes.
public struct EmailMessage: WireMessage, Hashable {
    public var id = ""
    public var tenantID = ""
    public var agentID = ""
    public var aliasID = ""
    /// The alias address the message was delivered to.
    public var recipient = ""
    /// Envelope reverse path; empty for the null sender.
    public var envelopeFrom = ""
    /// The name the client gave in EHLO/HELO.
    public var clientName = ""
    public var receivedOverTLS = false
    public var from = ""
    public var to = ""
    public var subject = ""
    public var date = ""
    public var messageID = ""
    public var sizeBytes: Int64 = 0
    public var receivedAtUs: Int64 = 0
    public var headers: [MailHeaderField] = []
    public var plainText = ""
    public var raw: [UInt8] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &id)
        try t.field(2, &tenantID)
        try t.field(3, &agentID)
        try t.field(4, &aliasID)
        try t.field(5, &recipient)
        try t.field(6, &envelopeFrom)
        try t.field(7, &clientName)
        try t.field(8, &receivedOverTLS)
        try t.field(9, &from)
        try t.field(10, &to)
        try t.field(11, &subject)
        try t.field(12, &date)
        try t.field(13, &messageID)
        try t.field(14, &sizeBytes)
        try t.field(15, &receivedAtUs)
        try t.field(16, &headers)
        try t.field(17, &plainText)
        try t.field(18, &raw)
    }
}

/// `purser.email.v1.ListMessagesRequest`.
public struct ListMessagesRequest: WireMessage {
    public var tenantID = ""
    /// Empty for an agent caller: itself.
    public var agentID = ""
    /// Only messages received at or after this time (0 = all).
    public var sinceUs: Int64 = 0
    /// Only messages delivered to this alias (empty = all of the agent's).
    public var aliasID = ""
    public var pageSize: Int32 = 0
    public var pageToken = ""
    public init() {}
    public init(tenantID: String, agentID: String = "", sinceUs: Int64 = 0, aliasID: String = "",
                pageSize: Int32 = 0, pageToken: String = "") {
        self.tenantID = tenantID
        self.agentID = agentID
        self.sinceUs = sinceUs
        self.aliasID = aliasID
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &sinceUs)
        try t.field(4, &aliasID)
        try t.field(5, &pageSize)
        try t.field(6, &pageToken)
    }
}

/// `purser.email.v1.ListMessagesResponse`.
public struct ListMessagesResponse: WireMessage {
    public var messages: [EmailMessage] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &messages)
        try t.field(2, &nextPageToken)
    }
}

/// `purser.email.v1.GetMessageRequest`.
public struct GetMessageRequest: WireMessage {
    public var tenantID = ""
    public var messageID = ""
    public init() {}
    public init(tenantID: String, messageID: String) {
        self.tenantID = tenantID
        self.messageID = messageID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &messageID)
    }
}

/// `purser.email.v1.DeleteMessageRequest`.
public struct DeleteMessageRequest: WireMessage {
    public var tenantID = ""
    public var messageID = ""
    public init() {}
    public init(tenantID: String, messageID: String) {
        self.tenantID = tenantID
        self.messageID = messageID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &messageID)
    }
}

/// `purser.email.v1.DeleteMessageResponse`: empty.
public struct DeleteMessageResponse: WireMessage {
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {}
}
