extension ListMessagesRequest {
    public init(tenantID: String, agentID: String = "", sinceUs: Int64 = 0, aliasID: String = "",
                pageSize: Int32 = 0, pageToken: String = "") {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.sinceUs = sinceUs
        self.aliasID = aliasID
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}
