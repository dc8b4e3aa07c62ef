import PurserWire

/// `purser.identity.v1.Agent`.
public struct Agent: WireMessage {
    public var id = ""
    public var tenantID = ""
    public var handle = ""
    public var displayName = ""
    public var metadata: [String: String] = [:]
    public var status = AgentStatus.unspecified
    /// Set once revoked.
    public var revokeReason = ""
    public var createdAtUs: Int64 = 0
    public var updatedAtUs: Int64 = 0
    public var revokedAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &id)
        try t.field(2, &tenantID)
        try t.field(3, &handle)
        try t.field(4, &displayName)
        try t.field(5, &metadata)
        try t.field(6, &status)
        try t.field(7, &revokeReason)
        try t.field(8, &createdAtUs)
        try t.field(9, &updatedAtUs)
        try t.field(10, &revokedAtUs)
    }
}

/// `purser.identity.v1.CreateAgentRequest`.
public struct CreateAgentRequest: WireMessage {
    public var tenantID = ""
    /// `[a-z0-9][a-z0-9-]{1,62}`, unique per tenant.
    public var handle = ""
    public var displayName = ""
    public var metadata: [String: String] = [:]
    public init() {}
    public init(tenantID: String, handle: String, displayName: String = "", metadata: [String: String] = [:]) {
        self.tenantID = tenantID
        self.handle = handle
        self.displayName = displayName
        self.metadata = metadata
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &handle)
        try t.field(3, &displayName)
        try t.field(4, &metadata)
    }
}

/// `purser.identity.v1.CreateAgentResponse`: the agent and its first secret, shown once.
public struct CreateAgentResponse: WireMessage {
    public var agent = Agent()
    public var secret = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &agent)
        try t.field(2, &secret)
    }
}

/// `purser.identity.v1.GetAgentRequest`; also the shape of suspend and resume requests.
public struct GetAgentRequest: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    public init() {}
    public init(tenantID: String, agentID: String) {
        self.tenantID = tenantID
        self.agentID = agentID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
    }
}

/// `purser.identity.v1.SuspendAgentRequest`.
public typealias SuspendAgentRequest = GetAgentRequest
/// `purser.identity.v1.ResumeAgentRequest`.
public typealias ResumeAgentRequest = GetAgentRequest

/// `purser.identity.v1.ListAgentsRequest`.
public struct ListAgentsRequest: WireMessage {
    public var tenantID = ""
    public var pageSize: Int32 = 0
    public var pageToken = ""
    /// `.unspecified` = every status.
    public var status = AgentStatus.unspecified
    public init() {}
    public init(tenantID: String, pageSize: Int32 = 0, pageToken: String = "", status: AgentStatus = .unspecified) {
        self.tenantID = tenantID
        self.pageSize = pageSize
        self.pageToken = pageToken
        self.status = status
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &pageSize)
        try t.field(3, &pageToken)
        try t.field(4, &status)
    }
}

/// `purser.identity.v1.ListAgentsResponse`.
public struct ListAgentsResponse: WireMessage {
    public var agents: [Agent] = []
    public var nextPageToken = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &agents)
        try t.field(2, &nextPageToken)
    }
}

/// `purser.identity.v1.RotateAgentSecretRequest`.
public struct RotateAgentSecretRequest: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    /// How long the previous secret keeps working; 0 = it stops now.
    public var gracePeriodUs: Int64 = 0
    public init() {}
    public init(tenantID: String, agentID: String, gracePeriodUs: Int64 = 0) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.gracePeriodUs = gracePeriodUs
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &gracePeriodUs)
    }
}

/// `purser.identity.v1.RotateAgentSecretResponse` and `RotateProviderSecretResponse`:
/// the new secret (shown once) and when the previous one stops working.
public struct RotateSecretResponse: WireMessage {
    public var secret = ""
    public var previousExpiresAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &secret)
        try t.field(2, &previousExpiresAtUs)
    }
}

/// `purser.identity.v1.RevokeAgentRequest`.
public struct RevokeAgentRequest: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    /// Required: why (kept on the agent and sent to subscribers).
    public var reason = ""
    public init() {}
    public init(tenantID: String, agentID: String, reason: String) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.reason = reason
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &reason)
    }
}

/// `purser.identity.v1.RevokeAgentResponse`: which subscribers acknowledged
/// before the call returned and which are still being retried.
public struct RevokeAgentResponse: WireMessage {
    public var agent = Agent()
    public var acknowledged: [String] = []
    public var pending: [String] = []
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &agent)
        try t.field(2, &acknowledged)
        try t.field(3, &pending)
    }
}

/// `purser.identity.v1.AgentRevocationNotice`: what Identity sends every
/// revocation subscriber (Wallet/FreezeAccount, EmailAlias/DisableAgent) over
/// mutual TLS. Subscribers acknowledge with OK and treat repeats as no-ops.
public struct AgentRevocationNotice: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    public var reason = ""
    public var revokedAtUs: Int64 = 0
    public init() {}
    public init(tenantID: String, agentID: String, reason: String, revokedAtUs: Int64) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.reason = reason
        self.revokedAtUs = revokedAtUs
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &reason)
        try t.field(4, &revokedAtUs)
    }
}

/// An empty acknowledgement: the answer subscribers give to an `AgentRevocationNotice`
/// (`google.protobuf.Empty`-compatible).
public struct AgentRevocationAck: WireMessage {
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {}
}

/// `purser.identity.v1.RotateAgentSecretResponse`.
public typealias RotateAgentSecretResponse = RotateSecretResponse
/// `purser.identity.v1.RotateProviderSecretResponse`.
public typealias RotateProviderSecretResponse = RotateSecretResponse
