/// A PostgreSQL type OID, for parameters and result columns.
public struct PostgresDataType: Sendable, Hashable, CustomStringConvertible {
    /// The type's OID in `pg_type`.
    public let oid: UInt32
    /// The type with this OID.
    public init(_ oid: UInt32) { self.oid = oid }
    public var description: String { "oid \(oid)" }

    /// Lets the server infer the type from context (used for text parameters and NULL).
    public static let unspecified = PostgresDataType(0)
    public static let bool = PostgresDataType(16)
    public static let bytea = PostgresDataType(17)
    public static let name = PostgresDataType(19)
    public static let int8 = PostgresDataType(20)
    public static let int2 = PostgresDataType(21)
    public static let int4 = PostgresDataType(23)
    public static let text = PostgresDataType(25)
    public static let json = PostgresDataType(114)
    public static let unknown = PostgresDataType(705)
    public static let bpchar = PostgresDataType(1042)
    public static let varchar = PostgresDataType(1043)
    public static let timestamp = PostgresDataType(1114)
    public static let timestamptz = PostgresDataType(1184)
    public static let numeric = PostgresDataType(1700)
    public static let uuid = PostgresDataType(2950)
    public static let jsonb = PostgresDataType(3802)
}

/// Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 UTC).
let postgresEpochOffsetSeconds: Double = 946_684_800
