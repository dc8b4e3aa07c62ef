import Foundation

/// What `deploy/dev test` provides to every test: a throwaway PostgreSQL server
/// and a directory of certificates made by `deploy/certs.sh`.
///
/// Tests that need these fail loudly when they are missing; they never skip.
public enum TestEnvironment {
    public struct Missing: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: run the tests with `deploy/dev test`, which starts PostgreSQL and makes the certificates"
        }
    }

    /// libpq connection string of the test server's maintenance database (`postgres`).
    public static func databaseURL() throws -> String {
        try value("PURSER_TEST_DATABASE_URL")
    }

    /// Directory holding `ca.pem`, `<name>.pem` and `<name>.key` for every service and test identity.
    public static func certificatesDirectory() throws -> String {
        try value("PURSER_TEST_CERTS")
    }

    /// Path of the certificate `<name>.pem` in the test certificate directory.
    public static func certificate(_ name: String) throws -> String {
        try certificatesDirectory() + "/\(name).pem"
    }

    /// Path of the private key `<name>.key` in the test certificate directory.
    public static func privateKey(_ name: String) throws -> String {
        try certificatesDirectory() + "/\(name).key"
    }

    /// Root of the source checkout (where `Package.swift` is).
    public static func repositoryRoot(file: StaticString = #filePath) -> String {
        var url = URL(fileURLWithPath: "\(file)")
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
        }
        return FileManager.default.currentDirectoryPath
    }

    static func value(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw Missing(variable: name)
        }
        return value
    }
}

extension TestEnvironment {
    /// Why restarting the test server failed.
    public struct RestartFailed: Error, CustomStringConvertible {
        public let status: Int32
        public var description: String { "pg_ctl restart exited with status \(status)" }
    }

    /// Restarts the test PostgreSQL server (`pg_ctl restart -m fast`, as user
    /// `postgres`), cutting every open connection. Only for tests in suites
    /// named `Disruptive…`, which `deploy/dev test` runs in a separate pass.
    public static func restartPostgres() async throws {
        let data = try value("PURSER_TEST_PGDATA")
        let bin = try value("PURSER_TEST_PGBIN")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = [
            "-u", "postgres", "--", "\(bin)/pg_ctl", "-D", data, "-l", "\(data)/server.log", "-w", "-t", "60",
            "restart", "-m", "fast",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else { throw RestartFailed(status: status) }
    }
}
