import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Whether the suites that stop or restart the shared test server (named
    /// `Disruptive…`) run in this process: only when `PURSER_TEST_DISRUPTIVE=1`,
    /// which `deploy/dev test` sets. A plain `swift test` runs every suite at
    /// once, and a restart there would cut the connections of all the others.
    public static var runsDisruptiveSuites: Bool {
        ProcessInfo.processInfo.environment["PURSER_TEST_DISRUPTIVE"] == "1"
    }

    /// Throws `Missing` unless this process can stop and start the test server
    /// (`PURSER_TEST_PGDATA` and `PURSER_TEST_PGBIN` set). A disruptive suite
    /// calls it first, so that asking for it without a restartable server fails
    /// the run instead of skipping.
    public static func requireRestartablePostgres() throws {
        _ = try value("PURSER_TEST_PGDATA")
        _ = try value("PURSER_TEST_PGBIN")
    }

    /// Restarts the test PostgreSQL server (`pg_ctl restart -m fast`, as user
    /// `postgres`), cutting every open connection. Only for tests in suites
    /// named `Disruptive…`, which `deploy/dev test` runs in a separate pass.
    public static func restartPostgres() async throws {
        let data = try value("PURSER_TEST_PGDATA")
        let bin = try value("PURSER_TEST_PGBIN")
        let arguments = [
            "/usr/sbin/runuser", "-u", "postgres", "--", "\(bin)/pg_ctl", "-D", data, "-l", "\(data)/server.log",
            "-w", "-t", "60", "restart", "-m", "fast",
        ]
        let status = try await run(arguments)
        guard status == 0 else { throw RestartFailed(status: status) }
    }

    /// Spawns `arguments[0]` with its output discarded and waits for its exit
    /// status on a dedicated thread (`waitpid` blocks that thread only).
    static func run(_ arguments: [String]) async throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let copies = arguments.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var argv = copies + [nil]
        let spawned: Int32 = argv.withUnsafeMutableBufferPointer { argv in
            guard let base = argv.baseAddress else { return EINVAL }
            return posix_spawn(&pid, arguments[0], &actions, nil, base, environ)
        }
        guard spawned == 0 else { throw RestartFailed(status: -spawned) }
        let child = pid
        return await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0, errno == EINTR {}
                let exited = (status & 0x7f) == 0
                continuation.resume(returning: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }.start()
        }
    }
}
