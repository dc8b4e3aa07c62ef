// Money never uses these; they exist for schemas that carry ratios or scores.

extension Double: WireValue {
    public static var wireDefault: Double { 0 }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType { .fixed64 }

    /// Only +0.0 is the default; -0.0 is written, as protobuf does.
    @inlinable
    public var isWireDefault: Bool { bitPattern == 0 }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        writer.writeFixed64(bitPattern)
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> Double {
        Double(bitPattern: payload.bits)
    }
}

extension Float: WireValue {
    public static var wireDefault: Float { 0 }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType { .fixed32 }

    /// Only +0.0 is the default; -0.0 is written, as protobuf does.
    @inlinable
    public var isWireDefault: Bool { bitPattern == 0 }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        writer.writeFixed32(bitPattern)
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> Float {
        Float(bitPattern: UInt32(truncatingIfNeeded: payload.bits))
    }
}
