extension WireDecoder {
    /// Scans `buffer[start..<stop]` into entries appended after `base`, then
    /// sorts them by field number (stably) when they were out of order.
    @inlinable
    mutating func scan(from start: Int, to stop: Int) throws(WireError) {
        var position = start
        var previous: UInt32 = 0
        var ordered = true
        while position < stop {
            let tagOffset = position
            let (number, wireType) = try WireScanner.split(
                WireScanner.readVarint(buffer, &position, stop), at: tagOffset)
            var offset = position
            let bits: UInt64
            switch wireType {
            case 0:
                bits = try WireScanner.readVarint(buffer, &position, stop)
            case 1:
                try WireScanner.checkFixed(8, at: position, stop, fieldNumber: number)
                bits = WireScanner.readFixed(buffer, at: position, width: 8)
                position += 8
            case 2:
                bits = try WireScanner.readVarint(buffer, &position, stop)
                offset = position
                position = try WireScanner.payloadEnd(bits, at: position, stop, fieldNumber: number)
            case 3:
                try WireScanner.skipGroup(buffer, number, &position, stop, depth: depth + 1)
                continue
            case 4:
                throw WireError(.unmatchedEndGroup, offset: tagOffset, fieldNumber: Int(number))
            case 5:
                try WireScanner.checkFixed(4, at: position, stop, fieldNumber: number)
                bits = WireScanner.readFixed(buffer, at: position, width: 4)
                position += 4
            default:
                throw WireError(.invalidWireType, offset: tagOffset, fieldNumber: Int(number))
            }
            if number < previous { ordered = false }
            previous = number
            entries.append(WireEntry(number: number, wireType: wireType, bits: bits, offset: offset))
        }
        end = entries.count
        if !ordered {
            entries[base..<end].sort { ($0.number, $0.offset) < ($1.number, $1.offset) }
        }
    }
}
