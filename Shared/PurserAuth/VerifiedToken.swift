/// The outcome of a successful verification: who is calling and the claims
/// that say so (for audit: `subject`, `tokenID`).
public struct VerifiedToken: Sendable, Hashable {
    public let principal: Principal
    public let claims: JWTClaims
    /// The `kid` of the key that verified the signature.
    public let keyID: String

    /// True when the token carries a `scope` claim: it is then no caller's
    /// credential (see `PaymentScope`).
    public var isScoped: Bool { claims.scope != nil }

    public init(principal: Principal, claims: JWTClaims, keyID: String) {
        self.principal = principal
        self.claims = claims
        self.keyID = keyID
    }
}
