import Foundation

/// Runs `python3` with arguments (`SpawnedProcess`). Its streams are files
/// and its exit is polled, so no thread of the concurrency pool blocks while
/// the script talks to the services under test.
public enum PythonProcess {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: String

        /// Standard output as text.
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `python3 <arguments>` with `input` on its standard input.
    public static func run(_ arguments: [String], input: [UInt8] = []) async throws -> Output {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdinURL = directory.appendingPathComponent("stdin")
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        try Data(input).write(to: stdinURL)
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        let process = try SpawnedProcess(
            executable: "/usr/bin/env", arguments: ["python3"] + arguments, environment: ProcessInfo.processInfo.environment,
            stdin: stdinURL.path, stdout: stdoutURL.path, stderr: stderrURL.path)
        let exit = await process.exited()
        return Output(
            status: exit.status, stdout: try Data(contentsOf: stdoutURL),
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }
}
