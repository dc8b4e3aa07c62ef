/// A mailbox from an SMTP path (`<local@domain>`). The local part is kept as
/// sent (quoted local parts keep their quotes); the domain is lowercased.
package struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    package var localPart: String
    package var domain: String

    /// Creates an address; the domain is lowercased, the local part kept as given.
    package init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain.lowercased()
    }

    /// The whole address in lowercase: aliases are lowercase, so this is the
    /// key recipients are looked up by.
    package var lookupKey: String { (localPart + "@" + domain).lowercased() }

    package var description: String { localPart + "@" + domain }
}

extension MailAddress {
    static let maxLocalPart = 64
    static let maxDomain = 255

    /// Parses the inside of a path: `[@route,@route:]local@domain`. Returns
    /// `nil` for anything that is not a plain ASCII mailbox.
    init?(pathContent bytes: ArraySlice<UInt8>) {
        var content = bytes
        if content.first == UInt8(ascii: "@") {
            guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            content = content[(colon + 1)...]
        }
        guard let at = content.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = content[content.startIndex..<at]
        let domain = content[(at + 1)...]
        guard Self.isLocalPart(local), Self.isDomain(domain) else { return nil }
        self.init(
            localPart: String(decoding: local, as: UTF8.self), domain: String(decoding: domain, as: UTF8.self))
    }

    private static func isLocalPart(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxLocalPart else { return false }
        if bytes.first == UInt8(ascii: "\""), bytes.count >= 2, bytes.last == UInt8(ascii: "\"") {
            var escaped = false
            for byte in bytes.dropFirst().dropLast() {
                guard byte >= 32, byte < 127 else { return false }
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    return false
                }
            }
            return !escaped
        }
        var previousDot = true
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else if isAtext(byte) {
                previousDot = false
            } else {
                return false
            }
        }
        return !previousDot
    }

    private static func isDomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxDomain else { return false }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            return bytes.count > 2
                && bytes.dropFirst().dropLast().allSatisfy {
                    $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: "\\")
                }
        }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                label.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return true
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAtext(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || atextSymbols.contains(byte)
    }

    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~".utf8)
}
