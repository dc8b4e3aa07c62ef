import Foundation
import PurserAPI
import PurserTestSupport
import Testing

/// `purser-gateway` in front of the five real executables, driven by peers
/// nobody here wrote: Python `requests` runs the README story over HTTPS
/// (`Tests/Interop/gateway_story.py`), with replays, conflicts and the denial
/// reasons, each checked by status and problem `reason`; schemathesis tests
/// the served document against the served API.
@Suite struct GatewaySystemTests {
    @Test(.timeLimit(.minutes(5))) func theStoryRunsOverHTTPWithPythonRequests() async throws {
        try await Self.runScript("gateway_story.py", label: "gateway story", timeout: .seconds(180))
    }

    /// schemathesis (PyPI) generates valid and invalid calls from
    /// `/v1/openapi.json` for every operation, as the operator, a tenant admin
    /// and an agent of a seeded tenant: no 5xx, no answer outside the
    /// document, no schema-violating request accepted, no protected operation
    /// answered without a token.
    @Test(.timeLimit(.minutes(12))) func schemathesisFindsNoServerErrorAndNoAnswerOutsideTheDocument() async throws {
        try await Self.runScript("gateway_schemathesis.py", label: "gateway schemathesis", timeout: .seconds(600))
    }

    /// Starts the five executables and the gateway, bootstraps the operator,
    /// and runs `Tests/Interop/<script> URL CA SECRET`, which prints
    /// `<label>: N passed, M failed` and exits 0 only when nothing failed.
    static func runScript(_ script: String, label: String, timeout: Duration) async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            let port = try await deployment.startGateway()
            let bootstrap = try deployment.client("identity", certificate: "cli")
            defer { bootstrap.close() }
            let secret = try await bootstrap.call(
                IdentityMethods.bootstrap, BootstrapRequest(label: label), timeout: .seconds(20)).secret
            let result = try await ChildProcess.run(
                "/usr/bin/env",
                ["python3", TestEnvironment.repositoryRoot() + "/Tests/Interop/" + script, "https://127.0.0.1:\(port)",
                 deployment.certificates + "/ca.pem", secret],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }, timeout: timeout)
            print(result.stdout)
            // One line each, so a failure names every failed check wherever the run is summarised.
            let failures = (result.stdout + result.stderr).split(separator: "\n").filter {
                $0.hasPrefix("FAIL") || $0.contains("Error") || $0.hasPrefix("seeding")
            }
            #expect(result.status == 0, "\(label) exited \(result.status): \(failures.joined(separator: " | "))")
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
