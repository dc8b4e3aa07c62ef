/// An append-only byte buffer with the protobuf primitive encodings.
///
/// Writes never fail and never trap; the buffer grows geometrically, so encoding
/// a message costs a handful of allocations, not one per field.
public struct WireWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Creates a writer that appends to `bytes`, e.g. after a frame header already written.
    @inlinable
    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Number of bytes the varint encoding of `value` takes (1…10).
    @inlinable
    public static func varintSize(_ value: UInt64) -> Int {
        // Bits needed, rounded up to groups of seven; zero still takes one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Appends `value` as a base-128 varint.
    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends the tag of field `number` with `wireType`.
    @inlinable
    public mutating func writeTag(_ number: Int, _ wireType: WireType) {
        writeVarint(UInt64(truncatingIfNeeded: number) << 3 | UInt64(wireType.rawValue))
    }

    /// Appends four little-endian bytes.
    @inlinable
    public mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends eight little-endian bytes.
    @inlinable
    public mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a length prefix and the raw bytes.
    @inlinable
    public mutating func writeLengthDelimited(_ payload: UnsafeRawBufferPointer) {
        writeVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Appends a length prefix and the UTF-8 of `string` (no copy for native strings).
    @inlinable
    public mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { writeLengthDelimited(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a length-delimited payload produced by `body`; returns the payload's length.
    @inlinable
    @discardableResult
    public mutating func writeLengthDelimited(_ body: (inout WireWriter) -> Void) -> Int {
        let mark = beginLengthDelimited()
        body(&self)
        return endLengthDelimited(mark)
    }

    /// Reserves one byte for the length of a payload about to be written; pass the
    /// result to `endLengthDelimited(_:)` once the payload is written.
    ///
    /// The payload is thus written once, without measuring it first; it is shifted
    /// only when it turns out to be 128 bytes or longer.
    @inlinable
    public mutating func beginLengthDelimited() -> Int {
        bytes.append(0)
        return bytes.count
    }

    /// Patches in the length of the payload written since `beginLengthDelimited()`
    /// returned `mark`; returns that length.
    @inlinable
    @discardableResult
    public mutating func endLengthDelimited(_ mark: Int) -> Int {
        let length = bytes.count - mark
        if length < 0x80 {
            bytes[mark - 1] = UInt8(truncatingIfNeeded: length)
            return length
        }
        let size = Self.varintSize(UInt64(length))
        bytes.insert(contentsOf: repeatElement(0, count: size - 1), at: mark)
        var value = UInt64(length)
        let last = mark - 1 + size - 1
        for index in (mark - 1)...last {
            bytes[index] = UInt8(truncatingIfNeeded: value) | (index < last ? 0x80 : 0)
            value >>= 7
        }
        return length
    }
}
