extension CreateApiKeyRequest {
    public init(tenantID: String, role: ApiKeyRole, label: String = "", expiresAtUs: Int64 = 0) {
        self.init()
        self.tenantID = tenantID
        self.role = role
        self.label = label
        self.expiresAtUs = expiresAtUs
    }
}
