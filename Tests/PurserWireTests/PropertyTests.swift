import PurserTestSupport
import PurserWire
import Testing

@Suite struct PropertyTests {
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomMessagesSurviveEncodeThenDecode(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<2_500 {
            let message = random.everything()
            let bytes = message.serializedBytes()
            let decoded = try Everything(serializedBytes: bytes)
            #expect(decoded == message)
            #expect(decoded.serializedBytes() == bytes)
        }
    }

    @Test func concatenatedEncodingsMergeLikeProtobuf() throws {
        var random = SeededGenerator(seed: 77)
        for _ in 0..<1_000 {
            let first = random.everything()
            let second = random.everything()
            let merged = try Everything(serializedBytes: first.serializedBytes() + second.serializedBytes())
            #expect(merged.ints == first.ints + second.ints)
            #expect(merged.monies == first.monies + second.monies)
            #expect(merged.int64 == (second.int64 != 0 ? second.int64 : first.int64))
            #expect(merged.text == (second.text.isEmpty ? first.text : second.text))
            #expect(merged.maybeCount == (second.maybeCount ?? first.maybeCount))
            #expect(merged.labels == first.labels.merging(second.labels) { $1 })
        }
    }
}
