import Foundation

/// The shared test PostgreSQL server that `deploy/dev test` started
/// (`PURSER_TEST_PGDATA`, `PURSER_TEST_PGBIN`), stopped and started with
/// `pg_ctl` as user `postgres`. Only for suites named `Disruptive…`, which run
/// alone after every other suite.
enum PostgresServer {
    struct ControlFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// When an outage made by `restart(downFor:)` began and ended.
    struct Outage: Sendable {
        /// `pg_ctl stop` was started.
        let stopCalled: ContinuousClock.Instant
        /// The server was gone.
        let stopped: ContinuousClock.Instant
        /// `pg_ctl start` was started.
        let startCalled: ContinuousClock.Instant
        /// The server accepted connections again.
        let accepting: ContinuousClock.Instant
    }

    /// Stops the server, keeps it down for `duration`, and starts it again;
    /// it is started again even when the waiting task is cancelled.
    static func restart(downFor duration: Duration) async throws -> Outage {
        let clock = ContinuousClock()
        let stopCalled = clock.now
        try await stop()
        let stopped = clock.now
        try? await Task.sleep(for: duration)
        let startCalled = clock.now
        try await start()
        return Outage(stopCalled: stopCalled, stopped: stopped, startCalled: startCalled, accepting: clock.now)
    }

    /// `pg_ctl stop -m fast`: every session is cut and the server is gone when this returns.
    static func stop() async throws {
        try await control(["-w", "-t", "60", "stop", "-m", "fast"])
    }

    /// `pg_ctl start -w` with the options the server last ran with (its port,
    /// socket directory and settings, from `postmaster.opts`): returns once the
    /// server accepts connections.
    static func start() async throws {
        let data = try variable("PURSER_TEST_PGDATA")
        let recorded = try String(contentsOfFile: "\(data)/postmaster.opts", encoding: .utf8)
        let options = serverOptions(recorded).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        try await control(["-l", "\(data)/server.log", "-w", "-t", "60", "-o", options.joined(separator: " "), "start"])
    }

    /// The server's own arguments in `postmaster.opts`, which PostgreSQL writes
    /// as the unquoted program path followed by every argument in double quotes
    /// (unescaped): all of them but the data directory, which `pg_ctl -D` gives.
    static func serverOptions(_ recorded: String) -> [String] {
        let pieces = recorded.split(separator: "\"", omittingEmptySubsequences: false)
        let arguments = pieces.indices.filter { $0 % 2 == 1 }.map { String(pieces[$0]) }
        var options: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            if arguments[index] == "-D" {
                index += 2
                continue
            }
            options.append(arguments[index])
            index += 1
        }
        return options
    }

    private static func control(_ arguments: [String]) async throws {
        let data = try variable("PURSER_TEST_PGDATA")
        let bin = try variable("PURSER_TEST_PGBIN")
        // `pg_ctl start` leaves the server running as a grandchild. Foundation's
        // `Process` sees a child exit when every holder of a socket the child
        // inherited has closed it, so the server must not inherit this process's
        // descriptors: Python's `subprocess` closes them (`close_fds`) before pg_ctl runs.
        let launcher = ["-c", "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"]
        let result = try await ChildProcess.run(
            "/usr/bin/python3", launcher + ["/usr/sbin/runuser", "-u", "postgres", "--", "\(bin)/pg_ctl", "-D", data] + arguments,
            environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(90))
        guard result.status == 0 else {
            throw ControlFailure(description: "pg_ctl \(arguments.joined(separator: " ")) failed: \(result)")
        }
    }

    private static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw ControlFailure(description: "\(name) is not set: run the tests with `deploy/dev test`, which starts PostgreSQL")
        }
        return value
    }
}
