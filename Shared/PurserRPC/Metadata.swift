/// Call metadata: an ordered list of key/value pairs, as carried in REQUEST and
/// RESPONSE frames. Keys are `[0-9a-z._-]`, 1–255 bytes; values are UTF-8,
/// at most 65,535 bytes; one frame's encoded metadata is at most 8 KiB.
/// Order is preserved and a key may repeat; the subscript reads the first.
public struct Metadata: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    /// Largest encoded metadata section (count plus entries) one frame may carry.
    public static let maximumEncodedSize = 8192

    /// Longest `idempotency-key` a service accepts, in bytes.
    public static let idempotencyKeyMaximumLength = 200

    /// Whether `key` is a well-formed `idempotency-key`: 1 to
    /// `idempotencyKeyMaximumLength` bytes, none of them NUL.
    public static func isValidIdempotencyKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= idempotencyKeyMaximumLength && !key.utf8.contains(0)
    }

    public private(set) var entries: [(key: String, value: String)]

    public init() { entries = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { (key: $0.0, value: $0.1) }
    }

    public init(_ entries: [(key: String, value: String)]) { self.entries = entries }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The first value stored under `key`; setting replaces every value under
    /// `key` with one (appended at the end), or removes them all when `nil`.
    public subscript(key: String) -> String? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            entries.removeAll { $0.key == key }
            if let newValue { entries.append((key: key, value: newValue)) }
        }
    }

    /// Appends a pair, keeping any earlier value under the same key.
    public mutating func append(_ key: String, _ value: String) {
        entries.append((key: key, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> {
        entries.makeIterator()
    }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Whether `byte` may appear in a metadata key.
    @inline(__always)
    static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E || byte == 0x5F || byte == 0x2D
    }
}
