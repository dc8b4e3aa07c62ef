extension RotateAgentSecretRequest {
    public init(tenantID: String, agentID: String, gracePeriodUs: Int64 = 0) {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.gracePeriodUs = gracePeriodUs
    }
}
