extension DisableAliasRequest {
    public init(tenantID: String, aliasID: String) {
        self.init()
        self.tenantID = tenantID
        self.aliasID = aliasID
    }
}
