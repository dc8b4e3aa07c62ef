/// Assigns a message's fields from a protobuf encoding as `traverse` visits them.
///
/// Each message is decoded in two steps: one pass scans its bytes into a list of
/// fields (number, wire type, value or byte range — nothing copied), then the
/// traversal looks each declared field up in that list and assigns it. Fields
/// never looked up are unknown and thereby skipped. Nested messages reuse the
/// same list, so a whole decode allocates it once.
public struct WireDecoder: WireTraverser {
    public typealias Failure = WireError

    /// Deepest nesting of messages (or unknown groups) accepted; deeper input throws `nesting_too_deep`.
    public static let maximumDepth = 64

    @usableFromInline let buffer: UnsafeRawBufferPointer
    @usableFromInline var entries: [WireEntry]
    /// The current message's entries are `entries[base..<end]`, sorted by field number.
    @usableFromInline var base: Int
    @usableFromInline var end: Int
    @usableFromInline let depth: Int

    @inlinable
    init(buffer: UnsafeRawBufferPointer, entries: [WireEntry], depth: Int) {
        self.buffer = buffer
        self.entries = entries
        self.base = entries.count
        self.end = entries.count
        self.depth = depth
    }

    /// Decodes a whole buffer as one message of type `M`.
    @inlinable
    public static func decode<M: WireMessage>(
        _ type: M.Type, from buffer: UnsafeRawBufferPointer
    ) throws(WireError) -> M {
        var root = WireDecoder(buffer: buffer, entries: [], depth: -1)
        root.entries.reserveCapacity(16)
        var message = M()
        try root.decodeMessage(&message, from: 0, to: buffer.count)
        return message
    }

    /// Merges the message encoded in `buffer[start..<stop]` into `message`, one level deeper.
    @inlinable
    mutating func decodeMessage<M: WireMessage>(
        _ message: inout M, from start: Int, to stop: Int
    ) throws(WireError) {
        try nested(from: start, to: stop) { decoder throws(WireError) in try message.traverse(&decoder) }
    }

    /// Scans `buffer[start..<stop]` as a message one level deeper and lets `body`
    /// look its fields up. The entry list is lent to the nested decoder and
    /// handed back, trimmed to this message's entries, when it is done.
    @inlinable
    mutating func nested(
        from start: Int, to stop: Int, _ body: (inout WireDecoder) throws(WireError) -> Void
    ) throws(WireError) {
        guard depth < Self.maximumDepth else {
            throw WireError(.nestingTooDeep, offset: start)
        }
        var decoder = WireDecoder(buffer: buffer, entries: [], depth: depth + 1)
        swap(&decoder.entries, &entries)
        decoder.base = decoder.entries.count
        try decoder.scan(from: start, to: stop)
        try body(&decoder)
        decoder.entries.removeSubrange(decoder.base...)
        swap(&decoder.entries, &entries)
    }

    /// Index of the first entry of field `number` in the current message (or `end`).
    @inlinable
    func firstIndex(of number: Int) -> Int {
        var low = base
        var high = end
        while low < high {
            let middle = (low + high) / 2
            if Int(entries[middle].number) < number { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The payload of an entry, checked against the wire type the field expects.
    @inlinable
    func payload(_ entry: WireEntry, expecting wireType: WireType) throws(WireError) -> WirePayload {
        guard entry.wireType == wireType.rawValue else {
            throw WireError(.wireTypeMismatch, offset: entry.offset, fieldNumber: Int(entry.number))
        }
        let bytes =
            wireType == .lengthDelimited
            ? UnsafeRawBufferPointer(rebasing: buffer[entry.offset..<(entry.offset + Int(entry.bits))])
            : UnsafeRawBufferPointer(start: nil, count: 0)
        return WirePayload(bits: entry.bits, bytes: bytes, offset: entry.offset, fieldNumber: Int(entry.number))
    }

    @inlinable
    public mutating func visitValue<V: WireValue>(
        _ number: Int, _ value: inout V, _ encoding: WireIntegerEncoding
    ) throws(WireError) {
        let wireType = V.wireType(for: encoding)
        var index = firstIndex(of: number)
        while index < end, Int(entries[index].number) == number {
            value = try V.read(payload(entries[index], expecting: wireType), encoding: encoding)
            index += 1
        }
    }

    @inlinable
    public mutating func visitOptionalValue<V: WireValue>(
        _ number: Int, _ value: inout V?, _ encoding: WireIntegerEncoding
    ) throws(WireError) {
        let wireType = V.wireType(for: encoding)
        var index = firstIndex(of: number)
        while index < end, Int(entries[index].number) == number {
            value = try V.read(payload(entries[index], expecting: wireType), encoding: encoding)
            index += 1
        }
    }

    @inlinable
    public mutating func visitRepeatedValue<V: WireValue>(
        _ number: Int, _ values: inout [V], _ encoding: WireIntegerEncoding
    ) throws(WireError) {
        let wireType = V.wireType(for: encoding)
        var index = firstIndex(of: number)
        while index < end, Int(entries[index].number) == number {
            let entry = entries[index]
            index += 1
            if entry.wireType == WireType.lengthDelimited.rawValue, wireType != .lengthDelimited {
                try unpack(entry, wireType, encoding, into: &values)
            } else {
                values.append(try V.read(payload(entry, expecting: wireType), encoding: encoding))
            }
        }
    }

    /// Appends the elements of a packed repeated field.
    @inlinable
    func unpack<V: WireValue>(
        _ entry: WireEntry, _ wireType: WireType, _ encoding: WireIntegerEncoding, into values: inout [V]
    ) throws(WireError) {
        var position = entry.offset
        let stop = entry.offset + Int(entry.bits)
        let number = Int(entry.number)
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        switch wireType {
        case .fixed32, .fixed64:
            let width = wireType == .fixed32 ? 4 : 8
            guard (stop - position) % width == 0 else {
                throw WireError(.truncated, offset: stop, fieldNumber: number)
            }
            values.reserveCapacity(values.count + (stop - position) / width)
            while position < stop {
                let bits = WireScanner.readFixed(buffer, at: position, width: width)
                values.append(try V.read(WirePayload(bits: bits, bytes: empty, offset: position, fieldNumber: number), encoding: encoding))
                position += width
            }
        default:
            while position < stop {
                let start = position
                let bits = try WireScanner.readVarint(buffer, &position, stop)
                values.append(try V.read(WirePayload(bits: bits, bytes: empty, offset: start, fieldNumber: number), encoding: encoding))
            }
        }
    }

    @inlinable
    public mutating func visitMessage<M: WireMessage>(_ number: Int, _ message: inout M) throws(WireError) {
        var index = firstIndex(of: number)
        while index < end, Int(entries[index].number) == number {
            let entry = entries[index]
            index += 1
            _ = try payload(entry, expecting: .lengthDelimited)
            try decodeMessage(&message, from: entry.offset, to: entry.offset + Int(entry.bits))
        }
    }

    @inlinable
    public mutating func visitOptionalMessage<M: WireMessage>(_ number: Int, _ message: inout M?) throws(WireError) {
        var index = firstIndex(of: number)
        guard index < end, Int(entries[index].number) == number else { return }
        var present = message ?? M()
        while index < end, Int(entries[index].number) == number {
            let entry = entries[index]
            index += 1
            _ = try payload(entry, expecting: .lengthDelimited)
            try decodeMessage(&present, from: entry.offset, to: entry.offset + Int(entry.bits))
        }
        message = present
    }

    @inlinable
    public mutating func visitRepeatedMessage<M: WireMessage>(_ number: Int, _ messages: inout [M]) throws(WireError) {
        var index = firstIndex(of: number)
        while index < end, Int(entries[index].number) == number {
            let entry = entries[index]
            index += 1
            _ = try payload(entry, expecting: .lengthDelimited)
            var element = M()
            try decodeMessage(&element, from: entry.offset, to: entry.offset + Int(entry.bits))
            messages.append(element)
        }
    }

    @inlinable
    public mutating func visitMap<K: WireMapKey, V: WireValue>(
        _ number: Int, _ map: inout [K: V], _ keyEncoding: WireIntegerEncoding,
        _ valueEncoding: WireIntegerEncoding
    ) throws(WireError) {
        var index = firstIndex(of: number)
        while index < end, Int(entries[index].number) == number {
            let entry = entries[index]
            index += 1
            _ = try payload(entry, expecting: .lengthDelimited)
            // A map entry is a message { K key = 1; V value = 2; }; either may be absent.
            var key = K.wireDefault
            var value = V.wireDefault
            try nested(from: entry.offset, to: entry.offset + Int(entry.bits)) { decoder throws(WireError) in
                try decoder.visitValue(1, &key, keyEncoding)
                try decoder.visitValue(2, &value, valueEncoding)
            }
            map[key] = value
        }
    }

    @inlinable
    public mutating func visitMessageMap<K: WireMapKey, M: WireMessage>(
        _ number: Int, _ map: inout [K: M], _ keyEncoding: WireIntegerEncoding
    ) throws(WireError) {
        var index = firstIndex(of: number)
        while index < end, Int(entries[index].number) == number {
            let entry = entries[index]
            index += 1
            _ = try payload(entry, expecting: .lengthDelimited)
            var key = K.wireDefault
            var value = M()
            try nested(from: entry.offset, to: entry.offset + Int(entry.bits)) { decoder throws(WireError) in
                try decoder.visitValue(1, &key, keyEncoding)
                try decoder.visitMessage(2, &value)
            }
            map[key] = value
        }
    }
}
