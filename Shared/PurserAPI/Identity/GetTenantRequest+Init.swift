extension GetTenantRequest {
    public init(tenantID: String) {
        self.init()
        self.tenantID = tenantID
    }
}
