extension DisableAgentResponse {
    public init(disabledAliases: Int32) {
        self.init()
        self.disabledAliases = disabledAliases
    }
}
