import Foundation
import PurserTestSupport

/// Runs `Tests/Interop/smtp_client.py` (Python's smtplib and raw sockets) against the SMTP listener.
enum SMTPInterop {
    struct Result: @unchecked Sendable {
        let json: [String: Any]
        subscript(key: String) -> Any? { json[key] }
        var ok: Bool { json["ok"] as? Bool ?? false }
        var code: Int? { json["code"] as? Int }
        var replies: String { json["replies"] as? String ?? "" }
        var seconds: Double { json["seconds"] as? Double ?? 0 }
        /// Refused recipients: address → SMTP code.
        var refusedCodes: [String: Int] {
            guard let refused = json["refused"] as? [String: [Any]] else { return [:] }
            return refused.compactMapValues { $0.first as? Int }
        }
    }

    static var script: String { TestEnvironment.repositoryRoot() + "/Tests/Interop/smtp_client.py" }

    /// Runs the script with `arguments`, feeding `input` on stdin, and parses its JSON output.
    /// The process's streams are files and its exit is awaited through `terminationHandler`,
    /// so no thread of the concurrency pool blocks while the client talks to the service.
    static func run(_ arguments: [String], input: [UInt8] = []) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
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
        process.arguments = ["python3", script] + arguments
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
        let output = try Data(contentsOf: stdoutURL)
        guard let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            let errors = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw TestFailure("smtp_client.py printed no JSON; stderr: \(errors)")
        }
        return Result(json: json)
    }

    /// Sends one message with smtplib.
    static func send(
        port: Int, to recipients: [String], subject: String = "test", bodyFile: String? = nil, size: Int = 0,
        startTLS: Bool = false, host: String = "127.0.0.1"
    ) async throws -> Result {
        var arguments = ["send", "--host", host, "--port", "\(port)", "--subject", subject]
        for recipient in recipients { arguments += ["--to", recipient] }
        if let bodyFile { arguments += ["--body-file", bodyFile] }
        if size > 0 { arguments += ["--size", "\(size)"] }
        if startTLS { arguments += ["--starttls", "--cafile", try TestEnvironment.certificate("ca")] }
        return try await run(arguments)
    }

    /// Sends `script` over a raw socket (all at once, or `chunk` bytes every `delayMilliseconds`) and collects every reply until the server closes.
    static func raw(
        port: Int, script: String, delayMilliseconds: Int = 0, chunk: Int = 1, readTimeout: Double = 10
    ) async throws -> Result {
        try await run(
            ["raw", "--port", "\(port)", "--delay-ms", "\(delayMilliseconds)", "--chunk", "\(chunk)",
             "--read-timeout", "\(readTimeout)"],
            input: Array(script.utf8))
    }

    /// Reply codes in order, one per reply (continuation lines `250-` skipped).
    static func replyCodes(_ replies: String) -> [Int] {
        replies.split(separator: "\r\n").compactMap { line in
            guard line.count >= 4, line[line.index(line.startIndex, offsetBy: 3)] == " " else { return nil }
            return Int(line.prefix(3))
        }
    }
}
