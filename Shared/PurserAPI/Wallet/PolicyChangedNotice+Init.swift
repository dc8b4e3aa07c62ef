extension PolicyChangedNotice {
    /// The notice that `tenantID`'s policies stand at `epoch`.
    public init(tenantID: String, epoch: Int64) {
        self.init()
        self.tenantID = tenantID
        self.epoch = epoch
    }
}
