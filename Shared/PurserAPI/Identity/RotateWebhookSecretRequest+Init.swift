extension RotateWebhookSecretRequest {
    public init(tenantID: String = "", endpointID: String, overlapSeconds: Int64 = 0) {
        self.init()
        self.tenantID = tenantID
        self.endpointID = endpointID
        self.overlapSeconds = overlapSeconds
    }
}
