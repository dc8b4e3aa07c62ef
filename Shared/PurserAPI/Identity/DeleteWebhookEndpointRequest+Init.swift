extension DeleteWebhookEndpointRequest {
    public init(tenantID: String = "", endpointID: String) {
        self.init()
        self.tenantID = tenantID
        self.endpointID = endpointID
    }
}
