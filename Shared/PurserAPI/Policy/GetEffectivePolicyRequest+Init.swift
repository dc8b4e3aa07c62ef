extension GetEffectivePolicyRequest {
    public init(tenantID: String, agentID: String = "") {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
    }
}
