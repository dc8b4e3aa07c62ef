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

@Suite struct BenchmarkTests {
    /// Prints ns per encode and per decode of a ten-field message; asserts only correctness.
    @Test func tenFieldMessageEncodeDecodeFigures() throws {
        let message = AuthorizeLike(
            tenantID: "ten_01HZX3", agentID: "agt_01HZX4", amount: 12_500_000, currency: "USD",
            category: "llm.inference", providerID: "prv_openai", expiresInSeconds: 300, status: .pending,
            tags: ["batch", "eu"], money: Money(micros: 1_000_000, currency: "USD"))
        let bytes = message.serializedBytes()
        let iterations = 100_000
        let clock = ContinuousClock()

        var totalBytes = 0
        let encoding = clock.measure {
            for _ in 0..<iterations { totalBytes &+= message.serializedBytes().count }
        }
        var totalAmount: Int64 = 0
        var failures = 0
        let decoding = clock.measure {
            for _ in 0..<iterations {
                do { totalAmount &+= try AuthorizeLike(serializedBytes: bytes).amount } catch { failures += 1 }
            }
        }
        #expect(failures == 0)
        #expect(totalBytes == bytes.count * iterations)
        #expect(totalAmount == 12_500_000 * Int64(iterations))
        #expect(try AuthorizeLike(serializedBytes: bytes) == message)

        func nanoseconds(_ duration: Duration) -> Int {
            Int(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000) / iterations
        }
        print("PurserWire benchmark: \(bytes.count)-byte ten-field message, \(iterations) iterations: encode \(nanoseconds(encoding)) ns/op, decode \(nanoseconds(decoding)) ns/op")
    }
}
