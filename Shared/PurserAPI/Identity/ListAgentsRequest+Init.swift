extension ListAgentsRequest {
    public init(tenantID: String, pageSize: Int32 = 0, pageToken: String = "", status: AgentStatus = .unspecified) {
        self.init()
        self.tenantID = tenantID
        self.pageSize = pageSize
        self.pageToken = pageToken
        self.status = status
    }
}
