/// Writes a message's fields in the protobuf encoding as `traverse` visits them.
///
/// One pass, no size pre-computation: nested payloads reserve a one-byte length
/// and are shifted only when they reach 128 bytes.
public struct WireEncoder: WireTraverser {
    public typealias Failure = Never

    /// The bytes written so far.
    public var writer: WireWriter

    /// Creates an encoder with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 0) {
        writer = WireWriter(capacity: capacity)
    }

    /// Creates an encoder that appends to `writer`.
    @inlinable
    public init(writer: WireWriter) {
        self.writer = writer
    }

    @inlinable
    public mutating func visitValue<V: WireValue>(
        _ number: Int, _ value: inout V, _ encoding: WireIntegerEncoding
    ) {
        guard !value.isWireDefault else { return }
        writer.writeTag(number, V.wireType(for: encoding))
        value.write(to: &writer, encoding: encoding)
    }

    @inlinable
    public mutating func visitOptionalValue<V: WireValue>(
        _ number: Int, _ value: inout V?, _ encoding: WireIntegerEncoding
    ) {
        guard let value else { return }
        writer.writeTag(number, V.wireType(for: encoding))
        value.write(to: &writer, encoding: encoding)
    }

    @inlinable
    public mutating func visitRepeatedValue<V: WireValue>(
        _ number: Int, _ values: inout [V], _ encoding: WireIntegerEncoding
    ) {
        guard !values.isEmpty else { return }
        let wireType = V.wireType(for: encoding)
        if wireType == .lengthDelimited {
            for value in values {
                writer.writeTag(number, wireType)
                value.write(to: &writer, encoding: encoding)
            }
            return
        }
        writer.writeTag(number, .lengthDelimited)
        writer.writeLengthDelimited { writer in
            for value in values { value.write(to: &writer, encoding: encoding) }
        }
    }

    @inlinable
    public mutating func visitMessage<M: WireMessage>(_ number: Int, _ message: inout M) {
        let start = writer.bytes.count
        if writeNested(number, &message) == 0 {
            writer.bytes.removeSubrange(start...)
        }
    }

    @inlinable
    public mutating func visitOptionalMessage<M: WireMessage>(_ number: Int, _ message: inout M?) {
        guard var present = message else { return }
        writeNested(number, &present)
    }

    @inlinable
    public mutating func visitRepeatedMessage<M: WireMessage>(_ number: Int, _ messages: inout [M]) {
        for var message in messages { writeNested(number, &message) }
    }

    @inlinable
    public mutating func visitMap<K: WireMapKey, V: WireValue>(
        _ number: Int, _ map: inout [K: V], _ keyEncoding: WireIntegerEncoding,
        _ valueEncoding: WireIntegerEncoding
    ) {
        // Sorted so that equal maps encode to equal bytes (request hashes, idempotency).
        for key in map.keys.sorted() {
            guard let value = map[key] else { continue }
            writer.writeTag(number, .lengthDelimited)
            writer.writeLengthDelimited { writer in
                writer.writeTag(1, K.wireType(for: keyEncoding))
                key.write(to: &writer, encoding: keyEncoding)
                writer.writeTag(2, V.wireType(for: valueEncoding))
                value.write(to: &writer, encoding: valueEncoding)
            }
        }
    }

    @inlinable
    public mutating func visitMessageMap<K: WireMapKey, M: WireMessage>(
        _ number: Int, _ map: inout [K: M], _ keyEncoding: WireIntegerEncoding
    ) {
        for key in map.keys.sorted() {
            guard var value = map[key] else { continue }
            writer.writeTag(number, .lengthDelimited)
            let mark = writer.beginLengthDelimited()
            writer.writeTag(1, K.wireType(for: keyEncoding))
            key.write(to: &writer, encoding: keyEncoding)
            writeNested(2, &value)
            writer.endLengthDelimited(mark)
        }
    }

    /// Writes `message` as field `number`, even when empty; returns its payload length.
    @inlinable
    @discardableResult
    mutating func writeNested<M: WireMessage>(_ number: Int, _ message: inout M) -> Int {
        writer.writeTag(number, .lengthDelimited)
        let mark = writer.beginLengthDelimited()
        message.traverse(&self)
        return writer.endLengthDelimited(mark)
    }
}
