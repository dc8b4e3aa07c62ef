import Foundation
import PurserHTTP
import PurserKit

/// One `GET /metrics` answer: its text and its samples by series
/// (`name{label="value",…}` exactly as rendered).
struct MetricsScrape: Sendable {
    let process: String
    let text: String
    let samples: [String: Double]

    /// The sample of `series`, 0 when absent (a labelled series appears once it counts).
    subscript(_ series: String) -> Double { samples[series] ?? 0 }

    /// Scrapes `http://127.0.0.1:<port>/metrics` of `process`; throws unless the answer is 200 in the text format.
    static func fetch(_ process: String, port: Int) async throws -> MetricsScrape {
        let response = try await plainGet(port: port, target: "/metrics")
        guard response.status.code == 200 else { throw Failure(description: "\(process): GET /metrics answered \(response.status.code)") }
        guard response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8" else {
            throw Failure(description: "\(process): GET /metrics has Content-Type \(response.headers["Content-Type"] ?? "none")")
        }
        return MetricsScrape(process: process, text: response.bodyText, samples: parse(response.bodyText))
    }

    /// One plain-HTTP request to `127.0.0.1:port`.
    static func plainGet(port: Int, method: String = "GET", target: String) async throws -> HTTPClientResponse {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(host: "127.0.0.1", port: port, tls: nil))
        defer { client.shutdown() }
        return try await client.execute(HTTPClientRequest(method: method, target: target))
    }

    static func parse(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let value = line[line.index(after: space)...]
            samples[String(line[..<space])] = value == "+Inf" ? .infinity : Double(value)
        }
        return samples
    }

    /// Runs `promtool check metrics` on the text; throws with promtool's
    /// output when it finds a problem, and when promtool is not installed
    /// (Debian package `prometheus`; `deploy/dev test` installs it).
    func checkWithPromtool(in directory: String) async throws {
        let promtool = try Self.promtool()
        let file = directory + "/\(process)-\(UUID().uuidString).prom"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await ChildProcess.run(
            "/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", promtool, file], environment: ["PATH": "/usr/bin:/bin"])
        guard result.status == 0 else {
            throw Failure(description: "promtool check metrics refused the scrape of \(process): \(result)")
        }
    }

    static func promtool() throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/promtool") {
            return directory + "/promtool"
        }
        throw Failure(description: "promtool not found: install the Debian package prometheus (deploy/dev test does)")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
