import COpenSSL
import Foundation

/// Signs webhook deliveries as Standard Webhooks specifies: HMAC-SHA256 over
/// `<id>.<timestamp>.<body>`, sent as `v1,<base64>` in `webhook-signature`.
public enum WebhookSignature {
    /// The `webhook-signature` value: one `v1,<signature>` per secret,
    /// space-separated, so a receiver holding either the old or the new
    /// secret verifies during a rotation. `timestamp` is in Unix seconds.
    public static func sign(id: String, timestamp: Int64, body: [UInt8], secrets: [WebhookSecret]) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return secrets.map { "v1," + Data(hmacSHA256(key: $0.key, content)).base64EncodedString() }.joined(separator: " ")
    }

    /// The fields of a signed delivery: `webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`, `content-type: application/json` and
    /// `user-agent: Purser-Webhooks/1`.
    public static func headers(id: String, timestamp: Int64, body: [UInt8], secrets: [WebhookSecret]) -> HTTPHeaders {
        [
            "webhook-id": id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": sign(id: id, timestamp: timestamp, body: body, secrets: secrets),
            "content-type": "application/json",
            "user-agent": "Purser-Webhooks/1",
        ]
    }

    static func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // HMAC fails only for an unknown digest or an allocation failure; SHA-256 is built into every OpenSSL.
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(key.count), messageBytes.bindMemory(to: UInt8.self).baseAddress,
                     message.count, &digest, &length)
            }
        }
        precondition(result != nil && length == 32, "HMAC-SHA256 failed")
        return Array(digest.prefix(Int(length)))
    }
}
