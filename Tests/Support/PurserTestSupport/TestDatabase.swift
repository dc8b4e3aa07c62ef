import Foundation
import PurserKit
import PurserPostgres
import Synchronization

/// Fresh databases on the test server, one per suite, so suites running in
/// parallel never see each other's tables.
public enum TestDatabase {
    private static let counter = Atomic<Int>(0)

    /// Creates an empty database named after `label` (plus process id, a counter
    /// and random bits, so names never collide) and returns its connection URL.
    public static func create(label: String) async throws -> String {
        let maintenance = try TestEnvironment.databaseURL()
        let cleaned = label.lowercased().unicodeScalars.map { scalar -> Character in
            (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") ? Character(scalar) : "_"
        }
        let sequence = counter.add(1, ordering: .relaxed).newValue
        let suffix = "\(getpid())_\(sequence)_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let name = "t_" + String(String(cleaned).prefix(63 - 3 - suffix.count)) + "_" + suffix
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: maintenance, size: 1, applicationName: "purser-tests"),
            logger: Logger(label: "test-database", level: .error))
        do {
            try await pool.withConnection { connection in
                try connection.executeScript("CREATE DATABASE \"\(name)\"")
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        return url(maintenance, database: name)
    }

    /// Drops the database `url` names (made by `create(label:)`), closing any
    /// session still connected to it. Dropping one that is gone is not an error.
    public static func drop(url: String) async throws {
        guard let name = databaseName(url), name.hasPrefix("t_") else { return }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL(), size: 1, applicationName: "purser-tests"),
            logger: Logger(label: "test-database", level: .error))
        do {
            try await pool.withConnection { connection in
                try connection.executeScript("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
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
