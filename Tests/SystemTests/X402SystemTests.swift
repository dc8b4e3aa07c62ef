import Testing

/// x402 on Purser credits against the real executables and gateway, with the
/// real x402 SDK from PyPI on both sides (`Tests/Interop/x402_story.py`): a
/// paid Flask API behind the SDK's middleware pointed at the gateway's
/// facilitator, agents paying with the SDK's client and Purser's scheme.
@Suite struct X402SystemTests {
    @Test(.timeLimit(.minutes(10))) func agentsPayAPaidAPIThroughTheFacilitatorExactlyOnce() async throws {
        try await GatewaySystemTests.runScript("x402_story.py", label: "x402 story", timeout: .seconds(540))
    }
}
