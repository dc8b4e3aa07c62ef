/// Something that walks a message's fields: the encoder (reads each field and
/// writes it) and the decoder (assigns each field from the input).
///
/// Messages call the `field` overloads; the `visit…` requirements are what a
/// traverser implements, one per shape of field.
public protocol WireTraverser {
    /// `Never` for encoding, `WireError` for decoding.
    associatedtype Failure: Error

    /// A singular scalar, string, bytes or enum with proto3 implicit presence.
    mutating func visitValue<V: WireValue>(
        _ number: Int, _ value: inout V, _ encoding: WireIntegerEncoding) throws(Failure)
    /// A proto3 `optional` scalar: `nil` is absent, any other value is written, even the default.
    mutating func visitOptionalValue<V: WireValue>(
        _ number: Int, _ value: inout V?, _ encoding: WireIntegerEncoding) throws(Failure)
    /// A repeated scalar, string, bytes or enum (scalars packed when written, both forms read).
    mutating func visitRepeatedValue<V: WireValue>(
        _ number: Int, _ values: inout [V], _ encoding: WireIntegerEncoding) throws(Failure)
    /// A nested message without presence: omitted when it encodes to nothing.
    mutating func visitMessage<M: WireMessage>(_ number: Int, _ message: inout M) throws(Failure)
    /// A nested message with presence: `nil` is absent.
    mutating func visitOptionalMessage<M: WireMessage>(_ number: Int, _ message: inout M?) throws(Failure)
    /// A repeated nested message.
    mutating func visitRepeatedMessage<M: WireMessage>(_ number: Int, _ messages: inout [M]) throws(Failure)
    /// A `map<K, V>` with scalar, string, bytes or enum values.
    mutating func visitMap<K: WireMapKey, V: WireValue>(
        _ number: Int, _ map: inout [K: V], _ keyEncoding: WireIntegerEncoding,
        _ valueEncoding: WireIntegerEncoding) throws(Failure)
    /// A `map<K, M>` with message values.
    mutating func visitMessageMap<K: WireMapKey, M: WireMessage>(
        _ number: Int, _ map: inout [K: M], _ keyEncoding: WireIntegerEncoding) throws(Failure)
}

extension WireTraverser {
    /// Declares a singular scalar, string, bytes or enum field. Pass `.sint` or
    /// `.fixed` for `sint*`/`fixed*`/`sfixed*` integers.
    @inlinable
    public mutating func field<V: WireValue>(
        _ number: Int, _ value: inout V, _ encoding: WireIntegerEncoding = .varint
    ) throws(Failure) {
        try visitValue(number, &value, encoding)
    }

    /// Declares a proto3 `optional` field: present whenever non-nil, even at the default.
    @inlinable
    public mutating func field<V: WireValue>(
        _ number: Int, _ value: inout V?, _ encoding: WireIntegerEncoding = .varint
    ) throws(Failure) {
        try visitOptionalValue(number, &value, encoding)
    }

    /// Declares a repeated scalar, string, bytes or enum field.
    @inlinable
    public mutating func field<V: WireValue>(
        _ number: Int, _ values: inout [V], _ encoding: WireIntegerEncoding = .varint
    ) throws(Failure) {
        try visitRepeatedValue(number, &values, encoding)
    }

    /// Declares a nested message field without presence (absent and empty are the same).
    @inlinable
    public mutating func field<M: WireMessage>(_ number: Int, _ message: inout M) throws(Failure) {
        try visitMessage(number, &message)
    }

    /// Declares a nested message field with presence (`nil` ↔ absent).
    @inlinable
    public mutating func field<M: WireMessage>(_ number: Int, _ message: inout M?) throws(Failure) {
        try visitOptionalMessage(number, &message)
    }

    /// Declares a repeated nested message field.
    @inlinable
    public mutating func field<M: WireMessage>(_ number: Int, _ messages: inout [M]) throws(Failure) {
        try visitRepeatedMessage(number, &messages)
    }

    /// Declares a `map<K, V>` field; the encodings apply to integer keys and values.
    @inlinable
    public mutating func field<K: WireMapKey, V: WireValue>(
        _ number: Int, _ map: inout [K: V], key: WireIntegerEncoding = .varint,
        value: WireIntegerEncoding = .varint
    ) throws(Failure) {
        try visitMap(number, &map, key, value)
    }

    /// Declares a `map<K, M>` field with message values.
    @inlinable
    public mutating func field<K: WireMapKey, M: WireMessage>(
        _ number: Int, _ map: inout [K: M], key: WireIntegerEncoding = .varint
    ) throws(Failure) {
        try visitMessageMap(number, &map, key)
    }
}
