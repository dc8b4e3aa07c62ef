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
    static func run(_ arguments: [String], input: [UInt8] = []) async throws -> Result {
        let output = try await PythonProcess.run([script] + arguments, input: input)
        guard let json = try? JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] else {
            throw TestFailure("smtp_client.py printed no JSON; stderr: \(output.stderr)")
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
        port: Int, script: String, delayMilliseconds: Int = 0, chunk: Int = 1, readTimeout: Double = 30
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
