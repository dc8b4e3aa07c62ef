import Foundation

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
        let outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while process.isRunning {
            if clock.now > deadline {
                process.terminate()
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        let out = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let err = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return CommandResult(arguments: arguments, status: process.terminationStatus, stdout: out, stderr: err)
    }
}

/// A long-running service executable, its output appended to a log file
/// (a restarted service appends to the same file).
final class ServiceProcess {
    let name: String
    let logPath: String
    private let process = Process()

    init(name: String, executable: String, arguments: [String] = [], environment: [String: String], logDirectory: String) throws {
        self.name = name
        self.logPath = logDirectory + "/\(name).log"
        if !FileManager.default.fileExists(atPath: logPath) {
            FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// The process id (valid while it runs).
    var pid: Int32 { process.processIdentifier }

    /// The exit status, or the signal number when a signal ended it; `nil` while it runs.
    var exit: (status: Int32, bySignal: Bool)? {
        guard !process.isRunning else { return nil }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// The last lines of the service's log, for failure messages.
    func logTail(_ lines: Int = 30) -> String {
        let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: logPath))) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Sends `signal` to the process; nothing when it has already exited.
    func send(_ signal: Int32) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits up to `timeout` for the process to exit; `true` when it has.
    func waitForExit(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while process.isRunning && clock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        guard !process.isRunning else { return false }
        process.waitUntilExit()
        return true
    }

    /// SIGTERM (graceful drain), then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(10)) async {
        guard process.isRunning else { return }
        process.terminate()
        if await waitForExit(timeout: grace) { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
