import Foundation
import PurserTestSupport

/// A command's outcome: exit status and everything it wrote.
struct CommandResult: CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    /// Standard output parsed as a JSON object; fails the caller when it is not one.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw NotJSON(result: self)
        }
        return object
    }

    struct NotJSON: Error, CustomStringConvertible {
        let result: CommandResult
        var description: String { "output is not a JSON object: \(result)" }
    }

    var description: String {
        "`purser \(arguments.joined(separator: " "))` exited \(status)\nstdout: \(stdout)\nstderr: \(stderr)"
    }
}

/// Runs a program to completion with its output captured through files
/// (no pipe can fill up and stall it).
enum ChildProcess {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60)) async throws -> CommandResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("purser-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("out").path
        let errPath = directory.appendingPathComponent("err").path
        let process = try SpawnedProcess(
            executable: executable, arguments: arguments, environment: environment, stdout: outPath, stderr: errPath)
        if await !process.waitForExit(timeout: timeout) {
            process.send(SIGTERM)
            if await !process.waitForExit(timeout: .seconds(5)) {
                process.send(SIGKILL)
                process.reap()
            }
        }
        let exit = process.exit ?? (status: -1, bySignal: true)
        let out = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(), as: UTF8.self)
        let err = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self)
        return CommandResult(arguments: arguments, status: exit.status, stdout: out, stderr: err)
    }
}

/// A long-running service executable, its output appended to a log file
/// (a restarted service appends to the same file).
final class ServiceProcess {
    let name: String
    let logPath: String
    private let process: SpawnedProcess

    init(name: String, executable: String, arguments: [String] = [], environment: [String: String], logDirectory: String) throws {
        self.name = name
        self.logPath = logDirectory + "/\(name).log"
        process = try SpawnedProcess(
            executable: executable, arguments: arguments, environment: environment, stdout: logPath, stderr: logPath)
    }

    var isRunning: Bool { process.isRunning }

    /// The process id (valid while it runs).
    var pid: Int32 { process.pid }

    /// The exit status, or the signal number when a signal ended it; `nil` while it runs.
    var exit: (status: Int32, bySignal: Bool)? { process.exit }

    /// The last lines of the service's log, for failure messages.
    func logTail(_ lines: Int = 30) -> String {
        let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: logPath))) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Sends `signal` to the process; nothing when it has already exited.
    func send(_ signal: Int32) { process.send(signal) }

    /// Waits up to `timeout` for the process to exit; `true` when it has.
    func waitForExit(timeout: Duration) async -> Bool { await process.waitForExit(timeout: timeout) }

    /// SIGTERM (graceful drain), then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(10)) async {
        guard process.isRunning else { return }
        process.send(SIGTERM)
        if await waitForExit(timeout: grace) { return }
        process.send(SIGKILL)
        process.reap()
    }
}
