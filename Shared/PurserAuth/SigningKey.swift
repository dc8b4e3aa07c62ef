/// A private signing key and its key id (`kid`), as the Identity service holds it.
public struct SigningKey: Sendable {
    /// The key id published in the JWK set and in every token header.
    public let keyID: String
    public let privateKey: Ed25519.PrivateKey

    public init(keyID: String, privateKey: Ed25519.PrivateKey) {
        self.keyID = keyID
        self.privateKey = privateKey
    }

    /// A fresh key under `keyID`.
    public static func generate(keyID: String) throws(AuthError) -> SigningKey {
        SigningKey(keyID: keyID, privateKey: try .generate())
    }

    /// The public half, ready for a JWK set.
    public var publicJWK: JWK {
        JWK(keyID: keyID, publicKey: privateKey.publicKey)
    }
}
