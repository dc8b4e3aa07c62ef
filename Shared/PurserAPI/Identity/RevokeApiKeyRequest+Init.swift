extension RevokeApiKeyRequest {
    public init(tenantID: String, keyID: String) {
        self.init()
        self.tenantID = tenantID
        self.keyID = keyID
    }
}
