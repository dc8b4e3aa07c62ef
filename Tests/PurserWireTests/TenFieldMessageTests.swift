import PurserWire
import Testing

/// A typical request: ten fields of the kinds services use.
struct AuthorizeLike: WireMessage {
    var tenantID = ""
    var agentID = ""
    var amount: Int64 = 0
    var currency = ""
    var category = ""
    var providerID = ""
    var expiresInSeconds: UInt32 = 0
    var status = HoldStatus.unspecified
    var tags: [String] = []
    var money: Money? = nil

    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &tenantID)
        try t.field(2, &agentID)
        try t.field(3, &amount)
        try t.field(4, &currency)
        try t.field(5, &category)
        try t.field(6, &providerID)
        try t.field(7, &expiresInSeconds)
        try t.field(8, &status)
        try t.field(9, &tags)
        try t.field(10, &money)
    }
}

/// The ten-field message round-trips. Its encode and decode costs are figures
/// for a benchmark, not for this unit target, which measures nothing.
@Suite struct TenFieldMessageTests {
    @Test func aTenFieldMessageRoundTrips() throws {
        let message = AuthorizeLike(
            tenantID: "ten_01HZX3", agentID: "agt_01HZX4", amount: 12_500_000, currency: "USD",
            category: "llm.inference", providerID: "prv_openai", expiresInSeconds: 300, status: .pending,
            tags: ["batch", "eu"], money: Money(micros: 1_000_000, currency: "USD"))
        let bytes = message.serializedBytes()
        #expect(message.serializedBytes() == bytes, "encoding is deterministic")
        let decoded = try AuthorizeLike(serializedBytes: bytes)
        #expect(decoded == message)
        #expect(decoded.serializedBytes() == bytes)
    }
}
