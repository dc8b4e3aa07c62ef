import PurserRPC

/// Checked sums of micros for Settlement's totals: a total that does not fit
/// in an `Int64` is refused as `total_out_of_range`, never wrapped and never
/// trapped (a trap would stop the service for every tenant).
enum CheckedMicros {
    /// Adds `amount` to `total`, or throws `total_out_of_range` naming `what`.
    static func add(_ amount: Int64, to total: inout Int64, _ what: @autoclosure () -> String) throws(RPCError) {
        let (sum, overflow) = total.addingReportingOverflow(amount)
        guard !overflow else { throw .totalOutOfRange(what()) }
        total = sum
    }

    /// `amount + other`, or `nil` when it does not fit.
    static func sum(_ amount: Int64, _ other: Int64) -> Int64? {
        let (sum, overflow) = amount.addingReportingOverflow(other)
        return overflow ? nil : sum
    }

    /// `amount - other`, or `nil` when it does not fit.
    static func difference(_ amount: Int64, _ other: Int64) -> Int64? {
        let (difference, overflow) = amount.subtractingReportingOverflow(other)
        return overflow ? nil : difference
    }
}
