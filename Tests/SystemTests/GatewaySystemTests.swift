import Foundation
import PurserAPI
import PurserTestSupport
import Testing

/// `purser-gateway` in front of the five real executables, driven by peers
/// nobody here wrote: Python `requests` runs the README story over HTTPS
/// (`Tests/Interop/gateway_story.py`), with replays, conflicts and the denial
/// reasons, each checked by status and problem `reason`.
@Suite struct GatewaySystemTests {
    @Test(.timeLimit(.minutes(5))) func theStoryRunsOverHTTPWithPythonRequests() async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            let port = try await deployment.startGateway()
            let bootstrap = try deployment.client("identity", certificate: "cli")
            defer { bootstrap.close() }
            let secret = try await bootstrap.call(
                IdentityMethods.bootstrap, BootstrapRequest(label: "gateway story"), timeout: .seconds(20)).secret
            let result = try await ChildProcess.run(
                "/usr/bin/env",
                ["python3", TestEnvironment.repositoryRoot() + "/Tests/Interop/gateway_story.py", "https://127.0.0.1:\(port)",
                 deployment.certificates + "/ca.pem", secret],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }, timeout: .seconds(180))
            print(result.stdout)
            // One line each, so a failure names every failed check wherever the run is summarised.
            let failures = (result.stdout + result.stderr).split(separator: "\n").filter { !$0.hasPrefix("gateway story:") || result.status != 0 }
            #expect(result.status == 0, "\(failures.joined(separator: " | "))")
            #expect(result.stdout.contains(" 0 failed"), "\(result.stdout.split(separator: "\n").last ?? "")")
            if result.status != 0 { print(deployment.logs()) }
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }
}
