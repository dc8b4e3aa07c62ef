import Foundation
import Glibc
import PurserTestSupport
import Testing

/// The command line every `purser-<service>` executable shares: its flags,
/// exit statuses and the lines it prints, as deploy scripts and container
/// health checks rely on them.
@Suite struct ServiceExecutableTests {
    /// A setting each service reads besides the common ones.
    static let ownSetting = [
        "identity": "KEK", "wallet": "POLICY_ENDPOINT", "policy": "WALLET_ENDPOINT", "settlement": "WALLET_ENDPOINT",
        "email": "SMTP_LISTEN",
    ]

    /// Every required common setting of `service`, with `LISTEN` on `port`.
    static func environment(_ service: String, port: Int, certificates: String) -> [String: String] {
        let prefix = "PURSER_\(service.uppercased())_"
        return [
            "PATH": "/usr/bin:/bin",
            prefix + "LISTEN": "127.0.0.1:\(port)",
            prefix + "TLS_CERT": certificates + "/\(service).pem",
            prefix + "TLS_KEY": certificates + "/\(service).key",
            prefix + "TLS_CA": certificates + "/ca.pem",
            prefix + "DATABASE_URL": "postgresql://127.0.0.1:1/unused",
        ]
    }

    static func run(_ service: String, _ arguments: [String], _ environment: [String: String]) async throws -> CommandResult {
        try await ChildProcess.run(try Executables.path("purser-\(service)"), arguments, environment: environment, timeout: .seconds(30))
    }

    @Test(arguments: Deployment.services)
    func helpConfigListsCommonAndOwnSettingsWithoutReadingTheEnvironment(service: String) async throws {
        let prefix = "PURSER_\(service.uppercased())_"
        let result = try await Self.run(service, ["--help-config"], ["PATH": "/usr/bin:/bin", prefix + "LISTEN": "not an endpoint"])
        #expect(result.status == 0, "\(result)")
        let variables = result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(variables.contains(prefix + "LISTEN"))
        #expect(variables.contains(prefix + "DATABASE_URL"))
        #expect(variables.contains(prefix + (Self.ownSetting[service] ?? "")), "\(result)")
        #expect(result.stderr.isEmpty)
    }

    @Test(arguments: Deployment.services)
    func anUnreadableCommonSettingExits2NamingTheVariable(service: String) async throws {
        let prefix = "PURSER_\(service.uppercased())_"
        var environment = Self.environment(service, port: 1, certificates: try TestEnvironment.certificatesDirectory())
        environment[prefix + "LISTEN"] = "nowhere"
        for arguments in [[], ["--health-check"]] {
            let result = try await Self.run(service, arguments, environment)
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr == "purser-\(service): \(prefix)LISTEN: \"nowhere\" is not host:port\n", "\(result)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test(arguments: [
        ("wallet", "POLICY_ENDPOINT", "policy"), ("policy", "WALLET_ENDPOINT", "wallet:0"),
        ("settlement", "WALLET_ENDPOINT", "[::1]"), ("email", "SMTP_LISTEN", "0.0.0.0"),
    ])
    func anUnreadableOwnSettingExits2NamingTheVariable(service: String, setting: String, value: String) async throws {
        let variable = "PURSER_\(service.uppercased())_\(setting)"
        var environment = Self.environment(service, port: 1, certificates: try TestEnvironment.certificatesDirectory())
        environment[variable] = value
        let result = try await Self.run(service, [], environment)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.hasPrefix("purser-\(service): \(variable): \"\(value)\""), "\(result)")
    }

    @Test(arguments: Deployment.services)
    func healthCheckExits1WhenNothingAnswers(service: String) async throws {
        let environment = Self.environment(service, port: try TestRPC.freePort(), certificates: try TestEnvironment.certificatesDirectory())
        let result = try await Self.run(service, ["--health-check"], environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test func identityServesAnswersHealthBootstrapsOnceAndExits0OnSIGTERM() async throws {
        let certificates = try TestEnvironment.certificatesDirectory()
        var environment = Self.environment("identity", port: try TestRPC.freePort(), certificates: certificates)
        environment["PURSER_IDENTITY_DATABASE_URL"] = try await TestDatabase.create(label: "identity_executable")
        environment["PURSER_IDENTITY_DB_POOL_SIZE"] = "2"
        environment["PURSER_IDENTITY_KEK"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("purser-identity-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logPath = directory + "/identity.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = try SpawnedProcess(
            executable: try Executables.path("purser-identity"), arguments: [], environment: environment, stdout: logPath, stderr: logPath)
        defer { if process.isRunning { process.send(SIGKILL); process.reap() } }
        let log = { String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: logPath))) ?? Data(), as: UTF8.self) }

        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(90))
        var health = try await Self.run("identity", ["--health-check"], environment)
        while health.status != 0, process.isRunning, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            health = try await Self.run("identity", ["--health-check"], environment)
        }
        try #require(health.status == 0, "never SERVING: \(health)\n\(log())")

        var operatorEnvironment = environment
        operatorEnvironment["PURSER_IDENTITY_KEK"] = "not needed to ask for a key"
        let created = try await Self.run("identity", ["--bootstrap", "ops"], operatorEnvironment)
        #expect(created.status == 0, "\(created)")
        #expect(created.stdout.hasPrefix("purser_ok_"), "the operator key alone, with its own prefix, is on standard output: \(created)")
        #expect(created.stderr.contains("is shown only once"))
        let again = try await Self.run("identity", ["--bootstrap"], operatorEnvironment)
        #expect(again.status == 3, "\(again)")
        #expect(again.stderr == "purser-identity: an operator key already exists\n")

        process.send(SIGTERM)
        try #require(await process.waitForExit(timeout: .seconds(20)), "still running 20 s after SIGTERM\n\(log())")
        #expect(process.exit.map { !$0.bySignal && $0.status == 0 } == true, "\(log())")
        #expect(log().contains("service started"))
        try await TestDatabase.drop(url: try #require(environment["PURSER_IDENTITY_DATABASE_URL"]))
    }

    @Test func identityWithAnUnusableKeyStopsWithStatus1AndSaysWhy() async throws {
        var environment = Self.environment(
            "identity", port: try TestRPC.freePort(), certificates: try TestEnvironment.certificatesDirectory())
        environment["PURSER_IDENTITY_KEK"] = "short"
        let result = try await Self.run("identity", [], environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("purser-identity stopped"), "\(result)")
        #expect(result.stderr.contains("PURSER_IDENTITY_KEK"), "\(result)")
        #expect(!result.stderr.contains("short"), "the key is never echoed")
    }
}
