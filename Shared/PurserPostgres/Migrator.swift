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
/// schema and `<schema>.schema_migrations(version, name, checksum, applied_at)`
/// and applies each missing migration in its own transaction (with the row
/// that records it and the SHA-256 of its text), so any number of processes
/// migrating at once apply every migration exactly once. A migration is a
/// text that never changes once applied: a recorded version whose name or
/// checksum differs from the code's is refused (`migration_error`, naming the
/// migration) and the service does not start, instead of silently running on
/// a schema that is not the one its code describes.
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
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """)
        let checksummed = try connection.query(
            """
            SELECT 1 FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'schema_migrations' AND column_name = 'checksum'
            """, [schema])
        guard !checksummed.isEmpty else {
            throw PostgresError(
                .migration,
                "\(schema).schema_migrations predates checksummed migrations (a database made before the baseline): "
                    + "recreate the database")
        }
        let rows = try connection.query("SELECT version, name, checksum FROM \(quoted).schema_migrations ORDER BY version")
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for row in rows {
            recorded[try row.decode(Int.self, at: 0)] = (try row.decode(String.self, at: 1), try row.decode(String.self, at: 2))
        }
        var applied: [Int] = []
        for migration in migrations {
            if let record = recorded[migration.version] {
                guard record.name == migration.name else {
                    throw PostgresError(
                        .migration,
                        "\(schema) migration \(migration.version) was applied as \"\(record.name)\" but is now \"\(migration.name)\"")
                }
                let checksum = try connection.query(
                    "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [migration.sql])[0].decode(String.self, at: 0)
                guard record.checksum == checksum else {
                    throw PostgresError(
                        .migration,
                        "\(schema) migration \(migration.version) (\(migration.name)) has changed since it was applied "
                            + "(checksum \(record.checksum.prefix(12)), now \(checksum.prefix(12))): add a new migration instead")
                }
                continue
            }
            do {
                try connection.executeScript("BEGIN; SET LOCAL search_path TO \(quoted), public")
                try connection.executeScript(migration.sql)
                try connection.execute(
                    """
                    INSERT INTO \(quoted).schema_migrations (version, name, checksum)
                    VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))
                    """, [migration.version, migration.name, migration.sql])
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
