import PurserWire
import Testing

/// Behaviours that let old and new peers (and other protobuf libraries) interoperate.
@Suite struct CompatibilityTests {
    @Test func unpackedRepeatedScalarsDecodeLikePacked() throws {
        let unpacked = tag(4, 0) + [3] + tag(4, 0) + [0x8E, 0x02] + tag(4, 0) + [0x9E, 0xA7, 0x05]
        #expect(try SpecExample(serializedBytes: unpacked).d == [3, 270, 86942])
    }

    @Test func packedAndUnpackedChunksConcatenateInOrder() throws {
        let bytes = lengthDelimited(4, [1, 2]) + tag(4, 0) + [3] + lengthDelimited(4, [4]) + lengthDelimited(4, [])
        #expect(try SpecExample(serializedBytes: bytes).d == [1, 2, 3, 4])
    }

    @Test func unpackedFixedAndZigzagRepeatedDecode() throws {
        let bytes =
            tag(20, 1) + [1, 0, 0, 0, 0, 0, 0, 0] + lengthDelimited(20, [2, 0, 0, 0, 0, 0, 0, 0])
            + tag(19, 0) + [0x03] + lengthDelimited(19, [0x04, 0x01])
        let decoded = try Everything(serializedBytes: bytes)
        #expect(decoded.fixeds == [1, 2])
        #expect(decoded.sints == [-2, 2, -1])
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let group = tag(103, 3) + tag(1, 0) + [5] + tag(104, 3) + tag(2, 5) + [1, 2, 3, 4] + tag(104, 4) + tag(103, 4)
        let bytes =
            tag(100, 0) + [0xFF, 0xFF, 0x03] + tag(1, 0) + [0x96, 0x01]
            + tag(101, 1) + [1, 2, 3, 4, 5, 6, 7, 8] + lengthDelimited(2, Array("kept".utf8))
            + lengthDelimited(102, [0xFF, 0xFE, 0x00]) + group
            + tag(105, 5) + [9, 9, 9, 9] + lengthDelimited(4, [7])
        let decoded = try SpecExample(serializedBytes: bytes)
        #expect(decoded == SpecExample(a: 150, b: "kept", d: [7]))
    }

    @Test func newerMessageDecodesAsOlderSubset() throws {
        var message = Everything()
        message.int32 = 150
        message.text = "ignored by the older type"
        message.monies = [Money(micros: 3)]
        message.labels = ["a": "b"]
        #expect(try SpecExample(serializedBytes: message.serializedBytes()) == SpecExample(a: 150))
    }

    @Test func lastOccurrenceOfASingularFieldWins() throws {
        let bytes = tag(1, 0) + [1] + tag(2, 2) + [1, 0x61] + tag(1, 0) + [2] + tag(2, 2) + [1, 0x62]
        let decoded = try SpecExample(serializedBytes: bytes)
        #expect(decoded.a == 2)
        #expect(decoded.b == "b")
    }

    @Test func laterFieldWinsEvenWhenFieldsArriveOutOfOrder() throws {
        let bytes = tag(2, 2) + [1, 0x61] + tag(1, 0) + [1] + tag(4, 0) + [9] + tag(1, 0) + [3] + tag(4, 0) + [8]
        #expect(try SpecExample(serializedBytes: bytes) == SpecExample(a: 3, b: "a", d: [9, 8]))
    }

    @Test func repeatedOccurrencesOfAMessageFieldMerge() throws {
        let first = lengthDelimited(16, Money(micros: 5, notes: ["one"]).serializedBytes())
        let second = lengthDelimited(16, Money(currency: "USD", notes: ["two"]).serializedBytes())
        let decoded = try Everything(serializedBytes: first + second)
        #expect(decoded.money == Money(micros: 5, currency: "USD", notes: ["one", "two"]))
        let plain = try Everything(serializedBytes: [0x8A, 0x01] + first.dropFirst(2) + [0x8A, 0x01] + second.dropFirst(2))
        #expect(plain.plainMoney == Money(micros: 5, currency: "USD", notes: ["one", "two"]))
    }

    @Test func mapEntriesWithMissingKeyOrValueUseDefaultsAndLastKeyWins() throws {
        let bytes =
            lengthDelimited(26, tag(2, 2) + [1, 0x76])  // key absent
            + lengthDelimited(26, tag(1, 2) + [1, 0x6B])  // value absent
            + lengthDelimited(26, tag(2, 2) + [1, 0x31] + tag(1, 2) + [1, 0x6A] + tag(9, 0) + [1])  // value first, unknown field
            + lengthDelimited(26, tag(1, 2) + [1, 0x6A] + tag(2, 2) + [1, 0x32])  // same key again
        #expect(try Everything(serializedBytes: bytes).labels == ["": "v", "k": "", "j": "2"])
    }

    @Test func int32ReadsTheLow32BitsOfAWideVarint() throws {
        let bytes = tag(1, 0) + varint(UInt64(0x1_0000_0005))
        #expect(try SpecExample(serializedBytes: bytes).a == 5)
    }

    @Test func nonMinimalVarintsAreAccepted() throws {
        #expect(try SpecExample(serializedBytes: tag(1, 0) + [0x81, 0x80, 0x00]).a == 1)
    }
}
