import Foundation
import PurserHTTP
import PurserKit
import PurserRPC
import Synchronization

/// `purser-gateway` (the release executable beside this one) run as a child
/// process in front of this process's Identity, Policy and Wallet, and an
/// HTTP/1.1 keep-alive client of it: the JSON API's figures beside
/// `purser/1`'s, from the same services in the same run.
final class BenchGateway: @unchecked Sendable {
    private let process = Process()
    let port: Int
    let client: HTTPClient
    private let failures = Mutex<String?>(nil)

    /// Starts the gateway and waits until it serves `/v1/openapi.json`.
    init(system: BenchSystem) async throws {
        port = try freePort()
        process.executableURL = try siblingExecutable("purser-gateway")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }
        environment["PURSER_GATEWAY_LISTEN"] = "127.0.0.1:\(port)"
        environment["PURSER_GATEWAY_TLS_CERT"] = "\(system.certificates)/gateway.pem"
        environment["PURSER_GATEWAY_TLS_KEY"] = "\(system.certificates)/gateway.key"
        environment["PURSER_GATEWAY_TLS_CA"] = "\(system.certificates)/ca.pem"
        environment["PURSER_GATEWAY_IDENTITY_ENDPOINT"] = "127.0.0.1:\(system.identityPort)"
        environment["PURSER_GATEWAY_WALLET_ENDPOINT"] = "127.0.0.1:\(system.walletPort)"
        environment["PURSER_GATEWAY_POLICY_ENDPOINT"] = "127.0.0.1:\(system.policyPort)"
        environment["PURSER_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS"] = "20000"
        environment["PURSER_GATEWAY_IDLE_TIMEOUT"] = "600s"
        environment["PURSER_GATEWAY_LOG_LEVEL"] = "error"
        process.environment = environment
        try process.run()
        client = try HTTPClient(configuration: HTTPClientConfiguration(
            host: "127.0.0.1", port: port, tls: .client(trustRootsPath: "\(system.certificates)/ca.pem"), serverName: "localhost",
            requestTimeout: .seconds(30), maximumIdleConnections: 64))
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let answer = try? await client.execute(HTTPClientRequest(target: "/v1/openapi.json")), answer.status.code == 200 { return }
            guard process.isRunning else { throw BenchError.setup("purser-gateway exited (status \(process.terminationStatus))") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError.setup("purser-gateway did not serve within 30 s")
    }

    /// The gateway's resident set size in KiB.
    var residentSetKiB: Int { residentKiB(of: process.processIdentifier) }

    /// `POST /v1/wallet/authorize` of `amount` (a decimal string) to `world`'s provider as `agent`.
    func authorize(_ world: BenchWorld, _ agent: BenchWorld.Agent, amount: String) async -> Bool {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(agent.token)")
        headers.add(name: "Idempotency-Key", value: UUID().uuidString)
        headers.add(name: "Content-Type", value: "application/json")
        let body = Array(#"{"amount":"\#(amount)","providerId":"\#(world.providerID)"}"#.utf8)
        do {
            let answer = try await client.execute(HTTPClientRequest(method: "POST", target: "/v1/wallet/authorize", headers: headers, body: .bytes(body)))
            guard answer.status.code == 200 else {
                note("HTTP \(answer.status.code) \(answer.bodyText)")
                return false
            }
            return true
        } catch {
            note("\(error)")
            return false
        }
    }

    private func note(_ failure: String) {
        failures.withLock { if $0 == nil { $0 = failure } }
    }

    /// The first failure noted since the last call, if any.
    func takeFirstFailure() -> String? {
        failures.withLock { value in
            defer { value = nil }
            return value
        }
    }

    /// Stops the gateway and the client.
    func stop() {
        client.shutdown()
        process.terminate()
        process.waitUntilExit()
    }
}
