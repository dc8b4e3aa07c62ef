import Testing

/// x402 on Purser credits against the real executables and gateway, with the
/// real x402 SDK from PyPI on both sides (`Tests/Interop/x402_story.py`): a
/// paid Flask API behind the SDK's middleware pointed at the gateway's
/// facilitator, agents paying with the SDK's client and Purser's scheme.
@Suite struct X402SystemTests {
    @Test(.timeLimit(.minutes(10))) func agentsPayAPaidAPIThroughTheFacilitatorExactlyOnce() async throws {
        try await InteropScript.run("x402_story.py", label: "x402 story", timeout: .seconds(540))
    }

    /// Priced MCP tools (`purser.mcp_payment`) with the official MCP SDK on both
    /// sides, over stdio and streamable HTTP (`Tests/Interop/x402_mcp_story.py`).
    @Test(.timeLimit(.minutes(5))) func agentsPayPricedMCPToolsOverStdioAndStreamableHTTP() async throws {
        try await InteropScript.run("x402_mcp_story.py", label: "x402 mcp story", timeout: .seconds(240))
    }
}
