import Foundation
import PurserAPI
import PurserTestSupport
import Testing

/// The dashboard served by `purser-gateway` in front of the five real
/// executables, driven by a real headless Chromium through selenium
/// (`Tests/Interop/dashboard_browser.py`): the admin's story from sign-in to
/// revocation, live updates within 2 s, finance's statement download, an
/// agent's own view, and the security checks (hostile text, CSRF, another
/// tenant's ids, finance cannot revoke, cookie flags, server-side sign-out).
/// Screenshots of each page at 1280×800 and 390 px wide are written to
/// `.build/artifacts/dashboard/`.
@Suite struct DashboardBrowserTests {
    @Test(.timeLimit(.minutes(6))) func theDashboardStoryPassesInHeadlessChromium() async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            let port = try await deployment.startGateway()
            let bootstrap = try deployment.client("identity", certificate: "cli")
            defer { bootstrap.close() }
            let secret = try await bootstrap.call(
                IdentityMethods.bootstrap, BootstrapRequest(label: "dashboard browser"), timeout: .seconds(20)).secret
            let artifacts = TestEnvironment.repositoryRoot() + "/.build/artifacts/dashboard"
            // The browser's own environment, plus what the CLI needs to reach the services (its CA and endpoints).
            let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }
                .merging(deployment.cliEnvironment.filter { $0.key.hasPrefix("PURSER_") }) { _, new in new }
            let result = try await ChildProcess.run(
                "/usr/bin/env",
                ["python3", TestEnvironment.repositoryRoot() + "/Tests/Interop/dashboard_browser.py", "https://127.0.0.1:\(port)",
                 deployment.certificates + "/ca.pem", secret, String(deployment.smtpPort), artifacts, try Executables.path("purser")],
                environment: environment, timeout: .seconds(300))
            print(result.stdout)
            let failures = (result.stdout + result.stderr).split(separator: "\n").filter {
                $0.hasPrefix("FAIL") || $0.contains("Error") || $0.contains("Traceback")
            }
            #expect(result.status == 0, "dashboard browser exited \(result.status): \(failures.joined(separator: " | ")) \(result.stderr.suffix(2000))")
            #expect(result.stdout.contains("dashboard browser: ") && result.stdout.contains(" 0 failed"),
                    "\(result.stdout.split(separator: "\n").last ?? "")")
            if result.status != 0 { print(deployment.logs()) }
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }
}
