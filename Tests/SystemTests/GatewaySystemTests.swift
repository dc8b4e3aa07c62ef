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
        try await InteropScript.run("gateway_story.py", label: "gateway story", timeout: .seconds(180))
    }

    /// schemathesis (PyPI) generates valid and invalid calls from
    /// `/v1/openapi.json` for every operation, as the operator, a tenant admin
    /// and an agent of a seeded tenant: no 5xx, no answer outside the
    /// document, no schema-violating request accepted, no protected operation
    /// answered without a token.
    @Test(.timeLimit(.minutes(12))) func schemathesisFindsNoServerErrorAndNoAnswerOutsideTheDocument() async throws {
        try await InteropScript.run("gateway_schemathesis.py", label: "gateway schemathesis", timeout: .seconds(600))
    }
}
