import Foundation

extension Interval {
    /// The fixed window of this interval that contains `date`, in `timeZone`:
    /// `[start, end)`. Local days run from midnight to midnight, so they last
    /// 23 or 25 hours across daylight-saving changes; weeks are ISO weeks
    /// starting Monday; months start on the 1st. `nil` for `perTask` and
    /// `lifetime`, which have no time window.
    public func window(containing date: Date, timeZone: TimeZone) -> DateInterval? {
        let calendar = Calendar.policy(timeZone)
        switch self {
        case .perTask, .lifetime:
            return nil
        case .hourly:
            // The local clock hour at the current UTC offset, cut short where
            // the offset changes inside it (zones that shift by 30 minutes).
            let offset = Double(timeZone.secondsFromGMT(for: date))
            let local = date.timeIntervalSince1970 + offset
            var start = Date(timeIntervalSince1970: (local / 3600).rounded(.down) * 3600 - offset)
            var end = start.addingTimeInterval(3600)
            if let change = timeZone.nextDaylightSavingTimeTransition(after: start), change <= date {
                start = change
            }
            if let change = timeZone.nextDaylightSavingTimeTransition(after: date), change < end {
                end = change
            }
            return DateInterval(start: start, end: end)
        case .daily:
            let start = calendar.startOfDay(for: date)
            return interval(from: start, adding: .day, value: 1, calendar)
        case .weekly:
            let day = calendar.startOfDay(for: date)
            let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday … 7 = Saturday
            let daysSinceMonday = (weekday + 5) % 7
            guard let monday = calendar.date(byAdding: .day, value: -daysSinceMonday, to: day) else { return nil }
            return interval(from: calendar.startOfDay(for: monday), adding: .day, value: 7, calendar)
        case .monthly:
            let parts = calendar.dateComponents([.year, .month], from: date)
            guard let first = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 1))
            else { return nil }
            let start = calendar.startOfDay(for: first)
            return interval(from: start, adding: .month, value: 1, calendar)
        }
    }

    /// The stable key of the window containing `date`, used by the Wallet as
    /// part of a counter's primary key:
    ///
    /// - hourly: `h:2026-11-21T13+01:00` (local hour and UTC offset, so the
    ///   hour repeated when clocks go back is a separate window)
    /// - daily: `d:2026-11-21`; weekly: `w:2026-W47` (ISO week-numbering year);
    ///   monthly: `m:2026-11`; lifetime: `life`
    /// - per task: `task:<taskID>`; `nil` when the spend carries no task id
    ///   (the call is then checked on its own and no counter is kept).
    ///
    /// Two instants share a key exactly when they fall in the same window.
    public func windowKey(containing date: Date, timeZone: TimeZone, taskID: String? = nil) -> String? {
        let calendar = Calendar.policy(timeZone)
        switch self {
        case .perTask:
            guard let taskID, !taskID.isEmpty else { return nil }
            return "task:" + taskID
        case .lifetime:
            return "life"
        case .hourly:
            let parts = calendar.dateComponents([.year, .month, .day, .hour], from: date)
            let offset = timeZone.secondsFromGMT(for: date)
            let sign = offset < 0 ? "-" : "+"
            let minutes = abs(offset) / 60
            return "h:" + datePart(parts) + "T" + pad(parts.hour, 2) + sign + pad(minutes / 60, 2) + ":"
                + pad(minutes % 60, 2)
        case .daily:
            return "d:" + datePart(calendar.dateComponents([.year, .month, .day], from: date))
        case .weekly:
            let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            return "w:" + pad(parts.yearForWeekOfYear, 4) + "-W" + pad(parts.weekOfYear, 2)
        case .monthly:
            let parts = calendar.dateComponents([.year, .month], from: date)
            return "m:" + pad(parts.year, 4) + "-" + pad(parts.month, 2)
        }
    }

    private func interval(
        from start: Date, adding unit: Calendar.Component, value: Int, _ calendar: Calendar
    ) -> DateInterval? {
        guard let next = calendar.date(byAdding: unit, value: value, to: start) else { return nil }
        let end = calendar.startOfDay(for: next)
        guard end > start else { return nil }
        return DateInterval(start: start, end: end)
    }

    private func datePart(_ parts: DateComponents) -> String {
        pad(parts.year, 4) + "-" + pad(parts.month, 2) + "-" + pad(parts.day, 2)
    }

    private func pad(_ value: Int?, _ width: Int) -> String {
        let text = String(value ?? 0)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

extension Calendar {
    /// Gregorian calendar with ISO 8601 week rules (weeks start Monday; week 1
    /// holds the year's first Thursday) in the given zone.
    static func policy(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }
}
