extension RuleSourceView {
    public init(level: PolicyLevel, version: Int64) {
        self.init()
        self.level = level
        self.version = version
    }
}
