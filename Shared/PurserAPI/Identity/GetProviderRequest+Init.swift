extension GetProviderRequest {
    public init(providerID: String) {
        self.init()
        self.providerID = providerID
    }
}
