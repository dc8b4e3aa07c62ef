extension CreateWebhookEndpointRequest {
    public init(tenantID: String = "", url: String, eventTypes: [String] = [], description: String = "") {
        self.init()
        self.tenantID = tenantID
        self.url = url
        self.eventTypes = eventTypes
        self.description = description
    }
}
