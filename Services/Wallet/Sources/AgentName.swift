/// An agent named `handle@tenant-slug`, as a payer names a payee agent.
/// Handle and slug each match `[a-z0-9][a-z0-9-]{1,62}` (Identity's rule).
package struct AgentName: Sendable, Hashable {
    package let handle: String
    package let tenantSlug: String

    /// Parses `text`; `nil` unless it is exactly one valid handle, `@`, and one valid slug.
    package init?(_ text: String) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isValidPart(parts[0]), Self.isValidPart(parts[1]) else { return nil }
        handle = String(parts[0])
        tenantSlug = String(parts[1])
    }

    private static func isValidPart(_ part: Substring) -> Bool {
        let bytes = part.utf8
        guard bytes.count >= 2, bytes.count <= 63, let first = bytes.first else { return false }
        func isLowerAlnum(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        return isLowerAlnum(first) && bytes.dropFirst().allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }
}
