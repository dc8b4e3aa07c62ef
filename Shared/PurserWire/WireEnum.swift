/// A proto3 enum: open, so values this build does not name are kept as their raw
/// number and written back unchanged.
///
/// Declare one as a struct with named constants:
/// ```swift
/// struct HoldStatus: WireEnum {
///     var rawValue: Int32
///     init(rawValue: Int32) { self.rawValue = rawValue }
///     static let unspecified = HoldStatus(rawValue: 0)
///     static let pending = HoldStatus(rawValue: 1)
/// }
/// ```
/// The value with raw number 0 is the default and is not written.
public protocol WireEnum: WireValue {
    /// The protobuf enum number.
    var rawValue: Int32 { get }
    /// Wraps any enum number, named or not.
    init(rawValue: Int32)
}

extension WireEnum {
    public static var wireDefault: Self { Self(rawValue: 0) }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType { .varint }

    @inlinable
    public var isWireDefault: Bool { rawValue == 0 }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        writer.writeVarint(UInt64(bitPattern: Int64(rawValue)))
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> Self {
        Self(rawValue: Int32(truncatingIfNeeded: payload.bits))
    }
}
