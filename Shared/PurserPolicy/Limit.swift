/// One quantitative limit of a policy: at most `amount` micros (and, when
/// `count` is set, at most `count` authorizations) per `interval`, counting
/// only spend in `categories` when they are given and all spend otherwise.
public struct Limit: Sendable, Hashable {
    /// Cap in micro-units for one window.
    public var amount: Int64
    /// Maximum number of authorizations in one window, when set.
    public var count: Int?
    /// The window the cap applies to.
    public var interval: Interval
    /// Categories the limit is scoped to; `nil` means every spend, including uncategorised spend.
    public var categories: [String]?

    /// Creates a limit; see `PolicyDocument.validate()` for the accepted bounds.
    public init(amount: Int64, count: Int? = nil, interval: Interval, categories: [String]? = nil) {
        self.amount = amount
        self.count = count
        self.interval = interval
        self.categories = categories
    }

    /// Whether spend in `category` counts against this limit. Uncategorised
    /// spend (an empty category) is never matched by a category-scoped limit.
    public func applies(toCategory category: String) -> Bool {
        guard let categories else { return true }
        return !category.isEmpty && categories.contains(category)
    }

    /// The counter scope of this limit: the interval plus the sorted category
    /// set, e.g. `daily` or `daily:search,travel`.
    ///
    /// Counters are keyed by this scope and a window key, never by policy
    /// version, rule position or amount, so publishing a new policy version
    /// (or raising a cap) keeps today's spend, and two limits with the same
    /// scope (a tenant's and an agent's daily cap) read the same counter.
    public var limitID: String {
        guard let categories else { return interval.rawValue }
        return interval.rawValue + ":" + Set(categories).sorted().joined(separator: ",")
    }
}
