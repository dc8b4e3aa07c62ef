import PurserKit

extension PolicyDocument {
    /// Where this document, as a sub-agent's override, is looser than its
    /// parent's effective policy `parent` (tenant ∧ every ancestor's
    /// override): one problem per offending field, empty when the document
    /// only narrows. The effective policy intersects anyway, so a looser rule
    /// could never widen what the child may spend; it is refused because it
    /// would be a rule that can never bind, written by someone who expects it to.
    ///
    /// A document is looser than `parent` when:
    /// - `per_call_max` is above the parent's per-call maximum;
    /// - a limit `limits[i]` has the same interval as a parent limit that
    ///   counts every spend it counts (the parent limit counts all spend, or
    ///   its categories include all of the child limit's), and its `amount`
    ///   is above that limit's amount (`limits[i].amount`), or it has a
    ///   `count` above that limit's count (`limits[i].count`);
    /// - an entry of `allowed_categories`, `allowed_providers` or
    ///   `allowed_payees` is outside the parent's allow-list of that kind
    ///   (when the parent has one) or blocked by the parent
    ///   (`allowed_categories[i]`).
    ///
    /// Not looser: a rule the parent does not have (a child may add any cap,
    /// allow-list or block), leaving out a rule the parent has (the parent's
    /// rule still applies to the child), a cap on another interval, and any
    /// block-list entry.
    public func loosenings(comparedTo parent: EffectivePolicy) -> [FieldError] {
        var problems: [FieldError] = []
        if let perCallMax, let parentMax = parent.perCallMax, perCallMax > parentMax.amount {
            problems.append(
                FieldError(
                    field: "per_call_max",
                    message: "\(Money(micros: perCallMax).policyText) is above the parent's \(parentMax.rule)"))
        }
        for (index, limit) in limits.enumerated() {
            for covering in parent.limits where covering.limit.covers(limit) {
                if limit.amount > covering.limit.amount {
                    problems.append(
                        FieldError(
                            field: "limits[\(index)].amount",
                            message: "\(Money(micros: limit.amount).policyText) is above the parent's \(covering.rule)"))
                    break
                }
                if let parentCount = covering.limit.count, let count = limit.count, count > parentCount {
                    problems.append(
                        FieldError(
                            field: "limits[\(index)].count", message: "\(count) calls is above the parent's \(covering.rule)"))
                    break
                }
            }
        }
        Self.checkAllowList(allowedCategories, "allowed_categories", parent.allowedCategories, parent.blockedCategories, &problems)
        Self.checkAllowList(allowedProviders, "allowed_providers", parent.allowedProviders, parent.blockedProviders, &problems)
        Self.checkAllowList(allowedPayees, "allowed_payees", parent.allowedPayees, parent.blockedPayees, &problems)
        return problems
    }

    private static func checkAllowList(
        _ names: [String]?, _ field: String, _ parentAllowed: AllowListRule?, _ parentBlocked: [String: RuleSource],
        _ problems: inout [FieldError]
    ) {
        for (index, name) in (names ?? []).enumerated() {
            if let parentAllowed, !parentAllowed.names.contains(name) {
                problems.append(FieldError(field: "\(field)[\(index)]", message: "\"\(name)\" is not allowed by the parent"))
            } else if let source = parentBlocked[name] {
                problems.append(FieldError(field: "\(field)[\(index)]", message: "\"\(name)\" is blocked by the parent (\(source))"))
            }
        }
    }
}

extension Limit {
    /// Whether this limit counts every spend `other` counts in the same
    /// windows: the same interval, and this limit counts all spend or every
    /// category `other` is scoped to.
    func covers(_ other: Limit) -> Bool {
        guard interval == other.interval else { return false }
        guard let categories else { return true }
        guard let otherCategories = other.categories else { return false }
        return Set(otherCategories).isSubset(of: categories)
    }
}
