extension IssuePaymentTokenRequest {
    public init(providerID: String, maxAmountMicros: Int64, ttlSeconds: Int32 = 0, singleUse: Bool = false) {
        self.init()
        self.providerID = providerID
        self.maxAmountMicros = maxAmountMicros
        self.ttlSeconds = ttlSeconds
        self.singleUse = singleUse
    }
}
