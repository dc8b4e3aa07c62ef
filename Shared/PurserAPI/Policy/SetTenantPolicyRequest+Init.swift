extension SetTenantPolicyRequest {
    public init(tenantID: String, documentJSON: String, expectedVersion: Int64? = nil) {
        self.init()
        self.tenantID = tenantID
        self.documentJSON = documentJSON
        self.expectedVersion = expectedVersion
    }
}
