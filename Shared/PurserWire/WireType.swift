/// The wire types of the protobuf encoding: the low three bits of every tag.
public enum WireType: UInt8, Sendable {
    /// Base-128 varint: `int32`, `int64`, `uint32`, `uint64`, `sint32`, `sint64`, `bool`, enums.
    case varint = 0
    /// Eight little-endian bytes: `fixed64`, `sfixed64`, `double`.
    case fixed64 = 1
    /// A varint length then that many bytes: strings, bytes, messages, packed repeated scalars, map entries.
    case lengthDelimited = 2
    /// Opens a proto2 group; only skipped, never declared.
    case startGroup = 3
    /// Closes a proto2 group.
    case endGroup = 4
    /// Four little-endian bytes: `fixed32`, `sfixed32`, `float`.
    case fixed32 = 5
}

/// Which protobuf integer family a Swift integer field is carried as.
///
/// One Swift type covers several protobuf types; the encoding picks among them:
/// `Int64` is `int64` with `.varint`, `sint64` with `.sint`, `sfixed64` with `.fixed`.
public enum WireIntegerEncoding: Sendable {
    /// `int32`, `int64`, `uint32`, `uint64`, `bool`, enums: a plain varint (a negative
    /// `int32` or `int64` takes ten bytes, as in protobuf).
    case varint
    /// `sint32`, `sint64`: a zigzag varint, so small negative numbers stay short.
    /// Unsigned types ignore it and use a plain varint.
    case sint
    /// `fixed32`, `fixed64`, `sfixed32`, `sfixed64`: four or eight little-endian bytes.
    case fixed
}
