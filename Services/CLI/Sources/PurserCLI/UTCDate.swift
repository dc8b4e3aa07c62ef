import PurserKit

/// How the CLI reads and shows dates and instants. The calendar arithmetic is
/// PurserKit's `UTCDay`; this adds only the CLI's conventions (`--from`/`--to`
/// day texts, "-" for an unset instant).
public enum UTCDate {
    static let microsPerDay: Int64 = UTCDay.micros

    /// Parses `YYYY-MM-DD` into the Unix µs of that day's 00:00:00 UTC; nil when not a real date.
    public static func startOfDay(parsing text: String) -> Int64? {
        UTCDay(isoDate: text)?.startUs
    }

    /// 00:00:00 UTC of the day containing `us`.
    public static func startOfDay(containing us: Int64) -> Int64 {
        UTCDay(containing: us).startUs
    }

    /// `YYYY-MM-DD` of the day containing `us`.
    public static func day(_ us: Int64) -> String {
        UTCDay(containing: us).isoDate
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (seconds precision); "-" for 0 (unset).
    public static func timestamp(_ us: Int64) -> String {
        us == 0 ? "-" : ISO8601.timestamp(us)
    }
}
