/// Why a byte string is not a valid encoding of the message asked for.
///
/// Every decoding failure is one of these, never a trap: hostile input costs a
/// thrown error at worst. `reason` is a stable snake_case code suitable for the
/// `reason` metadata of an `INVALID_ARGUMENT` response.
public struct WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of malformation.
    public enum Kind: String, Sendable, CaseIterable {
        /// The input ends inside a tag, a varint, a fixed-width value or a length prefix.
        case truncated = "truncated"
        /// A varint runs past ten bytes or overflows 64 bits.
        case varintTooLong = "varint_too_long"
        /// A length prefix points past the end of the enclosing message (or is absurdly large).
        case lengthOutOfBounds = "length_out_of_bounds"
        /// A tag carries field number 0 or a number above 2^29 - 1.
        case invalidFieldNumber = "invalid_field_number"
        /// A tag carries wire type 6 or 7.
        case invalidWireType = "invalid_wire_type"
        /// A declared field arrives with a wire type its type cannot have.
        case wireTypeMismatch = "wire_type_mismatch"
        /// An end-group tag without its start-group, or groups that do not nest.
        case unmatchedEndGroup = "unmatched_end_group"
        /// Messages or groups nest deeper than `WireDecoder.maximumDepth`.
        case nestingTooDeep = "nesting_too_deep"
        /// A `string` field holds bytes that are not valid UTF-8.
        case invalidUTF8 = "invalid_utf8"
    }

    /// The kind of malformation.
    public let kind: Kind
    /// Byte offset in the decoded buffer where the malformation was found.
    public let offset: Int
    /// The field being read, when the error concerns one field; 0 otherwise.
    public let fieldNumber: Int

    /// Creates an error of `kind` found at `offset`, concerning `fieldNumber` (0 if none).
    @inlinable
    public init(_ kind: Kind, offset: Int, fieldNumber: Int = 0) {
        self.kind = kind
        self.offset = offset
        self.fieldNumber = fieldNumber
    }

    /// Stable snake_case code of the kind, e.g. `invalid_utf8`.
    public var reason: String { kind.rawValue }

    public var description: String {
        fieldNumber == 0
            ? "\(reason) at byte \(offset)"
            : "\(reason) at byte \(offset) (field \(fieldNumber))"
    }
}
