import PurserWire
import Testing

@Suite struct VarintTests {
    @Test(arguments: [
        (UInt64(0), 1), (1, 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3),
        (UInt64(UInt32.max), 5), ((UInt64(1) << 63) - 1, 9), (UInt64.max, 10),
    ] as [(UInt64, Int)])
    func varintSizeMatchesEncodedLength(value: UInt64, size: Int) {
        var writer = WireWriter()
        writer.writeVarint(value)
        #expect(writer.bytes.count == size)
        #expect(WireWriter.varintSize(value) == size)
        #expect(writer.bytes == varint(value))
    }

    @Test(arguments: [
        (Int64(0), UInt64(0)), (-1, 1), (1, 2), (-2, 3), (2, 4),
        (Int64(Int32.max), UInt64(4_294_967_294)), (Int64(Int32.min), 4_294_967_295),
        (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max),
    ] as [(Int64, UInt64)])
    func zigzag64FollowsTheSpecificationTable(signed: Int64, encoded: UInt64) {
        #expect(ZigZag.encode(signed) == encoded)
        #expect(ZigZag.decode(encoded) == signed)
    }

    @Test(arguments: [
        (Int32(0), UInt32(0)), (-1, 1), (1, 2), (-2, 3),
        (Int32.max, UInt32.max - 1), (Int32.min, UInt32.max),
    ] as [(Int32, UInt32)])
    func zigzag32FollowsTheSpecificationTable(signed: Int32, encoded: UInt32) {
        #expect(ZigZag.encode(signed) == encoded)
        #expect(ZigZag.decode(encoded) == signed)
    }

    @Test func lengthPrefixLongerThanOneByteIsPatchedInPlace() {
        for length in [0, 1, 127, 128, 300, 16_383, 16_384, 70_000] {
            var writer = WireWriter()
            writer.bytes = [0xAA]
            let written = writer.writeLengthDelimited { w in
                w.bytes.append(contentsOf: repeatElement(0x55, count: length))
            }
            #expect(written == length)
            #expect(writer.bytes == [0xAA] + varint(UInt64(length)) + Array(repeating: 0x55, count: length))
        }
    }
}
