import PurserKit

/// One schema change: applied once, in version order, inside a transaction.
public struct Migration: Sendable, Hashable {
    /// Strictly increasing positive number; never reuse or renumber.
    public let version: Int
    /// Short description recorded with the version.
    public let name: String
    /// One or more SQL statements; unqualified names resolve to the schema first.
    public let sql: String

    /// A migration; `version` orders it and must never change once released.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Brings a service's schema up to date.
///
/// `run(on:)` holds `pg_advisory_lock(hashtext(schema))` while it creates the
/// schema and `<schema>.schema_migrations(version, name, applied_at)` and
/// applies each missing migration in its own transaction (with the row that
/// records it), so any number of processes migrating at once apply every
/// migration exactly once. A recorded version whose name differs from the
/// code's is refused (`migration_error`) instead of silently skipped.
public struct Migrator: Sendable {
    /// The schema the service owns (also keys the advisory lock).
    public let schema: String
    /// Every migration of the schema, sorted by version.
    public let migrations: [Migration]

    /// A migrator for `schema`; `migrations` may be given in any order.
    public init(schema: String, migrations: [Migration]) {
        self.schema = schema
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies what is missing; returns the versions the successful attempt applied.
    /// A retryable failure (the server restarting at start-up) is retried up to
    /// `attempts` times with backoff; each migration is atomic, so a retry
    /// resumes where the last one stopped.
    @discardableResult
    public func run(on pool: PostgresPool, attempts: Int = 5, logger: Logger? = nil) async throws -> [Int] {
        try validate()
        let schema = self.schema, migrations = self.migrations
        var backoff = Backoff(base: .milliseconds(100), maximum: .seconds(2))
        var applied: [Int] = []
        for attempt in 1...max(1, attempts) {
            do {
                applied = try await pool.withConnection { connection -> [Int] in
                    _ = try connection.query("SELECT pg_advisory_lock(hashtext($1))", [schema])
                    defer { _ = try? connection.query("SELECT pg_advisory_unlock(hashtext($1))", [schema]) }
                    return try Migrator.apply(migrations, schema: schema, on: connection)
                }
                break
            } catch let error as PostgresError where error.isRetryable && attempt < attempts {
                logger?.warning("migration retry", ["schema": schema, "error": error.message])
                try await Task.sleep(for: backoff.next())
            }
        }
        for version in applied {
            logger?.info("migration applied", ["schema": schema, "version": String(version)])
        }
        return applied
    }

    private func validate() throws(PostgresError) {
        var previous = 0
        for migration in migrations {
            guard migration.version > previous else {
                throw PostgresError(.migration, "migration versions must be positive and unique (\(migration.version) in \(schema))")
            }
            previous = migration.version
        }
    }

    private static func apply(_ migrations: [Migration], schema: String, on connection: PostgresConnection) throws -> [Int] {
        let quoted = quoteIdentifier(schema)
        try connection.executeScript("""
            CREATE SCHEMA IF NOT EXISTS \(quoted);
            CREATE TABLE IF NOT EXISTS \(quoted).schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """)
        let rows = try connection.query("SELECT version, name FROM \(quoted).schema_migrations ORDER BY version")
        var recorded: [Int: String] = [:]
        for row in rows {
            recorded[try row.decode(Int.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        var applied: [Int] = []
        for migration in migrations {
            if let name = recorded[migration.version] {
                guard name == migration.name else {
                    throw PostgresError(
                        .migration,
                        "\(schema) migration \(migration.version) was applied as \"\(name)\" but is now \"\(migration.name)\"")
                }
                continue
            }
            do {
                try connection.executeScript("BEGIN; SET LOCAL search_path TO \(quoted), public")
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO \(quoted).schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name])
                try connection.executeScript("COMMIT")
            } catch var error {
                if connection.isInTransaction { try? connection.executeScript("ROLLBACK") }
                error.message = "\(schema) migration \(migration.version) (\(migration.name)): " + error.message
                throw error
            }
            applied.append(migration.version)
        }
        return applied
    }
}
