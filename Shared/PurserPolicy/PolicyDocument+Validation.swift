import PurserKit

extension PolicyDocument {
    /// Largest amount accepted anywhere in a policy: one billion whole units.
    public static let maxAmount: Int64 = 1_000_000_000 * Money.microsPerUnit
    /// Most limits in one document.
    public static let maxLimits = 64
    /// Most names in one category or provider list.
    public static let maxListEntries = 256
    /// Most categories one limit can be scoped to.
    public static let maxLimitCategories = 32
    /// Largest `count` of a limit.
    public static let maxCount = 1_000_000_000

    /// Checks every rule and returns all problems found (empty when valid),
    /// each naming its field: amounts in (0, `maxAmount`], counts in
    /// [1, `maxCount`], at most `maxLimits` limits, well-formed and unique
    /// names, non-empty allow-lists and scopes, and no name both allowed and blocked.
    public func validate() -> [FieldError] {
        var problems: [FieldError] = []
        if version < 0 { problems.append(FieldError(field: "version", message: "must not be negative")) }
        if let perCallMax { checkAmount(perCallMax, field: "per_call_max", into: &problems) }
        if limits.count > Self.maxLimits {
            problems.append(FieldError(field: "limits", message: "at most \(Self.maxLimits) limits"))
        }
        for (index, limit) in limits.enumerated() {
            let field = "limits[\(index)]"
            checkAmount(limit.amount, field: field + ".amount", into: &problems)
            if let count = limit.count, !(1...Self.maxCount).contains(count) {
                problems.append(FieldError(field: field + ".count", message: "must be between 1 and \(Self.maxCount)"))
            }
            if let categories = limit.categories {
                if categories.isEmpty {
                    problems.append(
                        FieldError(
                            field: field + ".categories",
                            message: "must not be empty; omit it to count all spend"))
                }
                checkNames(
                    categories, field: field + ".categories", maxEntries: Self.maxLimitCategories, into: &problems)
            }
        }
        checkList(allowedCategories, field: "allowed_categories", mustBeNonEmpty: true, into: &problems)
        checkList(blockedCategories, field: "blocked_categories", mustBeNonEmpty: false, into: &problems)
        checkList(allowedProviders, field: "allowed_providers", mustBeNonEmpty: true, into: &problems)
        checkList(blockedProviders, field: "blocked_providers", mustBeNonEmpty: false, into: &problems)
        checkDisjoint(allowedCategories, blockedCategories, blockedField: "blocked_categories", into: &problems)
        checkDisjoint(allowedProviders, blockedProviders, blockedField: "blocked_providers", into: &problems)
        checkList(allowedPayees, field: "allowed_payees", mustBeNonEmpty: true, into: &problems)
        checkList(blockedPayees, field: "blocked_payees", mustBeNonEmpty: false, into: &problems)
        checkDisjoint(allowedPayees, blockedPayees, blockedField: "blocked_payees", into: &problems)
        return problems
    }

    private func checkAmount(_ amount: Int64, field: String, into problems: inout [FieldError]) {
        if amount <= 0 {
            problems.append(FieldError(field: field, message: "must be greater than 0"))
        } else if amount > Self.maxAmount {
            problems.append(
                FieldError(field: field, message: "must be at most \(Money(micros: Self.maxAmount).policyText)"))
        }
    }

    private func checkList(
        _ names: [String]?, field: String, mustBeNonEmpty: Bool, into problems: inout [FieldError]
    ) {
        guard let names else { return }
        if mustBeNonEmpty && names.isEmpty {
            problems.append(FieldError(field: field, message: "must list at least one name; omit it to allow all"))
        }
        checkNames(names, field: field, maxEntries: Self.maxListEntries, into: &problems)
    }

    private func checkNames(_ names: [String], field: String, maxEntries: Int, into problems: inout [FieldError]) {
        if names.count > maxEntries {
            problems.append(FieldError(field: field, message: "at most \(maxEntries) entries"))
            return
        }
        var seen = Set<String>()
        for (index, name) in names.enumerated() {
            if !PolicyName.isValid(name) {
                problems.append(
                    FieldError(
                        field: "\(field)[\(index)]",
                        message: "\"\(name.prefix(80))\" must match [a-z0-9][a-z0-9._-]{0,63}"))
            } else if !seen.insert(name).inserted {
                problems.append(FieldError(field: "\(field)[\(index)]", message: "\"\(name)\" is listed twice"))
            }
        }
    }

    private func checkDisjoint(
        _ allowed: [String]?, _ blocked: [String]?, blockedField: String, into problems: inout [FieldError]
    ) {
        guard let allowed, let blocked else { return }
        let allowedSet = Set(allowed)
        for (index, name) in blocked.enumerated() where allowedSet.contains(name) {
            problems.append(
                FieldError(field: "\(blockedField)[\(index)]", message: "\"\(name)\" is both allowed and blocked"))
        }
    }
}
