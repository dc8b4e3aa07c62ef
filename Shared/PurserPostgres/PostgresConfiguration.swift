import PurserKit

/// How a `PostgresPool` connects and behaves.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection string or URL (`postgresql://user@host:port/db`).
    public var url: String
    /// Number of connections, each owned by its own thread.
    public var size: Int
    /// `application_name` reported to the server (visible in `pg_stat_activity`).
    public var applicationName: String
    /// Bound on establishing one connection (libpq `connect_timeout`, whole seconds, at least 1).
    public var connectTimeout: Duration
    /// Longest wait between reconnection attempts after failures (backoff doubles up to this).
    public var maximumReconnectBackoff: Duration
    /// Prepared statements kept per connection before the cache is reset.
    public var preparedStatementCacheSize: Int

    /// - Parameters mirror the properties; defaults suit a service with moderate load.
    public init(
        url: String, size: Int = 8, applicationName: String = "purser",
        connectTimeout: Duration = .seconds(5), maximumReconnectBackoff: Duration = .seconds(2),
        preparedStatementCacheSize: Int = 512
    ) {
        self.url = url
        self.size = max(1, size)
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.maximumReconnectBackoff = maximumReconnectBackoff
        self.preparedStatementCacheSize = max(8, preparedStatementCacheSize)
    }
}
