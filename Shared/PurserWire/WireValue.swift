/// A single protobuf value that is not a message: integers, `Bool`, floating
/// point, `String`, bytes (`[UInt8]`) and enums.
///
/// A conforming type knows its proto3 default, its wire type and how to write
/// and read its payload; `WireTraverser` handles tags, presence, repetition and
/// packing for every conforming type alike.
public protocol WireValue: Sendable, Equatable {
    /// The proto3 default (zero, `false`, empty); never written for implicit-presence fields.
    static var wireDefault: Self { get }
    /// The wire type this type uses under `encoding`.
    static func wireType(for encoding: WireIntegerEncoding) -> WireType
    /// Whether this value equals the proto3 default and is therefore omitted.
    var isWireDefault: Bool { get }
    /// Appends the payload (no tag) to `writer`.
    func write(to writer: inout WireWriter, encoding: WireIntegerEncoding)
    /// Reads a value from a payload whose wire type has already been checked
    /// against `wireType(for: encoding)`.
    static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> Self
}

extension WireValue {
    @inlinable
    public var isWireDefault: Bool { self == Self.wireDefault }
}

/// The payload of one field as found in the input: the value bits of a varint
/// or fixed-width field, or the bytes of a length-delimited one.
public struct WirePayload {
    /// The varint value, or the fixed32/fixed64 value zero-extended; 0 for length-delimited payloads.
    public let bits: UInt64
    /// The bytes of a length-delimited payload; empty otherwise. Valid only during decoding.
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the payload in the decoded buffer, for error reports.
    public let offset: Int
    /// The field number the payload belongs to, for error reports.
    public let fieldNumber: Int

    /// Creates a payload; decoders build these, conforming types only read them.
    @inlinable
    public init(bits: UInt64, bytes: UnsafeRawBufferPointer, offset: Int, fieldNumber: Int) {
        self.bits = bits
        self.bytes = bytes
        self.offset = offset
        self.fieldNumber = fieldNumber
    }
}

/// A type usable as the key of a protobuf `map` field (strings and integers).
public protocol WireMapKey: WireValue, Hashable, Comparable {}

extension String: WireMapKey {}
extension Int32: WireMapKey {}
extension Int64: WireMapKey {}
extension UInt32: WireMapKey {}
extension UInt64: WireMapKey {}
