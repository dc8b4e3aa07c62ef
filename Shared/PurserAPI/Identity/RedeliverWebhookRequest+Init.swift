extension RedeliverWebhookRequest {
    public init(tenantID: String = "", deliveryID: String) {
        self.init()
        self.tenantID = tenantID
        self.deliveryID = deliveryID
    }
}
