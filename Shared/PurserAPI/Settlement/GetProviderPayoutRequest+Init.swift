extension GetProviderPayoutRequest {
    public init(providerID: String, period: Period) {
        self.init()
        self.providerID = providerID
        self.period = period
    }
}
