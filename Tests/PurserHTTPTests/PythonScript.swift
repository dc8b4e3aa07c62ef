import Foundation

/// Runs a Python script given as text, its standard input from bytes. The
/// exit is awaited through `terminationHandler`, so no thread of the
/// concurrency pool blocks on it.
enum PythonScript {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ script: String, input: [UInt8] = []) async throws -> Output {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdinURL = directory.appendingPathComponent("stdin")
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        try Data(input).write(to: stdinURL)
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.standardInput = try FileHandle(forReadingFrom: stdinURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Output(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }
}
