/// A long-lived credential: a prefix naming its kind (so secret scanners can
/// spot it) followed by 43 base62 characters encoding 32 random bytes from
/// OpenSSL's CSPRNG. Shown to its owner once and stored only as a
/// `SecretDigest`. `description` is redacted, so logging a `Secret` by
/// accident leaks only its kind.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    /// The kind prefix, e.g. `purser_sk_`: lowercase letters, digits and
    /// underscores, ending with `_`.
    public struct Prefix: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        /// Tenant API keys.
        public static let tenantKey: Prefix = "purser_sk_"
        /// Agent secrets.
        public static let agentKey: Prefix = "purser_ak_"
        /// Provider secrets.
        public static let providerKey: Prefix = "purser_pk_"
        /// Operator keys.
        public static let operatorKey: Prefix = "purser_ok_"

        var isValid: Bool {
            let bytes = rawValue.utf8
            guard bytes.count >= 2, bytes.count <= 32, bytes.last == UInt8(ascii: "_") else { return false }
            return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        }
    }

    /// Random bytes behind every secret.
    public static let randomByteCount = 32
    /// Base62 characters after the prefix: ceil(256 / log2(62)).
    public static let encodedLength = 43

    /// The full secret text. Handle with care.
    public let exposedValue: String

    /// Wraps existing secret text (for example one presented by a caller).
    public init(exposedValue: String) {
        self.exposedValue = exposedValue
    }

    /// A fresh secret of kind `prefix`; throws `invalid_secret_prefix` for a
    /// malformed prefix and `crypto_failure` when the CSPRNG fails.
    public static func generate(prefix: Prefix) throws(AuthError) -> Secret {
        guard prefix.isValid else { throw .invalidSecretPrefix }
        let random = try SecureRandom.bytes(randomByteCount)
        return Secret(exposedValue: prefix.rawValue + Base62.encode(random, length: encodedLength))
    }

    /// Quick format check before any database lookup: the prefix, then exactly
    /// `encodedLength` base62 characters.
    public static func isWellFormed(_ candidate: String, prefix: Prefix) -> Bool {
        let bytes = candidate.utf8
        let prefixBytes = prefix.rawValue.utf8
        guard bytes.count == prefixBytes.count + encodedLength, bytes.starts(with: prefixBytes) else { return false }
        return bytes.dropFirst(prefixBytes.count).allSatisfy(Base62.isDigit)
    }

    /// The SHA-256 digest to store instead of the secret.
    public var digest: [UInt8] { SecretDigest.sha256(exposedValue) }

    public var description: String {
        let prefixEnd = exposedValue.lastIndex(of: "_").map { exposedValue.index(after: $0) } ?? exposedValue.startIndex
        return String(exposedValue[..<prefixEnd]) + "<redacted>"
    }
}

/// Digests under which secrets are stored.
public enum SecretDigest {
    /// The SHA-256 of the secret's UTF-8 text.
    public static func sha256(_ secret: String) -> [UInt8] {
        SHA256Digest.hash(secret.utf8)
    }

    /// True when `secret` hashes to `digest`, compared in constant time.
    public static func matches(_ secret: String, digest: [UInt8]) -> Bool {
        ConstantTime.equals(sha256(secret), digest)
    }
}
