extension GetTenantStatementRequest {
    public init(tenantID: String, period: Period) {
        self.init()
        self.tenantID = tenantID
        self.period = period
    }
}
