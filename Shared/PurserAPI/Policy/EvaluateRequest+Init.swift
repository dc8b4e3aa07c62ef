extension EvaluateRequest {
    public init(
        tenantID: String, agentID: String, amountMicros: Int64, provider: String, category: String = "",
        taskID: String = ""
    ) {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.amountMicros = amountMicros
        self.provider = provider
        self.category = category
        self.taskID = taskID
    }
}
