import Foundation

/// Why a spend was refused, as a stable snake_case code agents can act on.
public enum DenyReason: String, Sendable, Hashable {
    /// A quantitative limit (amount or count) would be exceeded in its window.
    case limitExceeded = "limit_exceeded"
    /// The amount is above the per-call maximum.
    case perCallMaxExceeded = "per_call_max_exceeded"
    /// The category is blocked or not on the allow-list.
    case categoryBlocked = "category_blocked"
    /// The provider is blocked or not on the allow-list.
    case providerBlocked = "provider_blocked"
    /// The payee agent is blocked or not on the allow-list.
    case payeeBlocked = "payee_blocked"
    /// The amount is zero or negative.
    case invalidAmount = "invalid_amount"
}

/// A refusal: the reason, the rule responsible and how much room is left.
public struct Denial: Sendable, Hashable {
    public var reason: DenyReason
    /// Which rule refused, e.g. `limits[1] (agent v3): daily 50.00 in category search`.
    public var rule: String
    /// Micros that could still be spent under that rule (`cap − spent`, never
    /// negative); `nil` for rules that are not quantitative.
    public var headroom: Int64?
    /// Authorizations still allowed under that rule's count, when it has one.
    public var remainingCount: Int?
    /// Counter scope of the limit that refused, for `limit_exceeded`.
    public var limitID: String?

    /// Creates a denial; quantitative details are `nil` for rules without them.
    public init(
        reason: DenyReason, rule: String, headroom: Int64? = nil, remainingCount: Int? = nil, limitID: String? = nil
    ) {
        self.reason = reason
        self.rule = rule
        self.headroom = headroom
        self.remainingCount = remainingCount
        self.limitID = limitID
    }
}

/// One limit that applies to a spend, with the state of its counter before the spend.
public struct LimitCheck: Sendable, Hashable {
    public var limit: EffectiveLimit
    /// Counter to read and update; `nil` for a `per_task` limit on spend without a task id.
    public var counter: LimitCounterKey?
    /// The time window counted, when the interval has one.
    public var window: DateInterval?
    /// Counter contents before this spend.
    public var usage: LimitUsage
    /// Micros left under the cap before this spend (`cap − spent`, never negative).
    public var headroom: Int64
    /// Authorizations left before this spend, when the limit has a count.
    public var remainingCount: Int?

    /// Whether a spend of `amount` fits: `spent + amount ≤ cap` and `count + 1 ≤ max count`.
    public func admits(_ amount: Int64) -> Bool {
        amount <= headroom && (remainingCount ?? 1) >= 1
    }

    public var rule: String { limit.rule }
}

/// The outcome of evaluating a spend against an effective policy.
public enum Decision: Sendable, Hashable {
    /// Allowed; lists every limit that applies, whose counters the Wallet must update.
    case allow(applicable: [LimitCheck])
    /// Refused by one rule.
    case deny(Denial)

    /// Distinct counters the Wallet adds the spend to when it authorizes
    /// (limits sharing a scope share one counter, counted once).
    public var counterUpdates: [LimitCounterKey] {
        guard case .allow(let checks) = self else { return [] }
        var seen = Set<LimitCounterKey>()
        return checks.compactMap(\.counter).filter { seen.insert($0).inserted }
    }
}

/// A dry run: the decision plus the state of every limit that applies to the
/// spend's category, even when an earlier rule already refused it.
public struct Simulation: Sendable, Hashable {
    public var decision: Decision
    public var limits: [LimitCheck]
}
