import Foundation
import PurserTestSupport

/// `Tests/Interop/webhook_receiver.py` running beside a deployment: a
/// receiver that verifies every delivery with the `standardwebhooks` package
/// and records it (one JSON line per request) in its state directory.
final class WebhookReceiver {
    /// One request the receiver saw.
    struct Delivery {
        let webhookID: String
        let verified: Bool
        let status: Int
        let type: String
        let data: [String: Any]
        let receivedAt: Double
        let error: String
    }

    let directory: String
    let port: Int
    private let process: ServiceProcess

    /// Starts the receiver with state in a new directory under `parent`; returns once it listens.
    init(in parent: String) async throws {
        directory = parent + "/receiver-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process = try ServiceProcess(
            name: "webhook-receiver", executable: "/usr/bin/env",
            arguments: ["python3", TestEnvironment.repositoryRoot() + "/Tests/Interop/webhook_receiver.py", directory],
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }, logDirectory: directory)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            if let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8), let port = Int(text) {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        await process.stop()
        throw Deployment.StartFailure(description: "the webhook receiver did not start: \(process.logTail())")
    }

    /// The endpoint URL (plain http to loopback: the deployment allows private addresses).
    var url: String { "http://127.0.0.1:\(port)/hooks" }

    /// The secrets deliveries must verify with (each must).
    func trust(_ secrets: [String]) throws {
        try secrets.joined(separator: "\n").write(toFile: directory + "/secret", atomically: true, encoding: .utf8)
    }

    /// Answers 500 until `date`.
    func fail(until date: Date) throws {
        try "\(date.timeIntervalSince1970)".write(toFile: directory + "/fail_until", atomically: true, encoding: .utf8)
    }

    /// Every request seen so far, in arrival order.
    func deliveries() throws -> [Delivery] {
        guard let text = try? String(contentsOfFile: directory + "/deliveries.jsonl", encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return Delivery(
                webhookID: object["webhook_id"] as? String ?? "", verified: object["verified"] as? Bool ?? false,
                status: object["status"] as? Int ?? 0, type: object["type"] as? String ?? "",
                data: object["data"] as? [String: Any] ?? [:], receivedAt: object["received_at"] as? Double ?? 0,
                error: object["error"] as? String ?? "")
        }
    }

    /// Waits until `done` holds for the deliveries seen (checked every 100 ms), up to `timeout`.
    func waitFor(_ what: String, timeout: Duration, _ done: ([Delivery]) -> Bool) async throws -> [Delivery] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let seen = try deliveries()
            if done(seen) { return seen }
            guard clock.now < deadline else {
                throw Deployment.StartFailure(description: "timed out waiting for \(what); seen: \(seen.map { "\($0.type)/\($0.status)" })")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func stop() async {
        await process.stop()
    }
}
