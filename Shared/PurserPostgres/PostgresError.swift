import CLibPQ

/// Every failure of the PostgreSQL layer: server errors with their SQLSTATE and
/// diagnostic fields, lost connections, decoding mistakes and pool states.
///
/// `kind.reason` is a stable snake_case code; `isRetryable` says whether the
/// same work may succeed if tried again (lost connection, serialization
/// failure, deadlock, server unavailable).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible set of stable codes.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// Stable snake_case code.
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        /// The kind of a server error with this SQLSTATE.
        public init(sqlState: String) { self = PostgresError.kind(forSQLState: sqlState) }
        public var description: String { reason }

        /// The connection broke (server restart, network); the statement's outcome
        /// is unknown unless stated otherwise.
        public static let connectionLost = Kind("connection_lost")
        /// No connection could be opened.
        public static let unavailable = Kind("unavailable")
        /// SQLSTATE 40001.
        public static let serializationFailure = Kind("serialization_failure")
        /// SQLSTATE 40P01.
        public static let deadlock = Kind("deadlock")
        /// SQLSTATE 23505; `constraint` names the index.
        public static let uniqueViolation = Kind("unique_violation")
        /// SQLSTATE 23503.
        public static let foreignKeyViolation = Kind("foreign_key_violation")
        /// SQLSTATE 23514; `constraint` names the check.
        public static let checkViolation = Kind("check_violation")
        /// SQLSTATE 23502.
        public static let notNullViolation = Kind("not_null_violation")
        /// SQLSTATE 57014: statement_timeout or cancel.
        public static let queryCanceled = Kind("query_canceled")
        /// SQLSTATE 55P03: lock_timeout or NOWAIT.
        public static let lockNotAvailable = Kind("lock_not_available")
        /// Any other server error; see `sqlState`.
        public static let server = Kind("server_error")
        /// A column could not be decoded into the requested Swift type.
        public static let decoding = Kind("decoding_error")
        /// A parameter cannot be sent (e.g. a string holding NUL).
        public static let invalidParameter = Kind("invalid_parameter")
        /// The pool was closed.
        public static let poolClosed = Kind("pool_closed")
        /// The operation did not finish within its time limit.
        public static let timedOut = Kind("timed_out")
        /// Migrations are inconsistent with what the database recorded.
        public static let migration = Kind("migration_error")
    }

    /// What went wrong; `kind.reason` is the stable code.
    public var kind: Kind
    /// Primary message.
    public var message: String
    /// Five-character SQLSTATE for server errors.
    public var sqlState: String?
    /// The server's DETAIL line (e.g. the duplicate key).
    public var detail: String?
    /// The server's HINT line.
    public var hint: String?
    /// Name of the violated constraint or unique index.
    public var constraint: String?
    /// Schema, table and column the error refers to, when the server says.
    public var schema: String?
    public var table: String?
    public var column: String?

    /// An error of `kind`; server errors also carry their diagnostic fields.
    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, schema: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
    }

    /// Whether running the same work again may succeed.
    public var isRetryable: Bool {
        kind == .connectionLost || kind == .unavailable || kind == .serializationFailure || kind == .deadlock
    }

    public var description: String {
        var text = "\(kind.reason): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let constraint { text += " constraint=\(constraint)" }
        if let detail { text += " detail=\(detail)" }
        return text
    }

    /// Maps a SQLSTATE to its kind.
    static func kind(forSQLState state: String) -> Kind {
        switch state {
        case "40001": return .serializationFailure
        case "40P01": return .deadlock
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23514": return .checkViolation
        case "23502": return .notNullViolation
        case "57014": return .queryCanceled
        case "55P03": return .lockNotAvailable
        case "57P01", "57P02": return .connectionLost
        case "57P03", "53300": return .unavailable
        default: return state.hasPrefix("08") ? .connectionLost : .server
        }
    }

    /// Builds an error from a failed result; a dead connection wins over the
    /// reported SQLSTATE because the session is gone either way.
    static func from(result: OpaquePointer?, connection: OpaquePointer?) -> PostgresError {
        let connectionBad = connection.map { PQstatus($0) == CONNECTION_BAD } ?? true
        guard let result else {
            return PostgresError(.connectionLost, connectionMessage(connection))
        }
        func field(_ code: UInt8) -> String? {
            guard let pointer = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: pointer)
        }
        let state = field(UInt8(ascii: "C"))
        var kind = state.map(kind(forSQLState:)) ?? .connectionLost
        if connectionBad { kind = .connectionLost }
        let primary = field(UInt8(ascii: "M")) ?? connectionMessage(connection)
        return PostgresError(
            kind, primary, sqlState: state, detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")),
            constraint: field(UInt8(ascii: "n")), schema: field(UInt8(ascii: "s")),
            table: field(UInt8(ascii: "t")), column: field(UInt8(ascii: "c")))
    }

    static func connectionMessage(_ connection: OpaquePointer?) -> String {
        guard let connection, let pointer = PQerrorMessage(connection) else { return "no connection" }
        let text = String(cString: pointer).trimmingCharacters(in: "\n ")
        return text.isEmpty ? "connection to the server was lost" : text
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        return String(scalars)
    }
}
