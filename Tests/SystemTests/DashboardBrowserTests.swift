import Foundation
import PurserAPI
import PurserTestSupport
import Testing

/// The dashboard served by `purser-gateway` in front of the five real
/// executables, driven by a real headless Chromium through selenium
/// (`Tests/Interop/dashboard_browser.py`): the admin's story from sign-in to
/// revocation, live updates within 2 s, finance's statement download, an
/// agent's own view, and the security checks (hostile text, CSRF, another
/// tenant's ids, finance cannot revoke, cookie flags, server-side sign-out), and
/// the webhooks view (an endpoint's secret shown once, its deliveries, redeliver,
/// disable and enable; finance reads only).
/// Screenshots of each page at 1280×800 and 390 px wide are written to
/// `.build/artifacts/dashboard/`.
@Suite struct DashboardBrowserTests {
    @Test(.timeLimit(.minutes(6))) func theDashboardStoryPassesInHeadlessChromium() async throws {
        let artifacts = TestEnvironment.repositoryRoot() + "/.build/artifacts/dashboard"
        try await InteropScript.run(
            "dashboard_browser.py", label: "dashboard browser", timeout: .seconds(300),
            extraArguments: { deployment in
                [String(deployment.smtpPort), artifacts, try Executables.path("purser"), deployment.databaseURL]
            },
            // The browser's own environment, plus what the CLI needs to reach the services (its CA and endpoints).
            environment: { deployment in
                ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PURSER_") }
                    .merging(deployment.cliEnvironment.filter { $0.key.hasPrefix("PURSER_") }) { _, new in new }
            })
    }
}
