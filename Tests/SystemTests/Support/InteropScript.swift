import Foundation
import PurserAPI
import PurserTestSupport
import Testing

extension Deployment {
    /// A deployment whose Identity issues tokens that live `lifetime` (e.g.
    /// `"10s"`, its shortest), with more of Identity's settings when given.
    static func withIdentityTokenLifetime(_ lifetime: String, identity settings: [String: String] = [:]) async throws -> Deployment {
        try await Deployment(settings: ["identity": settings.merging(["PURSER_IDENTITY_TOKEN_LIFETIME": lifetime]) { _, lifetime in lifetime }])
    }

    /// Waits until the five services serve, starts `purser-gateway` in front of
    /// them and bootstraps an operator key labelled `label`: answers the
    /// gateway's port and the operator's secret.
    func servingGateway(operatorLabel label: String) async throws -> (port: Int, operatorSecret: String) {
        try await waitUntilServing()
        let port = try await startGateway()
        let bootstrap = try client("identity", certificate: "cli")
        defer { bootstrap.close() }
        let secret = try await bootstrap.call(
            IdentityMethods.bootstrap, BootstrapRequest(label: label), timeout: .seconds(20)).secret
        return (port, secret)
    }
}

/// The Python scripts in `Tests/Interop` that drive the real executables
/// through the gateway with peers nobody here wrote.
enum InteropScript {
    /// Starts the five executables and the gateway, bootstraps the operator,
    /// and runs `python3 Tests/Interop/<script> URL CA SECRET <extra arguments>`
    /// with `environment` (default: this process's, without `PURSER_…`). The
    /// script prints `<label>: N passed, M failed` last and exits 0 only when
    /// nothing failed; this expects both, names every `FAIL…` line, an
    /// `Error` or a traceback on failure, and then prints the services' logs.
    static func run(
        _ script: String, label: String, timeout: Duration,
        extraArguments: (Deployment) throws -> [String] = { _ in [] },
        environment: (Deployment) -> [String: String] = { _ in
            ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }
        }
    ) async throws {
        let deployment = try await Deployment()
        do {
            let (port, secret) = try await deployment.servingGateway(operatorLabel: label)
            let result = try await ChildProcess.run(
                "/usr/bin/env",
                ["python3", TestEnvironment.repositoryRoot() + "/Tests/Interop/" + script, "https://127.0.0.1:\(port)",
                 deployment.certificates + "/ca.pem", secret] + (try extraArguments(deployment)),
                environment: environment(deployment), timeout: timeout)
            print(result.stdout)
            // One line each, so a failure names every failed check wherever the run is summarised.
            let failures = (result.stdout + result.stderr).split(separator: "\n").filter {
                $0.hasPrefix("FAIL") || $0.contains("Error") || $0.contains("Traceback") || $0.hasPrefix("seeding")
            }
            #expect(result.status == 0, "\(label) exited \(result.status): \(failures.joined(separator: " | ")) \(result.stderr.suffix(2000))")
            #expect(result.stdout.contains("\(label): ") && result.stdout.contains(" 0 failed"),
                    "\(result.stdout.split(separator: "\n").last ?? "")")
            if result.status != 0 { print(deployment.logs()) }
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }
}
