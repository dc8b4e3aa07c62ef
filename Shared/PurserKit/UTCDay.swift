/// The one civil-date calendar of Purser (Settlement's periods and reports,
/// the CLI's dates): UTC days and instants in Unix microseconds, without
/// Foundation's calendars: exact integer math, valid for every `Int64` instant
/// a ledger can hold (proleptic Gregorian calendar).
package struct UTCDay: Sendable, Hashable, Comparable {
    /// Microseconds in one day.
    package static let micros: Int64 = 86_400_000_000

    /// Days since 1970-01-01.
    package let daysSinceEpoch: Int64

    package init(daysSinceEpoch: Int64) { self.daysSinceEpoch = daysSinceEpoch }

    /// The day holding instant `us` (floor division, so instants before 1970 work too).
    package init(containing us: Int64) {
        let (quotient, remainder) = us.quotientAndRemainder(dividingBy: UTCDay.micros)
        daysSinceEpoch = remainder < 0 ? quotient - 1 : quotient
    }

    /// The day `year-month-day`, or `nil` when it does not exist.
    package init?(year: Int64, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= UTCDay.daysIn(month: month, year: year),
            (-1_000_000...1_000_000).contains(year)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        daysSinceEpoch = era * 146_097 + dayOfEra - 719_468
    }

    /// The day an ISO `YYYY-MM-DD` text names (exactly four year digits, two
    /// month and two day digits); `nil` for any other text or a date that does
    /// not exist.
    package init?(isoDate text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int64(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// 00:00:00 UTC of this day in Unix microseconds (saturating at the `Int64` bounds).
    package var startUs: Int64 {
        let (value, overflow) = daysSinceEpoch.multipliedReportingOverflow(by: UTCDay.micros)
        return overflow ? (daysSinceEpoch < 0 ? .min : .max) : value
    }

    /// The civil date of this day.
    package var civil: (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    package var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let shifted = (daysSinceEpoch + 3) % 7
        return Int(shifted < 0 ? shifted + 7 : shifted) + 1
    }

    /// The day `count` days later (earlier when negative).
    package func adding(days count: Int64) -> UTCDay { UTCDay(daysSinceEpoch: daysSinceEpoch + count) }

    /// The first day of this day's month.
    package var firstOfMonth: UTCDay {
        let date = civil
        return UTCDay(year: date.year, month: date.month, day: 1) ?? self
    }

    /// The first day of the month after this day's month.
    package var firstOfNextMonth: UTCDay {
        let date = civil
        let next = date.month == 12 ? (date.year + 1, 1) : (date.year, date.month + 1)
        return UTCDay(year: next.0, month: next.1, day: 1) ?? self
    }

    /// `YYYY-MM-DD`.
    package var isoDate: String {
        let date = civil
        return Self.pad(date.year, 4) + "-" + Self.pad(Int64(date.month), 2) + "-" + Self.pad(Int64(date.day), 2)
    }

    package static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    static func daysIn(month: Int, year: Int64) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
        return value < 0 ? "-" + padded : padded
    }
}

/// ISO-8601 UTC renderings of Unix-microsecond instants, as reports show them.
package enum ISO8601 {
    /// `YYYY-MM-DDTHH:MM:SSZ` (sub-second digits dropped), the form spreadsheets
    /// and every ISO-8601 parser read as UTC.
    package static func timestamp(_ us: Int64) -> String {
        let day = UTCDay(containing: us)
        let secondsOfDay = (us - day.startUs) / 1_000_000
        let hours = secondsOfDay / 3_600, minutes = secondsOfDay / 60 % 60, seconds = secondsOfDay % 60
        return day.isoDate + "T" + UTCDay.pad(hours, 2) + ":" + UTCDay.pad(minutes, 2) + ":" + UTCDay.pad(seconds, 2) + "Z"
    }
}
