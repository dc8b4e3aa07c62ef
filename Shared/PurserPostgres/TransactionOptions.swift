import PurserKit

/// How `PostgresPool.withTransaction` runs a transaction.
public struct TransactionOptions: Sendable {
    /// SQL isolation levels.
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Isolation level of `BEGIN` (default READ COMMITTED).
    public var isolation: IsolationLevel
    /// `BEGIN … READ ONLY` when `true`.
    public var readOnly: Bool
    /// `SET LOCAL statement_timeout` for this transaction only.
    public var statementTimeout: Duration?
    /// `SET LOCAL lock_timeout` for this transaction only.
    public var lockTimeout: Duration?
    /// Further `SET LOCAL` settings (name, value), applied in order.
    public var settings: [(name: String, value: String)]
    /// Total tries of the body (first try included) on serialization failure,
    /// deadlock or a connection lost before COMMIT.
    public var maximumAttempts: Int
    /// Base of the jittered exponential backoff between tries.
    public var retryBackoff: Duration
    /// Cap of the backoff between tries.
    public var maximumRetryBackoff: Duration

    /// Options with the defaults suited to short OLTP transactions.
    public init(
        isolation: IsolationLevel = .readCommitted, readOnly: Bool = false,
        statementTimeout: Duration? = nil, lockTimeout: Duration? = nil,
        settings: [(name: String, value: String)] = [],
        maximumAttempts: Int = 8, retryBackoff: Duration = .milliseconds(2),
        maximumRetryBackoff: Duration = .milliseconds(200)
    ) {
        self.isolation = isolation
        self.readOnly = readOnly
        self.statementTimeout = statementTimeout
        self.lockTimeout = lockTimeout
        self.settings = settings
        self.maximumAttempts = max(1, maximumAttempts)
        self.retryBackoff = retryBackoff
        self.maximumRetryBackoff = maximumRetryBackoff
    }

    /// `BEGIN …` with the isolation level and access mode.
    var beginStatement: String {
        "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")"
    }

    /// Every `SET LOCAL` as (name, value), timeouts first, in milliseconds.
    var localSettings: [(name: String, value: String)] {
        var all: [(name: String, value: String)] = []
        if let statementTimeout { all.append(("statement_timeout", "\(max(1, statementTimeout.nanoseconds / 1_000_000))ms")) }
        if let lockTimeout { all.append(("lock_timeout", "\(max(1, lockTimeout.nanoseconds / 1_000_000))ms")) }
        return all + settings
    }
}
