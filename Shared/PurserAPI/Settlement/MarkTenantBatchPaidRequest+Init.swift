extension MarkTenantBatchPaidRequest {
    public init(batchID: String, externalReference: String) {
        self.init()
        self.batchID = batchID
        self.externalReference = externalReference
    }
}
