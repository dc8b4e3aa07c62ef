extension SetAgentPolicyRequest {
    public init(tenantID: String, agentID: String, documentJSON: String, expectedVersion: Int64? = nil) {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.documentJSON = documentJSON
        self.expectedVersion = expectedVersion
    }
}
