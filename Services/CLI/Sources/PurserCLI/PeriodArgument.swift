/// The period a settlement command covers: `--from YYYY-MM-DD` (inclusive)
/// to `--to YYYY-MM-DD` (exclusive), both 00:00 UTC. Without `--from` the
/// period starts today (UTC); without `--to` it is one day long.
enum PeriodArgument {
    static func bounds(from command: ParsedCommand, nowUs: Int64) throws(UsageError) -> (startAtUs: Int64, endAtUs: Int64) {
        func day(_ flag: String) throws(UsageError) -> Int64? {
            guard let text = command.string(flag) else { return nil }
            guard let us = UTCDate.startOfDay(parsing: text) else {
                throw UsageError(reason: "invalid_value", "--\(flag): \"\(text)\" is not a date (YYYY-MM-DD)", path: command.path)
            }
            return us
        }
        let start = try day("from") ?? UTCDate.startOfDay(containing: nowUs)
        let end = try day("to") ?? start + UTCDate.microsPerDay
        guard end > start else {
            throw UsageError(reason: "invalid_value", "--to must be after --from", path: command.path)
        }
        return (start, end)
    }
}
