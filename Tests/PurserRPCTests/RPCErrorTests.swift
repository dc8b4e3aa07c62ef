import PurserRPC
import Testing

@Suite("The one error type")
struct RPCErrorTests {
    struct Underlying: Error {}

    @Test func theCauseIsNeitherPartOfEqualityNorOfTheDescription() {
        let bare = RPCError(.unavailable, "down", reason: "database_unavailable")
        let caused = RPCError(.unavailable, "down", reason: "database_unavailable", cause: Underlying())
        #expect(bare == caused)
        #expect(bare.hashValue == caused.hashValue)
        #expect(caused.description == "UNAVAILABLE: down (reason: database_unavailable)")
        #expect(caused.cause is Underlying)
        #expect(bare != RPCError(.unavailable, "down", reason: "other"))
        #expect(bare != RPCError(.unavailable, "down", reason: "database_unavailable", metadata: ["k": "v"]))
    }

    @Test func constructorsKeepTheirStatusReasonAndMessage() {
        #expect(RPCError.invalid("amount_micros", "must be positive", reason: "amount_invalid")
            == RPCError(.invalidArgument, "amount_micros: must be positive", reason: "amount_invalid"))
        #expect(RPCError.invalidArgument("kind must be set") == RPCError(.invalidArgument, "kind must be set", reason: "invalid_argument"))
        #expect(RPCError.notFound("agent") == RPCError(.notFound, "agent not found", reason: "not_found"))
        #expect(RPCError.notFound == RPCError(.notFound, "not found", reason: "not_found"))
        #expect(RPCError.permissionDenied("no") == RPCError(.permissionDenied, "no", reason: "permission_denied"))
        #expect(RPCError.unavailable("later") == RPCError(.unavailable, "later", reason: "unavailable"))
        #expect(RPCError.internal("bug") == RPCError(.internal, "bug", reason: "internal"))
    }

    @Test func anUndecodableRequestIsMalformedOnTheOneDecodePath() {
        // Field 1 as a length-delimited string whose length runs past the end.
        do {
            _ = try Health.check.decodeRequest([0x0A, 0x7F, 0x41])
            Issue.record("decoded a truncated message")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.reason == "malformed_request")
            #expect(error.cause != nil)
        }
    }
}
