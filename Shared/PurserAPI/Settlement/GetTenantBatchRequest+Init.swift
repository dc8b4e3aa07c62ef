extension GetTenantBatchRequest {
    public init(batchID: String) {
        self.init()
        self.batchID = batchID
    }
}
