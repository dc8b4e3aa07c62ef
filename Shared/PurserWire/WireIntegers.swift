extension Int64: WireValue {
    public static var wireDefault: Int64 { 0 }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType {
        encoding == .fixed ? .fixed64 : .varint
    }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        switch encoding {
        case .varint: writer.writeVarint(UInt64(bitPattern: self))
        case .sint: writer.writeVarint(ZigZag.encode(self))
        case .fixed: writer.writeFixed64(UInt64(bitPattern: self))
        }
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> Int64 {
        encoding == .sint ? ZigZag.decode(payload.bits) : Int64(bitPattern: payload.bits)
    }
}

extension Int32: WireValue {
    public static var wireDefault: Int32 { 0 }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType {
        encoding == .fixed ? .fixed32 : .varint
    }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        switch encoding {
        // Sign-extended to 64 bits, as protobuf does: a negative int32 takes ten bytes.
        case .varint: writer.writeVarint(UInt64(bitPattern: Int64(self)))
        case .sint: writer.writeVarint(UInt64(ZigZag.encode(self)))
        case .fixed: writer.writeFixed32(UInt32(bitPattern: self))
        }
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> Int32 {
        // Truncation of wider varints matches protobuf's int32 parsing.
        let low = UInt32(truncatingIfNeeded: payload.bits)
        return encoding == .sint ? ZigZag.decode(low) : Int32(bitPattern: low)
    }
}

extension UInt64: WireValue {
    public static var wireDefault: UInt64 { 0 }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType {
        encoding == .fixed ? .fixed64 : .varint
    }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        encoding == .fixed ? writer.writeFixed64(self) : writer.writeVarint(self)
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> UInt64 {
        payload.bits
    }
}

extension UInt32: WireValue {
    public static var wireDefault: UInt32 { 0 }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType {
        encoding == .fixed ? .fixed32 : .varint
    }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        encoding == .fixed ? writer.writeFixed32(self) : writer.writeVarint(UInt64(self))
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: payload.bits)
    }
}

extension Bool: WireValue {
    public static var wireDefault: Bool { false }

    @inlinable
    public static func wireType(for encoding: WireIntegerEncoding) -> WireType { .varint }

    @inlinable
    public func write(to writer: inout WireWriter, encoding: WireIntegerEncoding) {
        writer.writeVarint(self ? 1 : 0)
    }

    @inlinable
    public static func read(_ payload: WirePayload, encoding: WireIntegerEncoding) throws(WireError) -> Bool {
        payload.bits != 0
    }
}
