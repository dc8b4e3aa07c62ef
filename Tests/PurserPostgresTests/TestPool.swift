import PurserKit
import PurserPostgres
import PurserTestSupport

/// Runs `body` with a pool on a fresh database of its own, then closes the pool
/// and drops the database, awaited, whether `body` returned or threw.
func withPool<T>(_ label: String, size: Int = 4, _ body: (PostgresPool) async throws -> T) async throws -> T {
    let url = try await TestDatabase.create(label: label)
    let pool = PostgresPool(
        configuration: TestDatabase.configuration(url: url, size: size, applicationName: "purser-tests"),
        logger: Logger(label: label, level: .error))
    let value: T
    do {
        value = try await body(pool)
    } catch {
        await pool.close()
        try? await TestDatabase.drop(url: url)
        throw error
    }
    await pool.close()
    try await TestDatabase.drop(url: url)
    return value
}
