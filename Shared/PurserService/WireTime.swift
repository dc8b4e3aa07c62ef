import PurserRPC

/// Times in requests: microseconds since the Unix epoch, as `int64 *_us`
/// fields carry them. The services turn them into PostgreSQL timestamps,
/// which end in year 294276 and are reached through float arithmetic, so a
/// time is accepted only up to the end of year 9999.
public enum WireTime {
    /// 9999-12-31T23:59:59.999999Z.
    public static let latestUs: Int64 = 253_402_300_799_999_999

    /// `us` when it is a time from the epoch to `latestUs`; INVALID_ARGUMENT
    /// naming `field` otherwise (0 is the epoch, which callers often read as
    /// "not set").
    public static func validated(_ us: Int64, field: String) throws(RPCError) -> Int64 {
        guard us >= 0, us <= latestUs else {
            throw RPCError.invalid(field, "must be a time from 1970 to 9999, in microseconds since the epoch")
        }
        return us
    }
}
