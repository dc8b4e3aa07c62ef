import PurserAPI
import PurserKit
import PurserRPC

/// A validated settlement period: `[start, end)` on whole UTC days, at least
/// one day and at most `maximumDays` long.
package struct SettlementPeriod: Sendable, Hashable, CustomStringConvertible {
    /// Longest period a run, statement, payout or reconciliation may cover.
    package static let maximumDays: Int64 = 366

    package let start: UTCDay
    /// The first day after the period.
    package let end: UTCDay

    /// The period `[start, end)`; the caller guarantees `start < end`.
    init(start: UTCDay, end: UTCDay) {
        self.start = start
        self.end = end
    }

    /// Validates a wire period: both bounds at 00:00:00 UTC, start before end,
    /// at most `maximumDays` days. Throws `RPCError.periodInvalid`.
    package init(_ period: Period) throws(RPCError) {
        guard period.startAtUs % UTCDay.micros == 0, period.endAtUs % UTCDay.micros == 0 else {
            throw .periodInvalid("period bounds must be 00:00:00 UTC (multiples of 86400000000 µs)")
        }
        let start = UTCDay(containing: period.startAtUs), end = UTCDay(containing: period.endAtUs)
        guard start < end else { throw .periodInvalid("period start_at_us must be before end_at_us") }
        guard end.daysSinceEpoch - start.daysSinceEpoch <= Self.maximumDays else {
            throw .periodInvalid("period must not exceed \(Self.maximumDays) days")
        }
        self.init(start: start, end: end)
    }

    package var startUs: Int64 { start.startUs }
    package var endUs: Int64 { end.startUs }

    /// The wire form.
    package var wire: Period { Period(startAtUs: startUs, endAtUs: endUs) }

    /// True when instant `us` lies in the period.
    package func contains(_ us: Int64) -> Bool { us >= startUs && us < endUs }

    /// True when the two periods share at least one day.
    package func overlaps(_ other: SettlementPeriod) -> Bool { start < other.end && other.start < end }

    /// `2026-11-01..2026-12-01` (end exclusive).
    package var description: String { "\(start.isoDate)..\(end.isoDate)" }
}

/// How long the scheduled settlement periods are (`PURSER_SETTLEMENT_PERIOD`):
/// UTC days, ISO weeks starting on Monday, or calendar months.
package enum Cadence: String, Sendable, CaseIterable {
    case daily, weekly, monthly

    /// The period of this cadence that contains instant `us`.
    package func period(containing us: Int64) -> SettlementPeriod {
        let day = UTCDay(containing: us)
        switch self {
        case .daily:
            return SettlementPeriod(start: day, end: day.adding(days: 1))
        case .weekly:
            let monday = day.adding(days: -Int64(day.isoWeekday - 1))
            return SettlementPeriod(start: monday, end: monday.adding(days: 7))
        case .monthly:
            return SettlementPeriod(start: day.firstOfMonth, end: day.firstOfNextMonth)
        }
    }

    /// The period right after `period` (which must be one of this cadence).
    package func next(after period: SettlementPeriod) -> SettlementPeriod {
        self.period(containing: period.endUs)
    }
}
