import Foundation
import Glibc
import PurserClient
import PurserRPC
import PurserTestSupport

/// The service executables as separate processes over TLS on ephemeral
/// ports, sharing one throwaway database, plus a way to run the `purser`
/// CLI against them.
final class Deployment {
    /// The services started, in start order.
    static let services = ["identity", "wallet", "policy", "settlement", "email"]

    let directory: String
    let ports: [String: Int]
    let smtpPort: Int
    /// Each service's `GET /metrics` port, when started with `metrics: true`.
    let metricsPorts: [String: Int]
    let certificates: String
    /// The database every service shares (each in its own schema).
    let databaseURL: String
    private(set) var processes: [ServiceProcess] = []
    /// The environment each service was started with, reused by `restart(service:)`.
    private var environments: [String: [String: String]] = [:]

    /// - Parameters:
    ///   - metrics: give every service a `PURSER_<SERVICE>_METRICS_LISTEN` port (`metricsPorts`).
    ///   - settings: more settings per service (`["identity": ["PURSER_IDENTITY_…": "…"]]`), over the defaults here.
    init(metrics: Bool = false, settings: [String: [String: String]] = [:]) async throws {
        certificates = try TestEnvironment.certificatesDirectory()
        let databaseURL = try await TestDatabase.create(label: "system_story")
        self.databaseURL = databaseURL
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("purser-system-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var ports: [String: Int] = [:]
        for service in Self.services { ports[service] = try TestRPC.freePort() }
        self.ports = ports
        smtpPort = try TestRPC.freePort()
        var metricsPorts: [String: Int] = [:]
        if metrics {
            for service in Self.services { metricsPorts[service] = try TestRPC.freePort() }
        }
        self.metricsPorts = metricsPorts

        var keyBytes = [UInt8](repeating: 0, count: 32)
        for index in keyBytes.indices { keyBytes[index] = UInt8.random(in: 0...255) }
        let kek = Data(keyBytes).base64EncodedString()
        let base = ProcessInfo.processInfo.environment
        for service in Self.services {
            let prefix = "PURSER_\(service.uppercased())_"
            var environment = base
            environment[prefix + "LISTEN"] = "127.0.0.1:\(ports[service] ?? 0)"
            environment[prefix + "TLS_CERT"] = certificates + "/\(service).pem"
            environment[prefix + "TLS_KEY"] = certificates + "/\(service).key"
            environment[prefix + "TLS_CA"] = certificates + "/ca.pem"
            environment[prefix + "DATABASE_URL"] = databaseURL
            environment[prefix + "DB_POOL_SIZE"] = "4"
            environment[prefix + "DB_CONNECT_TIMEOUT"] = "\(TestDatabase.connectTimeout.components.seconds)s"
            environment[prefix + "LOG_LEVEL"] = "info"
            if let port = metricsPorts[service] { environment[prefix + "METRICS_LISTEN"] = "127.0.0.1:\(port)" }
            for peer in Self.services where peer != service {
                environment[prefix + "\(peer.uppercased())_ENDPOINT"] = "127.0.0.1:\(ports[peer] ?? 0)"
            }
            switch service {
            case "identity":
                environment[prefix + "KEK"] = kek
                environment[prefix + "REVOCATION_SUBSCRIBERS"] =
                    "wallet=127.0.0.1:\(ports["wallet"] ?? 0),email=127.0.0.1:\(ports["email"] ?? 0)"
            case "email":
                environment[prefix + "SMTP_LISTEN"] = "127.0.0.1:\(smtpPort)"
                environment[prefix + "DEFAULT_DOMAIN"] = "agents.example.test"
            case "settlement":
                environment[prefix + "FEED_POLL_INTERVAL"] = "200ms"
            default:
                break
            }
            environment.merge(settings[service] ?? [:]) { _, setting in setting }
            environments[service] = environment
        }
        do {
            for service in Self.services {
                processes.append(try ServiceProcess(name: service, executable: try Executables.path("purser-\(service)"),
                                                    environment: environments[service] ?? [:], logDirectory: directory))
            }
        } catch {
            // A deployment that fails to start stops what it started.
            await stop()
            throw error
        }
    }

    /// The environment every CLI run gets: the CA and every endpoint, nothing else of the caller's.
    var cliEnvironment: [String: String] {
        var environment = ["PATH": "/usr/bin:/bin", "HOME": directory, "PURSER_CA": certificates + "/ca.pem"]
        for service in Self.services {
            environment["PURSER_ENDPOINT_\(service.uppercased())"] = "127.0.0.1:\(ports[service] ?? 0)"
        }
        return environment
    }

    /// Runs `purser` with `arguments`, `extra` added to `cliEnvironment`.
    func purser(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> CommandResult {
        try await ChildProcess.run(try Executables.path("purser"), arguments,
                                   environment: cliEnvironment.merging(extra) { _, new in new })
    }

    /// Waits until `purser health` reports every service SERVING; fails with the logs of those that are not.
    func waitUntilServing(timeout: Duration = .seconds(120)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var last: CommandResult?
        while clock.now < deadline {
            for process in processes where !process.isRunning {
                throw StartFailure(description: "\(process.name) exited during start-up:\n\(process.logTail())")
            }
            var serving = true
            for service in Self.services {
                let result = try await purser(["health", "--service", service, "--timeout", "3s"])
                if result.status != 0 {
                    serving = false
                    last = result
                    break
                }
            }
            if serving { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        let logs = processes.map { "--- \($0.name)\n\($0.logTail(15))" }.joined(separator: "\n")
        throw StartFailure(description: "services not SERVING after \(timeout): \(last.map(\.description) ?? "")\n\(logs)")
    }

    /// The running (or last started) process of `service`.
    func process(_ service: String) throws -> ServiceProcess {
        guard let process = processes.last(where: { $0.name == service }) else {
            throw StartFailure(description: "no service named \(service)")
        }
        return process
    }

    /// Sends `signal` to `service` and waits up to `timeout` for it to exit;
    /// returns how it exited (status, or signal number with `bySignal`).
    func kill(service: String, signal: Int32, timeout: Duration = .seconds(30)) async throws -> (status: Int32, bySignal: Bool) {
        let process = try process(service)
        process.send(signal)
        guard await process.waitForExit(timeout: timeout), let exit = process.exit else {
            throw StartFailure(description: "\(service) still running \(timeout) after signal \(signal):\n\(process.logTail())")
        }
        return exit
    }

    /// Starts `service` again on the same port with the same environment (its
    /// log continues in the same file). The previous process must have exited.
    func restart(service: String) throws {
        let previous = try process(service)
        guard !previous.isRunning else { throw StartFailure(description: "\(service) is still running") }
        guard let environment = environments[service] else { throw StartFailure(description: "no service named \(service)") }
        let restarted = try ServiceProcess(name: service, executable: try Executables.path("purser-\(service)"),
                                           environment: environment, logDirectory: directory)
        processes = processes.map { $0 === previous ? restarted : $0 }
    }

    /// Waits until `service` answers `Health/Check` with SERVING and returns
    /// how long that took; fails with its log when it exits or `timeout` passes.
    @discardableResult
    func waitUntilServing(service: String, timeout: Duration = .seconds(60)) async throws -> Duration {
        try await waitForHealth(service: service, answering: .serving, timeout: timeout)
    }

    /// Waits until `service` answers `Health/Check` with `status` and returns
    /// how long that took; fails with its log when it exits or `timeout` passes.
    @discardableResult
    func waitForHealth(service: String, answering status: ServingStatus, timeout: Duration = .seconds(60)) async throws -> Duration {
        let wanted = status
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started.advanced(by: timeout)
        let probe = anonymousClient(timeout: .seconds(2))
        defer { probe.close() }
        var last = "no answer"
        while clock.now < deadline {
            let process = try process(service)
            guard process.isRunning else {
                throw StartFailure(description: "\(service) exited during start-up:\n\(process.logTail())")
            }
            do {
                let status = try await probe.health(ServiceName(rawValue: service) ?? .identity)
                if status == wanted { return clock.now - started }
                last = "\(status)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartFailure(description: "\(service) not \(wanted) after \(timeout): \(last)\n\(try process(service).logTail())")
    }

    /// Starts `purser-gateway` on a free loopback port in front of the five
    /// services (HTTPS with the test `gateway` certificate) and waits until its
    /// own `--health-check` passes. Stopped with the deployment. Returns its port.
    func startGateway(extraEnvironment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> Int {
        let port = try TestRPC.freePort()
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }
        environment.merge(extraEnvironment) { _, extra in extra }
        environment["PURSER_GATEWAY_LISTEN"] = "127.0.0.1:\(port)"
        environment["PURSER_GATEWAY_TLS_CERT"] = certificates + "/gateway.pem"
        environment["PURSER_GATEWAY_TLS_KEY"] = certificates + "/gateway.key"
        environment["PURSER_GATEWAY_TLS_CA"] = certificates + "/ca.pem"
        environment["PURSER_GATEWAY_LOG_LEVEL"] = "info"
        for service in Self.services {
            environment["PURSER_GATEWAY_\(service.uppercased())_ENDPOINT"] = "127.0.0.1:\(ports[service] ?? 0)"
        }
        let executable = try Executables.path("purser-gateway")
        let process = try ServiceProcess(name: "gateway", executable: executable, environment: environment, logDirectory: directory)
        processes.append(process)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw StartFailure(description: "the gateway exited:\n\(process.logTail())") }
            if try await ChildProcess.run(executable, ["--health-check"], environment: environment, timeout: .seconds(10)).status == 0 {
                return port
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw StartFailure(description: "the gateway did not answer /healthz within \(timeout):\n\(process.logTail())")
    }

    /// Stops every service (reverse order), removes the working directory and drops the database.
    func stop() async {
        for process in processes.reversed() { await process.stop() }
        try? FileManager.default.removeItem(atPath: directory)
        try? await TestDatabase.drop(url: databaseURL)
    }

    /// The logs of every service, for failure messages.
    func logs() -> String {
        processes.map { "--- \($0.name)\n\($0.logTail(40))" }.joined(separator: "\n")
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }
}
