/// One field occurrence found by the scan of a message: where it is, not a copy.
@usableFromInline
struct WireEntry: Sendable {
    /// Field number (1…2^29 - 1).
    @usableFromInline var number: UInt32
    /// Raw wire type (0, 1, 2 or 5; groups are skipped during the scan).
    @usableFromInline var wireType: UInt8
    /// Varint value, fixed value, or payload length for length-delimited fields.
    @usableFromInline var bits: UInt64
    /// Offset of the value (or payload) in the buffer; also orders repeated occurrences.
    @usableFromInline var offset: Int

    @inlinable
    init(number: UInt32, wireType: UInt8, bits: UInt64, offset: Int) {
        self.number = number
        self.wireType = wireType
        self.bits = bits
        self.offset = offset
    }
}
