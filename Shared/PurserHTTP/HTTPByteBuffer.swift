/// Bytes received but not yet parsed: appended at the end, consumed from the
/// front, compacted when the consumed prefix grows large.
struct HTTPByteBuffer: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Index of the first unconsumed byte.
    private(set) var start = 0

    /// Unconsumed bytes.
    var count: Int { bytes.count - start }

    /// The unconsumed byte at `offset` (relative to the first unconsumed byte).
    subscript(offset: Int) -> UInt8 { bytes[start + offset] }

    /// Unconsumed bytes `range` (relative offsets).
    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[(start + range.lowerBound)..<(start + range.upperBound)] }

    mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    mutating func append<S: Sequence>(contentsOf sequence: S) where S.Element == UInt8 { bytes.append(contentsOf: sequence) }

    /// Drops `n` bytes from the front.
    mutating func consume(_ n: Int) {
        start += n
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.capacity <= 64 * 1024)
            start = 0
        } else if start >= 16 * 1024 && start >= bytes.count / 2 {
            bytes.removeSubrange(0..<start)
            start = 0
        }
    }

    /// Takes up to `n` bytes from the front.
    mutating func take(upTo n: Int) -> [UInt8] {
        let length = min(n, count)
        let taken = Array(slice(0..<length))
        consume(length)
        return taken
    }

    /// Offset of the first `byte` at or after `offset`, or nil.
    func firstIndex(of byte: UInt8, from offset: Int) -> Int? {
        var index = start + offset
        let end = bytes.count
        while index < end {
            if bytes[index] == byte { return index - start }
            index += 1
        }
        return nil
    }
}
