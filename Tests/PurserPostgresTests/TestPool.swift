import PurserKit
import PurserPostgres
import PurserTestSupport

/// A pool on a fresh database of its own.
func makePool(_ label: String, size: Int = 4) async throws -> PostgresPool {
    let url = try await TestDatabase.create(label: label)
    return PostgresPool(
        configuration: PostgresConfiguration(url: url, size: size, applicationName: "purser-tests"),
        logger: Logger(label: label, level: .error))
}
