extension StatementTotal {
    public init(key: String, currency: String) {
        self.init()
        self.key = key
        self.currency = currency
    }
}
