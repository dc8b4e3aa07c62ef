import PurserWire
import Testing

@Suite struct RoundTripTests {
    /// One setter per field of `Everything`, each to a non-default value.
    static let setters: [(String, @Sendable (inout Everything) -> Void)] = [
        ("int32", { $0.int32 = -7 }), ("int64", { $0.int64 = Int64.min }),
        ("uint32", { $0.uint32 = UInt32.max }), ("uint64", { $0.uint64 = UInt64.max }),
        ("sint32", { $0.sint32 = Int32.min }), ("sint64", { $0.sint64 = Int64.min }),
        ("fixed32", { $0.fixed32 = 0xDEAD_BEEF }), ("fixed64", { $0.fixed64 = UInt64.max }),
        ("sfixed32", { $0.sfixed32 = -5 }), ("sfixed64", { $0.sfixed64 = -5 }),
        ("bool", { $0.flag = true }), ("string", { $0.text = "héllo 🙂" }),
        ("bytes", { $0.data = [0, 0xFF, 0x80] }), ("enum", { $0.status = .captured }),
        ("double", { $0.ratio = -0.25 }), ("optional message", { $0.money = Money(micros: 5) }),
        ("message", { $0.plainMoney = Money(currency: "USD") }), ("repeated int64", { $0.ints = [0, -1, 300] }),
        ("repeated sint32", { $0.sints = [Int32.min, 0, Int32.max] }),
        ("repeated fixed64", { $0.fixeds = [1, UInt64.max] }), ("repeated bool", { $0.flags = [true, false] }),
        ("repeated enum", { $0.statuses = [.pending, HoldStatus(rawValue: -3)] }),
        ("repeated string", { $0.texts = ["", "a", "€"] }), ("repeated bytes", { $0.blobs = [[], [1]] }),
        ("repeated message", { $0.monies = [Money(), Money(micros: 1, notes: ["x"])] }),
        ("map string string", { $0.labels = ["a": "1", "": "", "b": ""] }),
        ("map string sint64", { $0.counts = ["x": -1, "y": 0] }),
        ("map int64 message", { $0.accounts = [-1: Money(micros: 2), 0: Money()] }),
        ("optional int64", { $0.maybeCount = 9 }), ("optional string", { $0.maybeText = "t" }),
        ("optional bool", { $0.maybeFlag = true }), ("float", { $0.score = 2.5 }),
        ("highest field number", { $0.last = -1 }),
    ]

    @Test(arguments: setters.map(\.0))
    func everyFieldTypeRoundTrips(name: String) throws {
        let setter = try #require(Self.setters.first { $0.0 == name }?.1)
        var message = Everything()
        setter(&message)
        let bytes = message.serializedBytes()
        #expect(!bytes.isEmpty)
        #expect(try Everything(serializedBytes: bytes) == message)
    }

    @Test func defaultValuesAreNotEncoded() {
        var message = Everything()
        message.plainMoney = Money()
        message.text = ""
        message.status = .unspecified
        message.ratio = 0
        #expect(message.serializedBytes().isEmpty)
    }

    @Test func negativeZeroDoubleIsEncodedLikeProtobuf() throws {
        var message = Everything()
        message.ratio = -0.0
        let bytes = message.serializedBytes()
        #expect(bytes.count == 9)
        #expect(try Everything(serializedBytes: bytes).ratio.sign == .minus)
    }

    @Test func optionalScalarsArePresentEvenAtTheirDefault() throws {
        var message = Everything()
        message.maybeCount = 0
        message.maybeText = ""
        message.maybeFlag = false
        let bytes = message.serializedBytes()
        #expect(bytes == [0xE8, 0x01, 0x00, 0xF2, 0x01, 0x00, 0xF8, 0x01, 0x00])
        let decoded = try Everything(serializedBytes: bytes)
        #expect(decoded.maybeCount == 0)
        #expect(decoded.maybeText == "")
        #expect(decoded.maybeFlag == false)
        #expect(try Everything(serializedBytes: []).maybeCount == nil)
    }

    @Test func optionalMessageDistinguishesAbsentFromEmpty() throws {
        var message = Everything()
        message.money = Money()
        let bytes = message.serializedBytes()
        #expect(bytes == [0x82, 0x01, 0x00])
        #expect(try Everything(serializedBytes: bytes).money == Money())
        #expect(try Everything(serializedBytes: []).money == nil)
    }

    @Test func unknownEnumValuesArePreservedAsRawNumbers() throws {
        var message = Everything()
        message.status = HoldStatus(rawValue: 99)
        message.statuses = [HoldStatus(rawValue: -1), .pending]
        let decoded = try Everything(serializedBytes: message.serializedBytes())
        #expect(decoded.status.rawValue == 99)
        #expect(decoded.statuses.map(\.rawValue) == [-1, 1])
    }

    @Test func mapsEncodeTheSameBytesWhateverTheInsertionOrder() {
        var first = Everything()
        var second = Everything()
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { first.labels[key] = key }
        for key in keys.reversed() { second.labels[key] = key }
        #expect(first.serializedBytes() == second.serializedBytes())
    }

    @Test func nestedMessagesLongerThan127BytesRoundTrip() throws {
        for length in [100, 127, 128, 200, 16_383, 16_384, 100_000] {
            var message = Everything()
            message.money = Money(currency: String(repeating: "x", count: length))
            message.monies = [Money(notes: [String(repeating: "y", count: length)]), Money(micros: 1)]
            message.int32 = 1
            #expect(try Everything(serializedBytes: message.serializedBytes()) == message)
        }
    }

    @Test func serializeAppendsAfterExistingBytes() throws {
        var buffer: [UInt8] = [1, 2, 3]
        SpecExample(a: 150).serialize(appendingTo: &buffer)
        #expect(buffer == [1, 2, 3, 0x08, 0x96, 0x01])
        #expect(try SpecExample(serializedBytes: buffer[3...]) == SpecExample(a: 150))
    }

    @Test func decodesFromRawBufferPointer() throws {
        let bytes = SpecExample(a: 7, b: "x", d: [1, 2]).serializedBytes()
        let decoded = try bytes.withUnsafeBytes { buffer throws(WireError) in
            try SpecExample(serializedBytes: buffer)
        }
        #expect(decoded == SpecExample(a: 7, b: "x", d: [1, 2]))
    }
}
