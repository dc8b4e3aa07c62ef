extension ListAliasesRequest {
    public init(tenantID: String, agentID: String = "", pageSize: Int32 = 0, pageToken: String = "") {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}
