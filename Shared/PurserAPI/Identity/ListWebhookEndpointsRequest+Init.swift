extension ListWebhookEndpointsRequest {
    public init(tenantID: String = "", pageSize: Int32 = 0, pageToken: String = "") {
        self.init()
        self.tenantID = tenantID
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}
