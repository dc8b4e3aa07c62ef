extension SpendCounterKey {
    /// The counter of `limitID` in `windowKey`.
    public init(limitID: String, windowKey: String) {
        self.init()
        self.limitID = limitID
        self.windowKey = windowKey
    }
}
