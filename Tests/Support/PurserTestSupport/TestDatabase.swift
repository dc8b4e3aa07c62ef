import Foundation
import PurserKit
import PurserPostgres
import Synchronization

/// Fresh databases on the test server, one per suite, so suites running in
/// parallel never see each other's tables.
public enum TestDatabase {
    private static let counter = Atomic<Int>(0)

    /// Bound on opening one connection to the test server. A target's tests
    /// start together, so on a machine of two cores a session may wait seconds
    /// behind hundreds of others; a test fixture waits this long before failing.
    public static let connectTimeout: Duration = .seconds(30)

    /// At most this many of a process's databases are created or dropped at
    /// once; the rest queue instead of meeting the server in one burst.
    private static let gate = AsyncGate(limit: 4)

    /// Creates an empty database named after `label` (plus process id, a counter
    /// and random bits, so names never collide) and returns its connection URL.
    public static func create(label: String) async throws -> String {
        let maintenanceURL = try TestEnvironment.databaseURL()
        let cleaned = label.lowercased().unicodeScalars.map { scalar -> Character in
            (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") ? Character(scalar) : "_"
        }
        let sequence = counter.add(1, ordering: .relaxed).newValue
        let suffix = "\(getpid())_\(sequence)_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let name = "t_" + String(String(cleaned).prefix(63 - 3 - suffix.count)) + "_" + suffix
        try await maintenance(maintenanceURL, "CREATE DATABASE \"\(name)\"")
        return url(maintenanceURL, database: name)
    }

    /// Drops the database `url` names (made by `create(label:)`), closing any
    /// session still connected to it. Dropping one that is gone is not an error.
    public static func drop(url: String) async throws {
        guard let name = databaseName(url), name.hasPrefix("t_") else { return }
        try await maintenance(try TestEnvironment.databaseURL(), "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
    }

    /// A pool configured for the test server: `size` sessions, each opened within `connectTimeout`.
    public static func configuration(url: String, size: Int, applicationName: String) -> PostgresConfiguration {
        PostgresConfiguration(url: url, size: size, applicationName: applicationName, connectTimeout: connectTimeout)
    }

    /// Runs `statement` in the maintenance database at `url`, through the gate.
    private static func maintenance(_ url: String, _ statement: String) async throws {
        try await gate.run {
            let pool = PostgresPool(
                configuration: configuration(url: url, size: 1, applicationName: "purser-tests"),
                logger: Logger(label: "test-database", level: .error))
            do {
                try await pool.withConnection { connection in try connection.executeScript(statement) }
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
        }
    }

    /// The database name in `url` (the path of a URL, or `dbname=` of a key-value string).
    static func databaseName(_ url: String) -> String? {
        let base = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        if let scheme = base.range(of: "://") {
            guard let slash = base[scheme.upperBound...].firstIndex(of: "/") else { return nil }
            let name = String(base[base.index(after: slash)...])
            return name.isEmpty ? nil : name
        }
        return base.split(separator: " ").first { $0.hasPrefix("dbname=") }.map { String($0.dropFirst("dbname=".count)) }
    }

    /// `url` with its database path replaced by `database`.
    static func url(_ url: String, database: String) -> String {
        var base = url
        var query = ""
        if let mark = base.firstIndex(of: "?") {
            query = String(base[mark...])
            base = String(base[..<mark])
        }
        guard let scheme = base.range(of: "://") else {
            return url + " dbname=\(database)"
        }
        if let slash = base[scheme.upperBound...].firstIndex(of: "/") {
            base = String(base[..<slash])
        }
        return base + "/" + database + query
    }
}
