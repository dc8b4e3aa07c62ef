extension RunSettlementRequest {
    public init(period: Period) {
        self.init()
        self.period = period
    }
}
