extension GetSpendCountersRequest {
    /// Most keys one request may name.
    public static let maximumKeys = 256
}
