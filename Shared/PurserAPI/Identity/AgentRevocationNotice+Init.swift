extension AgentRevocationNotice {
    public init(tenantID: String, agentID: String, reason: String, revokedAtUs: Int64) {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.reason = reason
        self.revokedAtUs = revokedAtUs
    }
}
