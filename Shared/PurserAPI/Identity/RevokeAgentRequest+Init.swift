extension RevokeAgentRequest {
    public init(tenantID: String, agentID: String, reason: String) {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.reason = reason
    }
}
