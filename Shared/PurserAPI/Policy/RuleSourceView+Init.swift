extension RuleSourceView {
    public init(level: PolicyLevel, version: Int64, agentID: String = "") {
        self.init()
        self.level = level
        self.version = version
        self.agentID = agentID
    }
}
