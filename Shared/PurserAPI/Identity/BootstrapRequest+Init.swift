extension BootstrapRequest {
    public init(label: String) {
        self.init()
        self.label = label
    }
}
