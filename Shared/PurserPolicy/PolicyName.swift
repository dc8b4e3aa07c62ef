/// The shape every category and provider name in a policy must have:
/// `[a-z0-9][a-z0-9._-]{0,63}`. Lowercase only, so matching is exact.
public enum PolicyName {
    /// Longest accepted name, in bytes.
    public static let maxLength = 64

    /// The one normalisation applied to a name before it is compared with a
    /// policy: ASCII lowercasing. Returns the lowercased name when it then
    /// matches the grammar, `nil` otherwise (white space, other characters or
    /// lengths are refused, never trimmed or folded).
    public static func normalized(_ name: String) -> String? {
        let lowered = String(decoding: name.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
        return isValid(lowered) ? lowered : nil
    }

    /// Whether `name` matches `[a-z0-9][a-z0-9._-]{0,63}`.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, bytes.count <= maxLength, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
