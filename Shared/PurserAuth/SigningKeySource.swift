/// Where a `TokenVerifier` gets the current verification keys: in production
/// the Identity service's `GetSigningKeys`.
public protocol SigningKeySource: Sendable {
    /// The current key set. Throws when the source cannot be reached; the
    /// verifier then keeps the keys it has.
    func fetchSigningKeys() async throws -> JWKSet
}
