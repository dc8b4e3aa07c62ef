/// The one conversion of a `Duration` into the integer units Purser stores and
/// schedules in (Unix-microsecond columns, nanosecond timers) and into seconds
/// for reports. Exact integer math on `components`; nothing goes through `Double`
/// except `secondsValue`.
extension Duration {
    /// Whole microseconds, truncated toward zero, saturating at the `Int64` bounds.
    package var microseconds: Int64 { wholeUnits(perSecond: 1_000_000) }

    /// Whole nanoseconds, truncated toward zero, saturating at the `Int64` bounds.
    package var nanoseconds: Int64 { wholeUnits(perSecond: 1_000_000_000) }

    /// Whole nanoseconds for timers and latency histograms: negative durations are
    /// zero, durations beyond `UInt64.max` nanoseconds (584 years) are `UInt64.max`.
    package var unsignedNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (sum, sumOverflow) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return sumOverflow ? .max : sum
    }

    /// Seconds with the fraction, for rates and reports (never for money or deadlines).
    package var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `self` in units of which one second holds `perSecond` (a divisor of 10¹⁸).
    private func wholeUnits(perSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / (1_000_000_000_000_000_000 / perSecond))
        guard !sumOverflow else { return seconds < 0 ? .min : .max }
        return sum
    }
}
