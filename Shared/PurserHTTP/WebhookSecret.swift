import COpenSSL
import Foundation

/// A Standard Webhooks signing secret: `whsec_` followed by the base64 of the
/// key. Purser generates 32 random bytes; a given secret may hold 24 to 64
/// (the range the Standard Webhooks libraries accept). Its description hides
/// the key, so logging a value that holds one does not leak it.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible {
    /// The prefix every secret carries.
    public static let prefix = "whsec_"
    /// Key sizes accepted by `init(string:)`.
    public static let keySizes = 24...64

    /// The HMAC-SHA256 key.
    public let key: [UInt8]

    /// A new secret of 32 bytes from OpenSSL's CSPRNG. Throws `HTTPError` 500
    /// `random_unavailable` if the generator fails.
    public static func generate() throws(HTTPError) -> WebhookSecret {
        var key = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&key, Int32(key.count)) == 1 else {
            throw HTTPError(.internalServerError, reason: "random_unavailable", detail: "OpenSSL RAND_bytes failed")
        }
        return WebhookSecret(key: key)
    }

    /// Parses `whsec_<base64>` (standard alphabet, padded). Throws `HTTPError`
    /// 400 `webhook_secret_invalid` for a missing prefix, bad base64, or a key
    /// outside `keySizes`.
    public init(string: String) throws(HTTPError) {
        guard string.hasPrefix(Self.prefix) else {
            throw HTTPError(.badRequest, reason: "webhook_secret_invalid", detail: "a webhook secret starts with \(Self.prefix)")
        }
        guard let key = Data(base64Encoded: String(string.dropFirst(Self.prefix.count))) else {
            throw HTTPError(.badRequest, reason: "webhook_secret_invalid", detail: "a webhook secret is \(Self.prefix) followed by base64")
        }
        guard Self.keySizes.contains(key.count) else {
            throw HTTPError(.badRequest, reason: "webhook_secret_invalid",
                            detail: "a webhook secret holds \(Self.keySizes.lowerBound) to \(Self.keySizes.upperBound) bytes, not \(key.count)")
        }
        self.key = Array(key)
    }

    private init(key: [UInt8]) { self.key = key }

    /// `whsec_<base64 of key>`: what the tenant is shown once and configures in its receiver.
    public var string: String { Self.prefix + Data(key).base64EncodedString() }

    public var description: String { "\(Self.prefix)…(\(key.count) bytes)" }
}
