extension RotateProviderSecretRequest {
    public init(providerID: String, gracePeriodUs: Int64 = 0) {
        self.init()
        self.providerID = providerID
        self.gracePeriodUs = gracePeriodUs
    }
}
