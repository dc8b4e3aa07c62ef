import Foundation
import Testing
import PurserKit
import PurserPostgres
import PurserTestSupport

/// The throwaway databases tests make are dropped when asked, even while a session is still connected.
@Suite struct TestDatabaseTests {
    @Test func aDroppedTestDatabaseIsGoneEvenWithASessionOpen() async throws {
        let url = try await TestDatabase.create(label: "drop_me")
        let name = try #require(url.split(separator: "/").last.map { String($0.split(separator: "?")[0]) })
        let open = PostgresPool(
            configuration: TestDatabase.configuration(url: url, size: 1, applicationName: "purser-tests"),
            logger: Logger(label: "drop_me", level: .critical))
        try await open.ping()
        try await TestDatabase.drop(url: url)
        await open.close()
        let maintenance = PostgresPool(
            configuration: TestDatabase.configuration(url: try TestEnvironment.databaseURL(), size: 1, applicationName: "purser-tests"),
            logger: Logger(label: "drop_me", level: .error))
        let remaining = try await maintenance.withConnection { connection in
            try connection.query("SELECT count(*) FROM pg_database WHERE datname = $1", [name])[0].decode(Int64.self, at: 0)
        }
        await maintenance.close()
        #expect(remaining == 0)
        try await TestDatabase.drop(url: url)
    }
}
