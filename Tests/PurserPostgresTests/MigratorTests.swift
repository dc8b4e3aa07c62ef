import Testing
import PurserKit
import PurserPostgres
import PurserTestSupport

@Suite struct MigratorTests {
    static let migrations = [
        Migration(version: 1, name: "accounts", sql: """
            CREATE TABLE accounts (tenant_id uuid NOT NULL, id uuid NOT NULL, balance int8 NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, id));
            CREATE TABLE runs (n serial PRIMARY KEY);
            """),
        Migration(version: 2, name: "holds", sql: "CREATE TABLE holds (id uuid PRIMARY KEY); INSERT INTO runs DEFAULT VALUES;"),
    ]

    @Test func appliesMissingMigrationsOnceAndInOrder() async throws {
        try await withPool("migrate_once", size: 2) { pool in
            let first = try await Migrator(schema: "wallet", migrations: Self.migrations.reversed()).run(on: pool)
            #expect(first == [1, 2])
            let second = try await Migrator(schema: "wallet", migrations: Self.migrations).run(on: pool)
            #expect(second == [])
            let third = Self.migrations + [Migration(version: 3, name: "index", sql: "CREATE INDEX ON accounts (balance)")]
            #expect(try await Migrator(schema: "wallet", migrations: third).run(on: pool) == [3])
            let recorded = try await pool.withConnection { connection in
                try connection.query("SELECT version, name FROM wallet.schema_migrations ORDER BY version").map {
                    "\(try $0.decode(Int.self, at: 0)):\(try $0.decode(String.self, at: 1))"
                }
            }
            #expect(recorded == ["1:accounts", "2:holds", "3:index"])
        }
    }

    @Test func concurrentMigratorsFromTwoPoolsApplyExactlyOnce() async throws {
        let url = try await TestDatabase.create(label: "migrate_race")
        let pools = (0..<2).map { _ in
            PostgresPool(configuration: TestDatabase.configuration(url: url, size: 2, applicationName: "purser-tests"), logger: Logger(label: "m", level: .error))
        }
        try await using(pools, cleanup: { pools in
            for pool in pools { await pool.close() }
            try await TestDatabase.drop(url: url)
        }) { pools in
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for pool in pools {
                    for _ in 0..<3 {
                        group.addTask { try await Migrator(schema: "policy", migrations: Self.migrations).run(on: pool) }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == [1, 2])
            let runs = try await pools[0].withConnection { try $0.query("SELECT count(*) FROM policy.runs")[0][0, as: Int64.self] }
            #expect(runs == 1)
        }
    }

    @Test func aFailingMigrationLeavesNoTraceAndNamesItself() async throws {
        try await withPool("migrate_fail", size: 1) { pool in
            let broken = [
                Self.migrations[0],
                Migration(version: 2, name: "broken", sql: "CREATE TABLE half (id int); SELECT no_such_function();"),
            ]
            do {
                try await Migrator(schema: "email", migrations: broken).run(on: pool)
                Issue.record("broken migration succeeded")
            } catch let error as PostgresError {
                #expect(error.message.contains("email migration 2 (broken)"))
            }
            let state = try await pool.withConnection { connection in
                (
                    try connection.query("SELECT count(*) FROM email.schema_migrations")[0][0, as: Int64.self],
                    try connection.query("SELECT to_regclass('email.half') IS NULL")[0][0, as: Bool.self]
                )
            }
            #expect(state.0 == 1)
            #expect(state.1)
        }
    }

    @Test func renamedOrDuplicateVersionsAreRefused() async throws {
        try await withPool("migrate_mismatch", size: 1) { pool in
            try await Migrator(schema: "identity", migrations: [Self.migrations[0]]).run(on: pool)
            let renamed = [Migration(version: 1, name: "renamed", sql: Self.migrations[0].sql)]
            let renaming = await #expect(throws: PostgresError.self) { try await Migrator(schema: "identity", migrations: renamed).run(on: pool) }
            #expect(renaming?.kind == .migration)
            #expect(renaming?.message == "identity migration 1 was applied as \"\(Self.migrations[0].name)\" but is now \"renamed\"")
            let duplicate = [Self.migrations[0], Migration(version: 1, name: "again", sql: "SELECT 1")]
            let duplicating = await #expect(throws: PostgresError.self) { try await Migrator(schema: "identity", migrations: duplicate).run(on: pool) }
            #expect(duplicating?.kind == .migration)
            #expect(duplicating?.message == "migration versions must be positive and unique (1 in identity)")
        }
    }

    @Test func anAppliedMigrationWhoseTextChangedIsRefusedNamingIt() async throws {
        try await withPool("migrate_changed", size: 1) { pool in
            try await Migrator(schema: "settlement", migrations: Self.migrations).run(on: pool)
            let edited = [Self.migrations[0], Migration(version: 2, name: "holds", sql: Self.migrations[1].sql + " -- edited")]
            do {
                try await Migrator(schema: "settlement", migrations: edited).run(on: pool)
                Issue.record("a changed applied migration was accepted")
            } catch let error as PostgresError {
                #expect(error.kind == .migration)
                #expect(error.message.contains("settlement migration 2 (holds)"), "\(error.message)")
                #expect(error.message.contains("changed since it was applied"), "\(error.message)")
            }
            #expect(try await Migrator(schema: "settlement", migrations: Self.migrations).run(on: pool) == [])
        }
    }
}
