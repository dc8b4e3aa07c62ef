/// Rules for alias addresses, pure: which local parts and domains are
/// accepted, and how primary and random addresses are formed. Addresses are
/// lowercase ASCII, so the SMTP lookup key (`MailAddress.lookupKey`) is the
/// stored address itself.
package enum AliasAddress {
    /// Longest local part (RFC 5321).
    package static let maxLocalPart = 64
    /// Characters of a random local part.
    package static let randomLength = 16

    /// `[a-z0-9][a-z0-9._+-]{0,63}` without a trailing, leading or doubled dot.
    package static func isValidLocalPart(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= maxLocalPart, isLowerAlphanumeric(first),
            bytes.last != UInt8(ascii: ".")
        else { return false }
        var previousDot = false
        for byte in bytes {
            let dot = byte == UInt8(ascii: ".")
            guard isLowerAlphanumeric(byte) || dot || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-")
            else { return false }
            if dot && previousDot { return false }
            previousDot = dot
        }
        return true
    }

    /// Lowercase DNS name: labels of `[a-z0-9-]`, 1…63 long, not starting or
    /// ending with `-`, at least two labels, 253 characters at most.
    package static func isValidDomain(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `local@domain` when both parts are valid; `nil` otherwise.
    package static func make(localPart: String, domain: String) -> String? {
        let local = localPart.lowercased(), domain = domain.lowercased()
        guard isValidLocalPart(local), isValidDomain(domain) else { return nil }
        return local + "@" + domain
    }

    /// A random local part of `randomLength` characters from `[a-z2-7]`
    /// (80 bits), drawn from `generator`.
    package static func randomLocalPart<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(randomLength)
        for _ in 0..<randomLength {
            bytes.append(alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
