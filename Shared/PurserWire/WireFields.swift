/// One field occurrence of an encoded message, read without a schema: what a
/// transcoder that knows the message only from its descriptor works from.
public struct WireField: Sendable, Equatable {
    /// The raw value, by wire type.
    public enum Value: Sendable, Equatable {
        /// Wire type 0.
        case varint(UInt64)
        /// Wire type 1.
        case fixed64(UInt64)
        /// Wire type 5.
        case fixed32(UInt32)
        /// Wire type 2: the payload (a string, bytes, a message or a packed run).
        case lengthDelimited(ArraySlice<UInt8>)
    }

    public var number: Int
    public var value: Value

    public init(number: Int, value: Value) {
        self.number = number
        self.value = value
    }

    /// Every field of the message in `bytes`, in the order encoded. Groups
    /// are skipped; a truncated or malformed encoding throws, naming the offset.
    public static func fields(of bytes: ArraySlice<UInt8>) throws(WireError) -> [WireField] {
        try bytes.withUnsafeBytes { buffer in Result { () throws(WireError) in try scan(buffer, bytes) } }.get()
    }

    private static func scan(_ buffer: UnsafeRawBufferPointer, _ bytes: ArraySlice<UInt8>) throws(WireError) -> [WireField] {
        var fields: [WireField] = []
        var position = 0
        let stop = buffer.count
        while position < stop {
            let tagOffset = position
            let (number, wireType) = try WireScanner.split(WireScanner.readVarint(buffer, &position, stop), at: tagOffset)
            let value: Value
            switch wireType {
            case 0:
                value = .varint(try WireScanner.readVarint(buffer, &position, stop))
            case 1:
                try WireScanner.checkFixed(8, at: position, stop, fieldNumber: number)
                value = .fixed64(WireScanner.readFixed(buffer, at: position, width: 8))
                position += 8
            case 2:
                let length = try WireScanner.readVarint(buffer, &position, stop)
                let end = try WireScanner.payloadEnd(length, at: position, stop, fieldNumber: number)
                let base = bytes.startIndex
                value = .lengthDelimited(bytes[(base + position)..<(base + end)])
                position = end
            case 3:
                try WireScanner.skipGroup(buffer, number, &position, stop, depth: 1)
                continue
            case 4:
                throw WireError(.unmatchedEndGroup, offset: tagOffset, fieldNumber: Int(number))
            case 5:
                try WireScanner.checkFixed(4, at: position, stop, fieldNumber: number)
                value = .fixed32(UInt32(truncatingIfNeeded: WireScanner.readFixed(buffer, at: position, width: 4)))
                position += 4
            default:
                throw WireError(.invalidWireType, offset: tagOffset, fieldNumber: Int(number))
            }
            fields.append(WireField(number: Int(number), value: value))
        }
        return fields
    }

    /// The varints of a packed run (`payload` of a length-delimited field).
    public static func packedVarints(_ payload: ArraySlice<UInt8>) throws(WireError) -> [UInt64] {
        try payload.withUnsafeBytes { buffer in
            Result { () throws(WireError) in
                var values: [UInt64] = []
                var position = 0
                while position < buffer.count { values.append(try WireScanner.readVarint(buffer, &position, buffer.count)) }
                return values
            }
        }.get()
    }
}
