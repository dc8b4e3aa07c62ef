import PurserWire
import Testing

/// Byte vectors from the protobuf encoding specification and from `protoc`'s output.
@Suite struct KnownVectorTests {
    @Test func int32OneHundredFiftyIsEncodedAsInTheSpecification() throws {
        let message = SpecExample(a: 150)
        #expect(message.serializedBytes() == [0x08, 0x96, 0x01])
        #expect(try SpecExample(serializedBytes: [0x08, 0x96, 0x01]) == message)
    }

    @Test func stringTestingIsEncodedAsInTheSpecification() throws {
        let bytes: [UInt8] = [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67]
        #expect(SpecExample(b: "testing").serializedBytes() == bytes)
        #expect(try SpecExample(serializedBytes: bytes).b == "testing")
    }

    @Test func nestedMessageIsEncodedAsInTheSpecification() throws {
        let bytes: [UInt8] = [0x1A, 0x03, 0x08, 0x96, 0x01]
        #expect(SpecExample(c: SpecInner(a: 150)).serializedBytes() == bytes)
        #expect(try SpecExample(serializedBytes: bytes).c == SpecInner(a: 150))
    }

    @Test func packedRepeatedIsEncodedAsInTheSpecification() throws {
        let bytes: [UInt8] = [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05]
        #expect(SpecExample(d: [3, 270, 86942]).serializedBytes() == bytes)
        #expect(try SpecExample(serializedBytes: bytes).d == [3, 270, 86942])
    }

    @Test func negativeInt64TakesTenBytes() throws {
        var message = Everything()
        message.int64 = -2
        let bytes = message.serializedBytes()
        #expect(bytes == [0x10, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try Everything(serializedBytes: bytes).int64 == -2)
    }

    @Test func negativeInt32IsSignExtendedToTenBytes() throws {
        let bytes = SpecExample(a: -1).serializedBytes()
        #expect(bytes == [0x08] + Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(try SpecExample(serializedBytes: bytes).a == -1)
    }

    @Test func sintFixedAndFloatFieldsUseTheirWireTypes() {
        var message = Everything()
        message.sint32 = -1
        message.sint64 = -64
        message.fixed32 = 1
        message.fixed64 = 2
        message.sfixed32 = -1
        message.sfixed64 = -2
        message.ratio = 1.0
        message.score = 1.0
        let expected: [UInt8] =
            [0x28, 0x01]  // field 5, zigzag(-1) = 1
            + [0x30, 0x7F]  // field 6, zigzag(-64) = 127
            + [0x3D, 0x01, 0x00, 0x00, 0x00]  // field 7 fixed32
            + [0x41, 0x02, 0, 0, 0, 0, 0, 0, 0]  // field 8 fixed64
            + [0x4D, 0xFF, 0xFF, 0xFF, 0xFF]  // field 9 sfixed32 -1
            + [0x51, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]  // field 10 sfixed64 -2
            + [0x79, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]  // field 15 double 1.0
            + [0x85, 0x02, 0x00, 0x00, 0x80, 0x3F]  // field 32 float 1.0
        #expect(message.serializedBytes() == expected)
    }

    @Test func mapEntryIsAKeyValueMessage() throws {
        var message = Everything()
        message.labels = ["k": "v"]
        let bytes: [UInt8] = [0xD2, 0x01, 0x06, 0x0A, 0x01, 0x6B, 0x12, 0x01, 0x76]
        #expect(message.serializedBytes() == bytes)
        #expect(try Everything(serializedBytes: bytes).labels == ["k": "v"])
    }

    @Test func highestFieldNumberRoundTrips() throws {
        var message = Everything()
        message.last = 1
        let bytes = message.serializedBytes()
        #expect(bytes == [0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x01])
        #expect(try Everything(serializedBytes: bytes).last == 1)
    }
}
