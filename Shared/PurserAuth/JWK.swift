/// One Ed25519 public key in JWK form (RFC 8037):
/// `{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA","use":"sig"}`.
public struct JWK: Sendable, Hashable {
    public let keyID: String
    public let publicKey: Ed25519.PublicKey

    public init(keyID: String, publicKey: Ed25519.PublicKey) {
        self.keyID = keyID
        self.publicKey = publicKey
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("kty", "OKP")
        writer.member("crv", "Ed25519")
        writer.member("x", Base64URL.encode(publicKey.rawRepresentation))
        writer.member("kid", keyID)
        writer.member("alg", JWTHeader.algorithm)
        writer.member("use", "sig")
        writer.endObject()
    }
}
