extension ListTenantBatchesRequest {
    public init(tenantID: String = "", state: BatchState = .unspecified, period: Period? = nil, pageSize: Int32 = 0,
                pageToken: String = "") {
        self.init()
        self.tenantID = tenantID
        self.state = state
        self.period = period
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}
