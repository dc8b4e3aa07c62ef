import Foundation
import Glibc
import PurserAPI
import PurserTestSupport
import Testing

/// The Python SDK (`Shared/python`, package `purser`) against the real
/// gateway in front of the five real executables: its pytest suite
/// (`Shared/python/tests`) runs the README story through the SDK, the
/// denials with reason, rule and headroom, token renewal, idempotent retries
/// through a connection cut after the gateway answered, a concurrent spend
/// that cannot overspend, and the agent's MCP tools through the official
/// `mcp` client over stdio and streamable HTTP.
///
/// Identity issues 10 s tokens here (its shortest lifetime) so renewal is
/// exercised within the run; the lifetime is set through the process
/// environment the deployment copies, so the suite runs alone (`Isolated`).
@Suite struct IsolatedPythonSDKSystemTests {
    static let tokenLifetime = "10s"

    @Test(.timeLimit(.minutes(10))) func thePytestSuiteOfThePythonSDKPassesAgainstTheRealGateway() async throws {
        // The webhook tests' receiver listens on loopback.
        let deployment = try await Deployment.withIdentityTokenLifetime(
            Self.tokenLifetime, identity: ["PURSER_IDENTITY_WEBHOOK_ALLOW_PRIVATE": "true", "PURSER_IDENTITY_WEBHOOK_RETRY_INITIAL": "200ms"])
        do {
            let (port, secret) = try await deployment.servingGateway(operatorLabel: "python sdk")
            let root = TestEnvironment.repositoryRoot()
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }
            environment["PURSER_TEST_GATEWAY_URL"] = "https://127.0.0.1:\(port)"
            environment["PURSER_TEST_CA"] = deployment.certificates + "/ca.pem"
            environment["PURSER_TEST_CERTS"] = deployment.certificates
            environment["PURSER_TEST_OPERATOR_SECRET"] = secret
            environment["PURSER_TEST_SMTP_PORT"] = "\(deployment.smtpPort)"
            environment["PURSER_TEST_TOKEN_LIFETIME_SECONDS"] = "10"
            // This checkout's SDK, whichever checkout the machine's editable install points at.
            environment["PYTHONPATH"] = root + "/Shared/python"
            let result = try await ChildProcess.run(
                "/usr/bin/env",
                ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", root + "/Shared/python",
                 root + "/Shared/python/tests"],
                environment: environment, timeout: .seconds(540))
            print(result.stdout)
            let failures = result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAILED") || $0.hasPrefix("ERROR") }
            #expect(result.status == 0, "pytest exited \(result.status): \(failures.joined(separator: " | ")) \(result.stderr.suffix(2000))")
            let summary = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(summary.contains(" passed") && !summary.contains("failed") && !summary.contains("skipped")
                    && !summary.contains("error"), "pytest summary: \(summary)")
            if result.status != 0 { print(deployment.logs()) }
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    /// The SDK's types are checked: `mypy --strict` finds nothing in `purser`.
    @Test(.timeLimit(.minutes(5))) func thePythonSDKIsMypyStrictClean() async throws {
        let root = TestEnvironment.repositoryRoot() + "/Shared/python"
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["python3", "-m", "mypy", "--strict", "--cache-dir", "/dev/null", "--config-file", root + "/pyproject.toml",
                             root + "/purser"],
            environment: ProcessInfo.processInfo.environment, timeout: .seconds(240))
        #expect(result.status == 0 && result.stdout.contains("Success: no issues found"), "\(result.stdout)\(result.stderr)")
    }
}
