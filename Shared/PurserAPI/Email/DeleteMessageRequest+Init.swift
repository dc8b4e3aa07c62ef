extension DeleteMessageRequest {
    public init(tenantID: String, messageID: String) {
        self.init()
        self.tenantID = tenantID
        self.messageID = messageID
    }
}
