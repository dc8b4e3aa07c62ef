import PurserWire

/// `purser.policy.v1.EvaluateRequest`: one prospective spend.
public struct EvaluateRequest: WireMessage {
    public var tenantID = ""
    public var agentID = ""
    public var amountMicros: Int64 = 0
    /// The provider's slug, as policies name providers.
    public var provider = ""
    /// Empty for uncategorised spend.
    public var category = ""
    /// Empty when the spend belongs to no task.
    public var taskID = ""
    public init() {}
    public init(
        tenantID: String, agentID: String, amountMicros: Int64, provider: String, category: String = "",
        taskID: String = ""
    ) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.amountMicros = amountMicros
        self.provider = provider
        self.category = category
        self.taskID = taskID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &amountMicros)
        try t.field(4, &provider)
        try t.field(5, &category)
        try t.field(6, &taskID)
    }
}

/// `purser.policy.v1.DenialView`: why a spend is refused.
public struct DenialView: WireMessage {
    /// `limit_exceeded`, `per_call_max_exceeded`, `category_blocked`, `provider_blocked`, `invalid_amount`.
    public var reason = ""
    public var rule = ""
    /// -1 when the rule is not quantitative.
    public var headroomMicros: Int64 = 0
    /// -1 when the rule has no count.
    public var remainingCount: Int64 = 0
    public var limitID = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &reason)
        try t.field(2, &rule)
        try t.field(3, &headroomMicros)
        try t.field(4, &remainingCount)
        try t.field(5, &limitID)
    }
}

/// `purser.policy.v1.LimitToEnforce`: a limit the Wallet checks and counts
/// under the agent's account row lock.
public struct LimitToEnforce: WireMessage {
    public var limitID = ""
    public var interval = ""
    /// Empty for a per_task limit on spend without a task id.
    public var windowKey = ""
    public var capMicros: Int64 = 0
    /// 0 = no count cap.
    public var capCount: Int64 = 0
    public var rule = ""
    /// 0 for per_task and lifetime.
    public var windowStartAtUs: Int64 = 0
    public var windowEndAtUs: Int64 = 0
    /// Micros left under the cap before the spend: the whole cap for
    /// `Evaluate`, the cap less the Wallet's counter for `Simulate`.
    public var headroomMicros: Int64 = 0
    /// Authorizations left before the spend; -1 when the limit has no count cap.
    public var remainingCount: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &limitID)
        try t.field(2, &interval)
        try t.field(3, &windowKey)
        try t.field(4, &capMicros)
        try t.field(5, &capCount)
        try t.field(6, &rule)
        try t.field(7, &windowStartAtUs)
        try t.field(8, &windowEndAtUs)
        try t.field(9, &headroomMicros)
        try t.field(10, &remainingCount)
    }
}

/// `purser.policy.v1.EvaluateResponse`: the static decision and the limits to enforce.
public struct EvaluateResponse: WireMessage {
    public var allowed = false
    /// Set when `allowed` is false.
    public var denial: DenialView?
    public var limits: [LimitToEnforce] = []
    public var tenantVersion: Int64 = 0
    public var agentVersion: Int64 = 0
    public var etag = ""
    public var timeZone = ""
    public var evaluatedAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &allowed)
        try t.field(2, &denial)
        try t.field(3, &limits)
        try t.field(4, &tenantVersion)
        try t.field(5, &agentVersion)
        try t.field(6, &etag)
        try t.field(7, &timeZone)
        try t.field(8, &evaluatedAtUs)
    }
}
