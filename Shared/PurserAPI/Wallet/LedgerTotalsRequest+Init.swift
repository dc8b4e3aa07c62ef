extension LedgerTotalsRequest {
    /// The totals of `[startAtUs, endAtUs)`, of `tenantID` ("" = every tenant the caller may read).
    public init(startAtUs: Int64, endAtUs: Int64, tenantID: String = "") {
        self.init()
        self.startAtUs = startAtUs
        self.endAtUs = endAtUs
        self.tenantID = tenantID
    }
}
