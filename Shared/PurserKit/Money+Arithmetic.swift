extension Money {
    /// The exact sum, or `nil` when it does not fit an `Int64` of micros.
    public func adding(_ other: Money) -> Money? {
        let (value, overflow) = micros.addingReportingOverflow(other.micros)
        return overflow ? nil : Money(micros: value)
    }

    /// The exact difference, or `nil` when it does not fit an `Int64` of micros.
    public func subtracting(_ other: Money) -> Money? {
        let (value, overflow) = micros.subtractingReportingOverflow(other.micros)
        return overflow ? nil : Money(micros: value)
    }

    /// The exact product by an integer count, or `nil` on overflow.
    public func multiplied(by count: Int64) -> Money? {
        let (value, overflow) = micros.multipliedReportingOverflow(by: count)
        return overflow ? nil : Money(micros: value)
    }

    /// The negated amount, or `nil` for the one value whose negation overflows.
    public func negated() -> Money? {
        micros == .min ? nil : Money(micros: -micros)
    }

    /// The exact sum of `amounts`, or `nil` as soon as a partial sum overflows.
    public static func sum<S: Sequence>(_ amounts: S) -> Money? where S.Element == Money {
        var total = Money.zero
        for amount in amounts {
            guard let next = total.adding(amount) else { return nil }
            total = next
        }
        return total
    }
}
