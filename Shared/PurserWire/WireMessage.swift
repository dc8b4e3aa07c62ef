/// A protobuf message: a value type that declares each of its fields once, in
/// `traverse`, and thereby gets both its encoding and its decoding.
///
/// ```swift
/// struct HoldRequest: WireMessage {
///     var amount: Int64 = 0
///     var payee = ""
///     var tags: [String] = []
///     var status: HoldStatus = .unspecified
///     var money: Money? = nil
///     mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
///         try t.field(1, &amount)
///         try t.field(2, &payee)
///         try t.field(3, &tags)
///         try t.field(4, &status)
///         try t.field(5, &money)
///     }
/// }
/// ```
/// `traverse` must visit the same fields in the same way on every call and do
/// nothing else: encoders only read the fields, decoders only assign them.
public protocol WireMessage: Sendable, Equatable {
    /// The message with every field at its proto3 default.
    init()
    /// Visits every field once with its number and type; drives encoding and decoding.
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure)
}

extension WireMessage {
    /// The protobuf encoding of this message: fields in declaration order, proto3
    /// defaults omitted, repeated scalars packed, map entries sorted by key (so
    /// equal messages always give equal bytes).
    @inlinable
    public func serializedBytes() -> [UInt8] {
        var encoder = WireEncoder(capacity: 64)
        var message = self
        message.traverse(&encoder)
        return encoder.writer.bytes
    }

    /// Appends the protobuf encoding of this message to `buffer` (e.g. after a frame header).
    @inlinable
    public func serialize(appendingTo buffer: inout [UInt8]) {
        var encoder = WireEncoder(writer: WireWriter(appendingTo: buffer))
        buffer = []
        var message = self
        message.traverse(&encoder)
        buffer = encoder.writer.bytes
    }

    /// Decodes a message from its protobuf encoding.
    ///
    /// Unknown fields (of any wire type, including groups) are skipped; a field
    /// that occurs several times keeps its last value, or merges when it is a
    /// message. Malformed input throws `WireError`; it never traps.
    @inlinable
    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws(WireError) {
        self = try WireDecoder.decode(Self.self, from: bytes)
    }

    /// Decodes a message from its protobuf encoding; see `init(serializedBytes:)`.
    @inlinable
    public init(serializedBytes bytes: [UInt8]) throws(WireError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(WireError) in try WireDecoder.decode(Self.self, from: buffer) }
        }
        self = try result.get()
    }

    /// Decodes a message from a slice of a larger buffer (e.g. a frame body); see
    /// `init(serializedBytes:)`. Error offsets count from the slice's start.
    @inlinable
    public init(serializedBytes bytes: ArraySlice<UInt8>) throws(WireError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(WireError) in try WireDecoder.decode(Self.self, from: buffer) }
        }
        self = try result.get()
    }
}
