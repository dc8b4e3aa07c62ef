extension UpdateTenantSettingsRequest {
    /// The settings to change of tenant `tenantID`; a setting left `nil` keeps its value.
    public init(tenantID: String, acceptsPaymentsFromOtherTenants: Bool? = nil) {
        self.init()
        self.tenantID = tenantID
        self.acceptsPaymentsFromOtherTenants = acceptsPaymentsFromOtherTenants
    }
}
