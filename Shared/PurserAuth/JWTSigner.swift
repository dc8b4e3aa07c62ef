/// Issues compact EdDSA JWTs with one signing key. Stateless and Sendable:
/// one signer may be shared by every request.
public struct JWTSigner: Sendable {
    public let key: SigningKey
    private let encodedHeader: String

    public init(key: SigningKey) {
        self.key = key
        self.encodedHeader = Base64URL.encode(JWTHeader(keyID: key.keyID).json)
    }

    /// The compact serialization `header.claims.signature` of `claims`.
    public func sign(_ claims: JWTClaims) throws(AuthError) -> String {
        let signingInput = encodedHeader + "." + Base64URL.encode(claims.json)
        let signature = try key.privateKey.signature(for: signingInput.utf8)
        return signingInput + "." + Base64URL.encode(signature)
    }
}
