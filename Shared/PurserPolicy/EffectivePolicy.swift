import Foundation
import PurserKit

/// Where a rule of an effective policy comes from: the tenant default, the
/// override of one of the agent's ancestors, or the agent's own override, and
/// that document's version.
public struct RuleSource: Sendable, Hashable, CustomStringConvertible {
    /// The level of a policy document in a merge.
    public enum Level: String, Sendable, Hashable {
        /// The tenant default.
        case tenant
        /// The override of the agent the policy is for.
        case agent
        /// The override of one of that agent's ancestors (its parent, the parent's parent, …).
        case ancestor
    }

    public var level: Level
    public var version: Int
    /// The agent whose override holds the rule; empty for the tenant default
    /// (and for an agent override merged without naming its agent).
    public var agentID: String

    /// Names the document at `level` with `version`, of agent `agentID`.
    public init(level: Level, version: Int, agentID: String = "") {
        self.level = level
        self.version = version
        self.agentID = agentID
    }

    /// `tenant v2`, `agent v3`, `ancestor 5f0c…e1 v1` (an ancestor is named
    /// by its id, so a rule's text says which agent narrowed it).
    public var description: String {
        level == .ancestor ? "ancestor \(agentID) v\(version)" : "\(level.rawValue) v\(version)"
    }
}

/// One agent's override in a chain of agents, with the agent it belongs to;
/// `document` is `nil` when that agent has none.
public struct AgentOverride: Sendable, Hashable {
    public var agentID: String
    public var document: PolicyDocument?

    /// The override `document` (or none) of agent `agentID`.
    public init(agentID: String, document: PolicyDocument?) {
        self.agentID = agentID
        self.document = document
    }
}

/// A limit of the effective policy, tagged with the document and position it came from.
public struct EffectiveLimit: Sendable, Hashable {
    public var limit: Limit
    public var source: RuleSource
    /// Position in its document's `limits` array.
    public var index: Int

    /// Tags `limit`, found at `index` of the document `source`.
    public init(limit: Limit, source: RuleSource, index: Int) {
        self.limit = limit
        self.source = source
        self.index = index
    }

    /// Counter scope shared by every limit with the same interval and
    /// categories; see `Limit.limitID`.
    public var limitID: String { limit.limitID }

    /// Human- and machine-readable name of the rule, e.g.
    /// `limits[1] (agent v3): daily 50.00 in category search`.
    public var rule: String {
        var text = "limits[\(index)] (\(source)): \(limit.interval.rawValue) \(Money(micros: limit.amount).policyText)"
        if let count = limit.count { text += " and \(count) call\(count == 1 ? "" : "s")" }
        if let categories = limit.categories {
            text += categories.count == 1 ? " in category " : " in categories "
            text += categories.joined(separator: ", ")
        } else {
            text += " on all spend"
        }
        return text
    }
}

/// The per-call maximum of the effective policy and the document it came from.
public struct PerCallMaxRule: Sendable, Hashable {
    public var amount: Int64
    public var source: RuleSource

    /// `per_call_max (tenant v2): 5.00`.
    public var rule: String { "per_call_max (\(source)): \(Money(micros: amount).policyText)" }
}

/// An allow-list of the effective policy: only these names pass. When both
/// levels set one, it is their intersection and names both sources.
public struct AllowListRule: Sendable, Hashable {
    public var names: Set<String>
    public var sources: [RuleSource]
}

/// The policy that applies to one agent: its tenant's default merged with the
/// overrides of its ancestors (root first) and its own, so that the stricter
/// bound always wins. No document can widen what a document before it
/// allows: the result is tenant ∧ every ancestor's override ∧ the agent's own.
public struct EffectivePolicy: Sendable, Hashable {
    /// Zone in which hourly, daily, weekly and monthly windows are fixed.
    public var timeZone: TimeZone
    /// The smaller of the two per-call maxima.
    public var perCallMax: PerCallMaxRule?
    /// Every limit of both documents (tenant first), each enforced on its own.
    public var limits: [EffectiveLimit]
    public var allowedCategories: AllowListRule?
    /// Blocked categories of both documents, each with the first document that blocks it.
    public var blockedCategories: [String: RuleSource]
    public var allowedProviders: AllowListRule?
    /// Blocked providers of both documents, each with the first document that blocks it.
    public var blockedProviders: [String: RuleSource]
    /// Agents a payment to an agent may go to, when either document restricts them.
    public var allowedPayees: AllowListRule? = nil
    /// Blocked payee agents of both documents, each with the first document that blocks it.
    public var blockedPayees: [String: RuleSource] = [:]

    /// Merges a tenant default and an agent override (either may be absent);
    /// see `merge(tenant:ancestors:agent:timeZone:)`.
    public static func merge(
        tenant: PolicyDocument?, agent: PolicyDocument?, timeZone: TimeZone = .policyDefault
    ) -> EffectivePolicy {
        merge(tenant: tenant, ancestors: [], agent: AgentOverride(agentID: "", document: agent), timeZone: timeZone)
    }

    /// Merges a tenant default, the overrides of the agent's `ancestors`
    /// (root first, parent last) and the agent's own (any may be absent):
    /// `per_call_max` is the minimum (the first document to set the minimum
    /// is its source); limits are the union, each keeping its source;
    /// allow-lists are intersected when more than one sets one; block-lists
    /// are united. Each rule's source names its level and, for an override,
    /// its agent. Windows are fixed in `timeZone` (UTC unless the tenant sets one).
    public static func merge(
        tenant: PolicyDocument?, ancestors: [AgentOverride], agent: AgentOverride?,
        timeZone: TimeZone = .policyDefault
    ) -> EffectivePolicy {
        var sources: [(PolicyDocument, RuleSource)] = []
        if let tenant { sources.append((tenant, RuleSource(level: .tenant, version: tenant.version))) }
        for ancestor in ancestors {
            guard let document = ancestor.document else { continue }
            sources.append((document, RuleSource(level: .ancestor, version: document.version, agentID: ancestor.agentID)))
        }
        if let agent, let document = agent.document {
            sources.append((document, RuleSource(level: .agent, version: document.version, agentID: agent.agentID)))
        }

        var policy = EffectivePolicy(
            timeZone: timeZone, perCallMax: nil, limits: [], allowedCategories: nil, blockedCategories: [:],
            allowedProviders: nil, blockedProviders: [:])
        for (document, source) in sources {
            if let amount = document.perCallMax, amount < policy.perCallMax?.amount ?? .max {
                policy.perCallMax = PerCallMaxRule(amount: amount, source: source)
            }
            for (index, limit) in document.limits.enumerated() {
                policy.limits.append(EffectiveLimit(limit: limit, source: source, index: index))
            }
            policy.allowedCategories = intersect(policy.allowedCategories, document.allowedCategories, source)
            policy.allowedProviders = intersect(policy.allowedProviders, document.allowedProviders, source)
            for name in document.blockedCategories ?? [] where policy.blockedCategories[name] == nil {
                policy.blockedCategories[name] = source
            }
            for name in document.blockedProviders ?? [] where policy.blockedProviders[name] == nil {
                policy.blockedProviders[name] = source
            }
            policy.allowedPayees = intersect(policy.allowedPayees, document.allowedPayees, source)
            for name in document.blockedPayees ?? [] where policy.blockedPayees[name] == nil {
                policy.blockedPayees[name] = source
            }
        }
        return policy
    }

    private static func intersect(_ current: AllowListRule?, _ names: [String]?, _ source: RuleSource)
        -> AllowListRule?
    {
        guard let names else { return current }
        guard let current else { return AllowListRule(names: Set(names), sources: [source]) }
        return AllowListRule(names: current.names.intersection(names), sources: current.sources + [source])
    }
}

extension TimeZone {
    /// UTC: the zone of policy windows unless the tenant sets another.
    public static let policyDefault: TimeZone = TimeZone(secondsFromGMT: 0) ?? .current
}
