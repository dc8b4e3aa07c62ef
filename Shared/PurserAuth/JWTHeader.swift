import Foundation

/// The protected header of a Purser token: `{"alg":"EdDSA","typ":"JWT","kid":…}`.
public struct JWTHeader: Sendable, Hashable {
    /// The only algorithm Purser issues or accepts.
    public static let algorithm = "EdDSA"

    /// `alg`; anything but `EdDSA` is refused.
    public var algorithm: String
    /// `typ`; `JWT` when present.
    public var type: String?
    /// `kid`: which published key verifies the signature.
    public var keyID: String?
    /// True when the header carries a `crit` member; such tokens are refused,
    /// since no header extension is understood (RFC 7515 §4.1.11).
    var hasCriticalExtensions = false

    /// An EdDSA header naming the signing key.
    public init(keyID: String) {
        self.algorithm = JWTHeader.algorithm
        self.type = "JWT"
        self.keyID = keyID
    }

    /// The header's JSON, members in a fixed order.
    var json: [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        writer.member("alg", algorithm)
        if let type { writer.member("typ", type) }
        if let keyID { writer.member("kid", keyID) }
        writer.endObject()
        return writer.bytes
    }
}

extension JWTHeader: Decodable {
    private enum CodingKeys: String, CodingKey {
        case alg, typ, kid, crit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        algorithm = try container.decode(String.self, forKey: .alg)
        type = try container.decodeIfPresent(String.self, forKey: .typ)
        keyID = try container.decodeIfPresent(String.self, forKey: .kid)
        hasCriticalExtensions = container.contains(.crit)
    }
}
