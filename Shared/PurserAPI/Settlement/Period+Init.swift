extension Period {
    public init(startAtUs: Int64, endAtUs: Int64) {
        self.init()
        self.startAtUs = startAtUs
        self.endAtUs = endAtUs
    }
}
