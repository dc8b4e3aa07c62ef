/// The period a quantitative limit counts over. All time-based windows are
/// fixed (calendar-aligned) in the tenant's time zone, never rolling.
public enum Interval: String, Sendable, Hashable, Codable, CaseIterable {
    /// Counts spend carrying the same task id; no time window.
    case perTask = "per_task"
    /// The local clock hour.
    case hourly
    /// The local calendar day, midnight to midnight (23 or 25 hours across DST changes).
    case daily
    /// The ISO 8601 week, Monday 00:00 to the next Monday 00:00 local time.
    case weekly
    /// The local calendar month, from the 1st at 00:00.
    case monthly
    /// All spend ever; never resets.
    case lifetime
}
