extension CreateAgentRequest {
    public init(tenantID: String, handle: String, displayName: String = "", metadata: [String: String] = [:]) {
        self.init()
        self.tenantID = tenantID
        self.handle = handle
        self.displayName = displayName
        self.metadata = metadata
    }
}
