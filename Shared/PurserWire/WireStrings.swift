extension String: WireValue {
    public static var wireDefault: String { "" }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType { .lengthDelimited }

    @inlinable
    public var isWireDefault: Bool { isEmpty }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        writer.writeString(self)
    }

    /// Validates UTF-8 as proto3 requires; invalid bytes are an error, never repaired.
    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> String {
        if payload.bytes.isEmpty { return "" }
        guard UTF8Validation.isValid(payload.bytes) else {
            throw WireError(.invalidUTF8, offset: payload.offset, fieldNumber: payload.fieldNumber)
        }
        return String(unsafeUninitializedCapacity: payload.bytes.count) { storage in
            UnsafeMutableRawBufferPointer(storage).copyMemory(from: payload.bytes)
            return payload.bytes.count
        }
    }
}

/// `bytes` fields are `[UInt8]`.
extension Array: WireValue where Element == UInt8 {
    public static var wireDefault: [UInt8] { [] }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType { .lengthDelimited }

    @inlinable
    public var isWireDefault: Bool { isEmpty }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        withUnsafeBytes { writer.writeLengthDelimited($0) }
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> [UInt8] {
        [UInt8](payload.bytes)
    }
}
