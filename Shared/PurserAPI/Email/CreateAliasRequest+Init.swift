extension CreateAliasRequest {
    public init(tenantID: String, agentID: String, kind: AliasKind = .primary, localPart: String = "") {
        self.init()
        self.tenantID = tenantID
        self.agentID = agentID
        self.kind = kind
        self.localPart = localPart
    }
}
