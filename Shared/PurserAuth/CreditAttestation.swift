import Foundation

/// A credit attestation: Identity's signed statement that the Wallet holds
/// `amount` micros of `asset` on agent `subject`'s account for `audience` (a
/// provider) to take for `resource`, under hold `holdID`, until `expiresAt`.
/// It is what an x402 payment payload carries instead of a chain transaction.
///
/// Serialized as a compact JWS, EdDSA, header
/// `{"alg":"EdDSA","typ":"purser-credit+jwt","kid":…}`: its `typ` is not
/// `JWT`, so the verifier of callers' tokens refuses it, and a caller token is
/// refused here (`attestation_invalid`); an attestation is no credential.
public struct CreditAttestation: Sendable, Hashable, Codable {
    /// The `typ` of every attestation's header.
    public static let type = "purser-credit+jwt"
    /// Longest accepted serialization, in bytes.
    public static let maximumLength = 8 * 1024

    /// `iss`: the deployment's token issuer.
    public var issuer: String
    /// `sub`: the paying agent.
    public var subject: String
    /// `aud`: the provider paid.
    public var audience: String
    /// `tenant`: the agent's tenant.
    public var tenant: String
    /// `amount`: micros held, as a decimal string (as x402 writes atomic amounts).
    public var amount: String
    /// `asset`: the tenant's currency code.
    public var asset: String
    /// `resource`: what is paid for.
    public var resource: String
    /// `jti`: the hold.
    public var holdID: String
    /// `iat`, Unix seconds.
    public var issuedAt: Int64
    /// `exp`, Unix seconds: the hold's expiry, rounded up to a whole second.
    public var expiresAt: Int64

    enum CodingKeys: String, CodingKey {
        case issuer = "iss", subject = "sub", audience = "aud", tenant, amount, asset, resource
        case holdID = "jti", issuedAt = "iat", expiresAt = "exp"
    }

    public init(
        issuer: String, subject: String, audience: String, tenant: String, amountMicros: Int64, asset: String,
        resource: String, holdID: String, issuedAt: Int64, expiresAt: Int64
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.tenant = tenant
        self.amount = String(amountMicros)
        self.asset = asset
        self.resource = resource
        self.holdID = holdID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    /// `amount` as micros; `nil` unless it is a positive decimal integer that fits in Int64.
    public var amountMicros: Int64? {
        guard !amount.isEmpty, amount.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let micros = Int64(amount), micros > 0 else {
            return nil
        }
        return micros
    }

    /// The compact serialization, signed with `key`.
    public func sign(with key: SigningKey) throws(AuthError) -> String {
        var header = JSONWriter(capacity: 96)
        header.beginObject()
        header.member("alg", JWTHeader.algorithm)
        header.member("typ", Self.type)
        header.member("kid", key.keyID)
        header.endObject()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload: Data
        do {
            payload = try encoder.encode(self)
        } catch {
            throw .tokenMalformed
        }
        let input = Base64URL.encode(header.bytes) + "." + Base64URL.encode(payload)
        return input + "." + Base64URL.encode(try key.privateKey.signature(for: input.utf8))
    }

    /// The attestation `token` carries, once its shape, header and signature
    /// check out against `keys`. Refuses, as `attestation_invalid`: input
    /// longer than `maximumLength`, anything but three base64url segments, a
    /// header other than EdDSA with `typ` `purser-credit+jwt` and a `kid`,
    /// a `crit` member, claims that are not the attestation's; as
    /// `attestation_unknown_key` a `kid` not in `keys`; as
    /// `attestation_bad_signature` a signature that does not verify. Expiry is
    /// the caller's check (`isExpired`).
    public static func verify(_ token: String, keys: JWKSet) throws(AuthError) -> CreditAttestation {
        guard token.utf8.count <= maximumLength else { throw invalid }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]), signature.count == Ed25519.signatureLength,
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any]
        else { throw invalid }
        guard header["alg"] as? String == JWTHeader.algorithm, header["typ"] as? String == type, header["crit"] == nil,
              let keyID = header["kid"] as? String, !keyID.isEmpty
        else { throw invalid }
        guard let key = keys.key(withID: keyID) else { throw .unauthenticated("attestation_unknown_key") }
        let input = parts[0] + "." + parts[1]
        guard key.publicKey.isValidSignature(signature, for: Array(input.utf8)) else {
            throw .unauthenticated("attestation_bad_signature")
        }
        guard let attestation = try? JSONDecoder().decode(CreditAttestation.self, from: Data(payloadBytes)),
              attestation.amountMicros != nil, !attestation.subject.isEmpty, !attestation.audience.isEmpty,
              !attestation.tenant.isEmpty, !attestation.holdID.isEmpty
        else { throw invalid }
        return attestation
    }

    /// Whether the attestation has expired at `now` (Unix seconds).
    public func isExpired(now: Int64) -> Bool { now >= expiresAt }

    static let invalid = AuthError.unauthenticated("attestation_invalid")
}

extension CreditAttestation {
    /// The `kid` of a serialized attestation's header, unverified; `nil` when unreadable.
    public static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".", maxSplits: 1).first, header.utf8.count <= 1024,
              let bytes = Base64URL.decode(header),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        return object["kid"] as? String
    }
}
