/// A policy as a tenant submits it, at one level: the tenant default or one
/// agent's override. Documents are immutable once stored; each change is a new
/// `version`. The JSON form is:
///
/// ```json
/// {"per_call_max": "5.00",
///  "limits": [{"amount": "50.00", "count": 100, "interval": "daily", "categories": ["search"]}],
///  "allowed_categories": ["search"], "blocked_categories": ["gambling"],
///  "allowed_providers": ["exa"], "blocked_providers": ["shady"]}
/// ```
///
/// Amounts are decimal strings (exact, at most six decimals), never JSON numbers.
public struct PolicyDocument: Sendable, Hashable {
    /// Version assigned by the Policy service when the document is stored; 0 before that.
    public var version: Int
    /// Largest single authorization, in micros.
    public var perCallMax: Int64?
    /// Quantitative limits, each counted in its own windows.
    public var limits: [Limit]
    /// When set, spend must carry one of these categories.
    public var allowedCategories: [String]?
    /// Spend in these categories is refused.
    public var blockedCategories: [String]?
    /// When set, spend must go to one of these providers.
    public var allowedProviders: [String]?
    /// Spend to these providers is refused.
    public var blockedProviders: [String]?
    /// When set, a payment to an agent must go to one of these agents (by id).
    public var allowedPayees: [String]?
    /// Payments to these agents (by id) are refused.
    public var blockedPayees: [String]?

    /// Creates a document; nothing is checked until `validate()`.
    public init(
        version: Int = 0, perCallMax: Int64? = nil, limits: [Limit] = [],
        allowedCategories: [String]? = nil, blockedCategories: [String]? = nil,
        allowedProviders: [String]? = nil, blockedProviders: [String]? = nil,
        allowedPayees: [String]? = nil, blockedPayees: [String]? = nil
    ) {
        self.version = version
        self.perCallMax = perCallMax
        self.limits = limits
        self.allowedCategories = allowedCategories
        self.blockedCategories = blockedCategories
        self.allowedProviders = allowedProviders
        self.blockedProviders = blockedProviders
        self.allowedPayees = allowedPayees
        self.blockedPayees = blockedPayees
    }
}
