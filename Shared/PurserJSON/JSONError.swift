/// Why a document is not acceptable JSON, and where.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Outside the RFC 8259 grammar.
        case syntax
        /// Bytes that are not UTF-8.
        case invalidUTF8
        /// A bad `\` escape or a lone surrogate.
        case invalidEscape
        /// A key twice in one object.
        case duplicateKey
        /// Nested deeper than the parser allows.
        case tooDeep
        /// Something after the value.
        case trailingData
    }

    public var kind: Kind
    /// Byte offset of the fault in the document.
    public var offset: Int
    public var message: String

    public init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    /// The stable reason a service answers with: `json_not_utf8`,
    /// `json_duplicate_key`, `json_too_deep` or `json_invalid`.
    public var reason: String {
        switch kind {
        case .invalidUTF8: "json_not_utf8"
        case .duplicateKey: "json_duplicate_key"
        case .tooDeep: "json_too_deep"
        case .syntax, .invalidEscape, .trailingData: "json_invalid"
        }
    }

    public var description: String { "\(message) (at byte \(offset))" }
}
