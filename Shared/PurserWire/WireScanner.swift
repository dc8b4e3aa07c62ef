/// Bounds-checked reads of protobuf primitives from a buffer. Every read checks
/// against an explicit stop offset and throws `WireError` instead of trapping.
@usableFromInline
enum WireScanner {
    /// Largest field number protobuf allows (2^29 - 1).
    @usableFromInline static let maximumFieldNumber: UInt64 = (1 << 29) - 1

    /// Reads a varint at `position`, advancing it. At most ten bytes, and the
    /// tenth may only carry the 64th bit.
    @inlinable
    static func readVarint(
        _ buffer: UnsafeRawBufferPointer, _ position: inout Int, _ stop: Int
    ) throws(WireError) -> UInt64 {
        guard position < stop else { throw WireError(.truncated, offset: position) }
        let first = buffer[position]
        if first < 0x80 {
            position += 1
            return UInt64(first)
        }
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < stop {
            let byte = buffer[position]
            position += 1
            if shift == 63 {
                guard byte <= 1 else { throw WireError(.varintTooLong, offset: start) }
                return result | UInt64(byte) << 63
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        throw WireError(.truncated, offset: position)
    }

    /// Reads `width` (4 or 8) little-endian bytes at `position`; the caller has checked the bounds.
    @inlinable
    static func readFixed(_ buffer: UnsafeRawBufferPointer, at position: Int, width: Int) -> UInt64 {
        width == 4
            ? UInt64(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            : UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    /// Splits a tag read at `offset` into a valid field number and the raw wire type.
    @inlinable
    static func split(_ tag: UInt64, at offset: Int) throws(WireError) -> (number: UInt32, wireType: UInt8) {
        let number = tag >> 3
        guard number >= 1, number <= maximumFieldNumber else {
            throw WireError(.invalidFieldNumber, offset: offset)
        }
        return (UInt32(truncatingIfNeeded: number), UInt8(truncatingIfNeeded: tag & 7))
    }

    /// Checks that `length` bytes remain before `stop` and returns the payload's end.
    @inlinable
    static func payloadEnd(
        _ length: UInt64, at position: Int, _ stop: Int, fieldNumber: UInt32
    ) throws(WireError) -> Int {
        guard length <= UInt64(stop - position) else {
            throw WireError(.lengthOutOfBounds, offset: position, fieldNumber: Int(fieldNumber))
        }
        return position + Int(length)
    }

    /// Checks that a fixed-width value of `width` bytes fits before `stop`.
    @inlinable
    static func checkFixed(_ width: Int, at position: Int, _ stop: Int, fieldNumber: UInt32) throws(WireError) {
        guard stop - position >= width else {
            throw WireError(.truncated, offset: position, fieldNumber: Int(fieldNumber))
        }
    }

    /// Skips the body of an unknown group opened by field `number`, up to and
    /// including its matching end-group tag. Nested groups count toward `depth`.
    @usableFromInline
    static func skipGroup(
        _ buffer: UnsafeRawBufferPointer, _ number: UInt32, _ position: inout Int, _ stop: Int, depth: Int
    ) throws(WireError) {
        guard depth < WireDecoder.maximumDepth else {
            throw WireError(.nestingTooDeep, offset: position, fieldNumber: Int(number))
        }
        while position < stop {
            let tagOffset = position
            let (inner, wireType) = try split(readVarint(buffer, &position, stop), at: tagOffset)
            switch wireType {
            case 0:
                _ = try readVarint(buffer, &position, stop)
            case 1:
                try checkFixed(8, at: position, stop, fieldNumber: inner)
                position += 8
            case 2:
                let length = try readVarint(buffer, &position, stop)
                position = try payloadEnd(length, at: position, stop, fieldNumber: inner)
            case 3:
                try skipGroup(buffer, inner, &position, stop, depth: depth + 1)
            case 4:
                guard inner == number else {
                    throw WireError(.unmatchedEndGroup, offset: tagOffset, fieldNumber: Int(inner))
                }
                return
            case 5:
                try checkFixed(4, at: position, stop, fieldNumber: inner)
                position += 4
            default:
                throw WireError(.invalidWireType, offset: tagOffset, fieldNumber: Int(inner))
            }
        }
        throw WireError(.truncated, offset: position, fieldNumber: Int(number))
    }
}
