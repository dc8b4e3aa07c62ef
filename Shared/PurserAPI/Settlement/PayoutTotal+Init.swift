extension PayoutTotal {
    public init(currency: String) {
        self.init()
        self.currency = currency
    }
}
