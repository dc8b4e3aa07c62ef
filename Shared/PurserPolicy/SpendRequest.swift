import Foundation

/// One prospective spend, as the Wallet sees it when authorizing.
public struct SpendRequest: Sendable, Hashable {
    /// Amount in micros; must be positive.
    public var amount: Int64
    /// Provider the spend is payable to.
    public var provider: String
    /// Spend category; empty for uncategorised spend.
    public var category: String
    /// Task the spend belongs to, for `per_task` limits.
    public var taskID: String?
    /// The payee agent's id when the spend pays an agent (then `provider` is
    /// empty and the payee rules apply instead of the provider rules).
    public var payeeAgent: String?
    /// When the spend happens; selects the windows it counts in.
    public var at: Date

    /// Provider and category are compared in lowercase, as policy names are.
    public init(
        amount: Int64, provider: String, category: String = "", taskID: String? = nil, at: Date, payeeAgent: String? = nil
    ) {
        self.amount = amount
        self.provider = provider.lowercased()
        self.category = category.lowercased()
        self.taskID = taskID
        self.payeeAgent = payeeAgent?.lowercased()
        self.at = at
    }
}

/// The counter a limit reads and the Wallet updates: the limit's scope and the
/// window the spend falls in. The Wallet keeps one row per
/// (agent, `limitID`, `windowKey`) holding spent micros and authorization count,
/// adds to it under the agent's account row lock when it authorizes, and
/// subtracts from the same key (stored on the hold) when a hold is voided,
/// expires or is captured for less than was held.
public struct LimitCounterKey: Sendable, Hashable {
    public var limitID: String
    public var windowKey: String

    /// Names the counter of scope `limitID` in window `windowKey`.
    public init(limitID: String, windowKey: String) {
        self.limitID = limitID
        self.windowKey = windowKey
    }
}

/// What a counter holds for one window.
public struct LimitUsage: Sendable, Hashable {
    /// Micros authorized (held or captured) in the window.
    public var spent: Int64
    /// Authorizations counted in the window.
    public var count: Int

    /// A counter holding `spent` micros over `count` authorizations.
    public init(spent: Int64, count: Int) {
        self.spent = spent
        self.count = count
    }

    /// An empty counter, for windows with no spend yet.
    public static let zero = LimitUsage(spent: 0, count: 0)
}
