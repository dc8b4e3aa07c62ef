import PurserTestSupport
import PurserWire
import Testing

/// Malformed input must end in a thrown `WireError`, never a trap.
@Suite struct HostileInputTests {
    /// The kind of error decoding `bytes` as `Everything` throws, or nil when it decodes.
    func failure(_ bytes: [UInt8]) -> WireError.Kind? {
        do {
            _ = try Everything(serializedBytes: bytes)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test(arguments: [
        ("truncated varint", [0x08, 0x96], WireError.Kind.truncated),
        ("truncated tag", [0x80], .truncated),
        ("eleven-byte varint", [0x08] + Array(repeating: 0xFF, count: 10) + [0x01], .varintTooLong),
        ("varint overflowing 64 bits", [0x08] + Array(repeating: 0xFF, count: 9) + [0x02], .varintTooLong),
        ("length past end", [0x62, 0x05, 0x61], .lengthOutOfBounds),
        ("length negative as int32", [0x62, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .lengthOutOfBounds),
        ("length negative as int64", [0x62] + Array(repeating: 0xFF, count: 9) + [0x01], .lengthOutOfBounds),
        ("length prefix missing", [0x62], .truncated),
        ("truncated fixed64", [0x41, 1, 2, 3], .truncated),
        ("truncated fixed32", [0x3D, 1, 2, 3], .truncated),
        ("field number zero", [0x00, 0x01], .invalidFieldNumber),
        ("field number zero length-delimited", [0x02, 0x00], .invalidFieldNumber),
        ("field number above 2^29-1", varint(UInt64(1) << 32) + [0x01], .invalidFieldNumber),
        ("wire type 6", [0x0E, 0x01], .invalidWireType),
        ("wire type 7", [0x0F, 0x01], .invalidWireType),
        ("end group without start", [0x0C], .unmatchedEndGroup),
        ("group closed by another field", [0x1B, 0x24], .unmatchedEndGroup),
        ("group never closed", [0x1B, 0x08, 0x01], .truncated),
        ("string given as varint", [0x60, 0x01], .wireTypeMismatch),
        ("int64 given as fixed32", [0x15, 0, 0, 0, 0], .wireTypeMismatch),
        ("message given as varint", [0x80, 0x01, 0x01], .wireTypeMismatch),
        ("packed fixed64 of 7 bytes", [0xA2, 0x01, 0x07, 1, 2, 3, 4, 5, 6, 7], .truncated),
        ("packed varint cut short", [0x92, 0x01, 0x02, 0x01, 0x80], .truncated),
        ("nested message truncated inside", [0x82, 0x01, 0x02, 0x08, 0x80], .truncated),
    ] as [(String, [UInt8], WireError.Kind)])
    func malformedInputThrowsItsKind(name: String, bytes: [UInt8], kind: WireError.Kind) {
        #expect(failure(bytes) == kind, "\(name)")
    }

    @Test(arguments: [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x61, 0x80],
    ] as [[UInt8]])
    func invalidUTF8InAStringFieldIsRejected(payload: [UInt8]) {
        #expect(failure(lengthDelimited(12, payload)) == .invalidUTF8)
        #expect(failure(lengthDelimited(23, payload)) == .invalidUTF8)
        #expect(failure(lengthDelimited(26, lengthDelimited(1, payload))) == .invalidUTF8)
    }

    @Test func stringFieldsAcceptExactlyTheBytesSwiftCallsValidUTF8() throws {
        var random = SeededGenerator(seed: 0x5EED_0003)
        let pieces: [[UInt8]] = [
            [0x61], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x99, 0x82], [0x80], [0xC0], [0xC1, 0xBF],
            [0xE0, 0x80], [0xE0, 0xA0], [0xED, 0xA0], [0xED, 0x9F, 0xBF], [0xEF, 0xBF, 0xBF], [0xF0, 0x8F],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90], [0xF5], [0xFF], Array("abcdefghij".utf8),
        ]
        var accepted = 0
        for _ in 0..<5_000 {
            var payload: [UInt8] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                payload += pieces[Int.random(in: 0..<pieces.count, using: &random)]
            }
            let expected = String(validating: payload, as: UTF8.self)
            let decoded = try? Everything(serializedBytes: lengthDelimited(12, payload))
            #expect(decoded?.text == expected, "\(payload)")
            if expected != nil { accepted += 1 }
        }
        #expect(accepted > 100)
    }

    @Test func invalidUTF8InABytesFieldIsAccepted() throws {
        #expect(try Everything(serializedBytes: lengthDelimited(13, [0xFF, 0xC0])).data == [0xFF, 0xC0])
    }

    /// `depth` levels of `Node.children`, innermost carrying value 1.
    func nested(_ depth: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x08, 0x01]
        for _ in 0..<depth { bytes = lengthDelimited(2, bytes) }
        return bytes
    }

    @Test func nestingAThousandLevelsDeepIsRejected() {
        do {
            _ = try Node(serializedBytes: nested(1000))
            Issue.record("a thousand levels were accepted")
        } catch {
            #expect(error.kind == .nestingTooDeep)
        }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        var node = try Node(serializedBytes: nested(WireDecoder.maximumDepth))
        for _ in 0..<WireDecoder.maximumDepth {
            let child = try #require(node.children.first)
            node = child
        }
        #expect(node.value == 1)
        do {
            _ = try Node(serializedBytes: nested(WireDecoder.maximumDepth + 1))
            Issue.record("one level past the limit was accepted")
        } catch {
            #expect(error.kind == .nestingTooDeep)
        }
    }

    @Test func unknownGroupsNestedAThousandLevelsDeepAreRejected() {
        let bytes = Array(repeating: tag(7, 3), count: 1000).flatMap { $0 } + Array(repeating: tag(7, 4), count: 1000).flatMap { $0 }
        #expect(failure(bytes) == .nestingTooDeep)
    }

    @Test func errorsReportOffsetAndField() {
        do {
            _ = try Everything(serializedBytes: [0x08, 0x01] + lengthDelimited(12, [0x61, 0xFF]))
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error == WireError(.invalidUTF8, offset: 4, fieldNumber: 12))
            #expect(error.reason == "invalid_utf8")
            #expect(error.description == "invalid_utf8 at byte 4 (field 12)")
        }
    }

    @Test func randomByteStringsOnlyEverThrow() {
        var random = SeededGenerator(seed: 0x5EED_0001)
        var decoded = 0
        for _ in 0..<20_000 {
            let bytes = random.bytes(maxCount: 48)
            checkDecodingIsSafe(bytes, decoded: &decoded)
        }
        #expect(decoded > 0)
    }

    @Test func mutatedAndTruncatedEncodingsOnlyEverThrow() {
        var random = SeededGenerator(seed: 0x5EED_0002)
        var decoded = 0
        for _ in 0..<3_000 {
            let valid = random.everything().serializedBytes()
            guard !valid.isEmpty else { continue }
            var mutated = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<mutated.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: mutated[index] = UInt8.random(in: 0...255, using: &random)
                case 1: mutated[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
                case 2: mutated.insert(UInt8.random(in: 0...255, using: &random), at: index)
                default: if mutated.count > 1 { mutated.remove(at: index) }
                }
            }
            checkDecodingIsSafe(mutated, decoded: &decoded)
            checkDecodingIsSafe(Array(valid.prefix(Int.random(in: 0..<valid.count, using: &random))), decoded: &decoded)
        }
        #expect(decoded > 0)
    }

    /// Decodes `bytes`: a success must re-encode to a stable form, a failure must
    /// point inside the input.
    func checkDecodingIsSafe(_ bytes: [UInt8], decoded: inout Int) {
        do {
            let message = try Everything(serializedBytes: bytes)
            decoded += 1
            let again = try Everything(serializedBytes: message.serializedBytes())
            #expect(again.serializedBytes() == message.serializedBytes())
        } catch {
            #expect((0...bytes.count).contains(error.offset), "\(error) for \(bytes)")
        }
    }
}
