/// The time, issuer and audience rules every token must pass, as pure code.
public struct ClaimRules: Sendable, Hashable {
    /// Required `iss`.
    public var issuer: String
    /// A value `aud` must contain.
    public var audience: String
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    public var leewaySeconds: Int64
    /// Longest accepted `exp - iat`, in seconds.
    public var maximumLifetimeSeconds: Int64

    public init(issuer: String, audience: String, leewaySeconds: Int64 = 30, maximumLifetimeSeconds: Int64 = 86_400) {
        self.issuer = issuer
        self.audience = audience
        self.leewaySeconds = max(0, leewaySeconds)
        self.maximumLifetimeSeconds = maximumLifetimeSeconds
    }

    /// True when a token expiring at `expiresAt` is expired at `now`.
    @inline(__always)
    func isExpired(expiresAt: Int64, now: Int64) -> Bool {
        expiresAt <= now &- leewaySeconds
    }
}

extension JWTClaims {
    /// Throws the first rule these claims break at `now` (seconds since the
    /// epoch): `token_malformed` (empty `sub` or `jti`), `token_expired`, `token_not_yet_valid`, `token_malformed` (`exp` not
    /// after `iat`), `token_lifetime_too_long`,
    /// `wrong_issuer`, `wrong_audience`. A scoped token may name a payee
    /// (`provider:<id>`) as its one audience instead of the service's: it then
    /// verifies, so that the services can refuse it as a caller's credential
    /// with `token_scope` and the Wallet can accept it where a payee presents it.
    public func validate(against rules: ClaimRules, now: Int64) throws(AuthError) {
        if subject.isEmpty || tokenID.isEmpty { throw .tokenMalformed }
        if rules.isExpired(expiresAt: expiresAt, now: now) { throw .tokenExpired }
        let latestAccepted = now &+ rules.leewaySeconds
        if let notBefore, notBefore > latestAccepted { throw .tokenNotYetValid }
        if issuedAt > latestAccepted { throw .tokenNotYetValid }
        let (lifetime, overflow) = expiresAt.subtractingReportingOverflow(issuedAt)
        if !overflow, lifetime <= 0 { throw .tokenMalformed }
        if overflow || lifetime > rules.maximumLifetimeSeconds { throw .tokenLifetimeTooLong }
        if issuer != rules.issuer { throw .wrongIssuer }
        if !audience.contains(rules.audience) {
            guard scope != nil, audience.count == 1, PaymentScope.payee(ofAudience: audience[0]) != nil else { throw .wrongAudience }
        }
    }
}
