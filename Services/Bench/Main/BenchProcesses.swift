import Foundation
import PurserAPI
import PurserHTTP
import PurserKit
import PurserRPC

/// `purser-identity`, `purser-policy`, `purser-wallet` and `purser-settlement`
/// (the release executables beside this one) run as child processes over TLS on
/// loopback, configured as `deploy/dev up` and docker compose configure them:
/// the deployed topology, with every call between services crossing a process.
/// Each one's standard error goes to `<logs>/<name>.log`.
final class BenchProcesses: @unchecked Sendable {
    struct Child {
        let name: String
        let process: Process
        let port: Int
    }

    let identityPort: Int
    let policyPort: Int
    let walletPort: Int
    /// The Wallet's `/metrics` port (plain HTTP on loopback).
    let walletMetricsPort: Int
    let settlementPort: Int
    /// Settlement's `/metrics` port (plain HTTP on loopback).
    let settlementMetricsPort: Int
    private let children: [Child]

    /// Starts the four services and returns once each answers `Health/Check`
    /// with SERVING. Throws when one exits or is not serving within 60 s.
    /// Settlement reads the Wallet's capture feed as deployed, except that an
    /// idle feed is polled every 100 ms (not 5 s), so a measurement window of
    /// seconds is not spent waiting for its first poll.
    init(certificates: String, databaseURL: String, walletPoolSize: Int, logs: String, logger: Logger) async throws {
        identityPort = try freePort()
        policyPort = try freePort()
        walletPort = try freePort()
        walletMetricsPort = try freePort()
        settlementPort = try freePort()
        settlementMetricsPort = try freePort()
        let kek = (0..<32).map { _ in UInt8.random(in: 0...255) }
        var started: [Child] = []
        func start(_ name: String, port: Int, _ settings: [String: String]) throws {
            let prefix = "PURSER_\(name.uppercased())_"
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }
            environment[prefix + "LISTEN"] = "127.0.0.1:\(port)"
            environment[prefix + "TLS_CERT"] = "\(certificates)/\(name).pem"
            environment[prefix + "TLS_KEY"] = "\(certificates)/\(name).key"
            environment[prefix + "TLS_CA"] = "\(certificates)/ca.pem"
            environment[prefix + "DATABASE_URL"] = databaseURL
            environment[prefix + "LOG_LEVEL"] = "error"
            for (key, value) in settings { environment[prefix + key] = value }
            let process = Process()
            process.executableURL = try siblingExecutable("purser-\(name)")
            process.environment = environment
            _ = FileManager.default.createFile(atPath: "\(logs)/\(name).log", contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(logs)/\(name).log"))
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            started.append(Child(name: name, process: process, port: port))
        }
        do {
            try start("identity", port: identityPort, [
                "KEK": Data(kek).base64EncodedString(), "DB_POOL_SIZE": "4",
                "REVOCATION_SUBSCRIBERS": "wallet=127.0.0.1:\(walletPort)",
            ])
            try await Self.waitServing("identity", port: identityPort, child: started[0], certificates: certificates, logger: logger)
            try start("policy", port: policyPort, [
                "IDENTITY_ENDPOINT": "127.0.0.1:\(identityPort)", "WALLET_ENDPOINT": "127.0.0.1:\(walletPort)",
                "DB_POOL_SIZE": "2",
            ])
            try start("wallet", port: walletPort, [
                "IDENTITY_ENDPOINT": "127.0.0.1:\(identityPort)", "POLICY_ENDPOINT": "127.0.0.1:\(policyPort)",
                "DB_POOL_SIZE": "\(walletPoolSize)", "METRICS_LISTEN": "127.0.0.1:\(walletMetricsPort)",
            ])
            try start("settlement", port: settlementPort, [
                "IDENTITY_ENDPOINT": "127.0.0.1:\(identityPort)", "WALLET_ENDPOINT": "127.0.0.1:\(walletPort)",
                "DB_POOL_SIZE": "2", "METRICS_LISTEN": "127.0.0.1:\(settlementMetricsPort)", "FEED_POLL_INTERVAL": "100ms",
            ])
            for child in started.dropFirst() {
                try await Self.waitServing(child.name, port: child.port, child: child, certificates: certificates, logger: logger)
            }
        } catch {
            for child in started where child.process.isRunning { child.process.terminate() }
            throw error
        }
        children = started
    }

    private static func waitServing(
        _ name: String, port: Int, child: Child, certificates: String, logger: Logger
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard child.process.isRunning else { throw RPCError(.unavailable, "purser-\(name) exited while starting (see its log)") }
            if let client = try? BenchSystem.client(port: port, certificates: certificates, certificate: nil, connections: 1, logger: logger) {
                let response = try? await client.call(Health.check, HealthCheckRequest(), timeout: .seconds(2))
                client.close()
                if response?.status == .serving { return }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw RPCError(.unavailable, "purser-\(name) was not serving within 60 s")
    }

    /// The resident set of the Wallet's process, in KiB (0 if unreadable).
    var walletResidentKiB: Int {
        guard let wallet = children.first(where: { $0.name == "wallet" }) else { return 0 }
        return residentKiB(of: wallet.process.processIdentifier)
    }

    /// Group-committed transactions and the authorizations they decided, from
    /// the Wallet's `purser_wallet_authorization_batch_size` histogram.
    func groupCommitStatistics() async -> (batches: Int, requests: Int)? {
        let samples = await Self.metrics(port: walletMetricsPort)
        guard let count = samples["purser_wallet_authorization_batch_size_count"],
              let sum = samples["purser_wallet_authorization_batch_size_sum"]
        else { return nil }
        return (Int(count), Int(sum))
    }

    /// Feed entries Settlement has stored so far (`purser_settlement_feed_entries_stored_total`).
    func settlementEntriesStored() async -> Int? {
        await Self.metrics(port: settlementMetricsPort)["purser_settlement_feed_entries_stored_total"].map { Int($0) }
    }

    /// The unlabelled samples of the `/metrics` page served on `port` (empty when unreadable).
    private static func metrics(port: Int) async -> [Substring: Double] {
        guard let client = try? HTTPClient(configuration: HTTPClientConfiguration(
            host: "127.0.0.1", port: port, tls: nil, requestTimeout: .seconds(5), maximumIdleConnections: 1))
        else { return [:] }
        defer { client.shutdown() }
        guard let response = try? await client.execute(HTTPClientRequest(target: "/metrics")) else { return [:] }
        var samples: [Substring: Double] = [:]
        for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            samples[parts[0]] = value
        }
        return samples
    }

    /// Sends SIGTERM to each service and waits for it to exit.
    func stop() {
        for child in children.reversed() where child.process.isRunning {
            child.process.terminate()
            child.process.waitUntilExit()
        }
    }
}
