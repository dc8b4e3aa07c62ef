extension ListWebhookDeliveriesRequest {
    public init(
        tenantID: String = "", endpointID: String, status: WebhookDeliveryStatus = .unspecified, pageSize: Int32 = 0,
        pageToken: String = ""
    ) {
        self.init()
        self.tenantID = tenantID
        self.endpointID = endpointID
        self.status = status
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}
