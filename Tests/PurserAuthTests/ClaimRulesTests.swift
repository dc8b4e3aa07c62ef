import Testing
@testable import PurserAuth

@Suite struct ClaimRulesTests {
    static let now: Int64 = 1_800_000_000
    static let rules = ClaimRules(issuer: "iss", audience: "purser", leewaySeconds: 5, maximumLifetimeSeconds: 3_600)

    static func claims(
        exp: Int64 = now + 600, iat: Int64 = now, nbf: Int64? = nil, iss: String = "iss", aud: [String] = ["purser"],
        sub: String = "s", jti: String = "j"
    ) -> JWTClaims {
        JWTClaims(
            issuer: iss, subject: sub, audience: aud, expiresAt: exp, issuedAt: iat, notBefore: nbf, tokenID: jti,
            tenant: "t", role: .agent)
    }

    static let cases: [(String, JWTClaims, AuthError?)] = [
        ("valid", claims(), nil),
        ("expired beyond leeway", claims(exp: now - 5, iat: now - 600), .tokenExpired),
        ("expired within leeway", claims(exp: now - 4, iat: now - 600), nil),
        ("nbf in the future", claims(nbf: now + 6), .tokenNotYetValid),
        ("nbf within leeway", claims(nbf: now + 5), nil),
        ("iat in the future", claims(exp: now + 900, iat: now + 60), .tokenNotYetValid),
        ("exp before iat", claims(exp: now + 1, iat: now + 2), .tokenMalformed),
        ("lifetime too long", claims(exp: now + 3_601, iat: now), .tokenLifetimeTooLong),
        ("extreme values", claims(exp: .max, iat: .min), .tokenLifetimeTooLong),
        ("wrong issuer", claims(iss: "someone-else"), .wrongIssuer),
        ("wrong audience", claims(aud: ["wallet-only"]), .wrongAudience),
        ("audience among several", claims(aud: ["a", "purser"]), nil),
        ("empty audience", claims(aud: []), .wrongAudience),
        ("empty subject", claims(sub: ""), .tokenMalformed),
        ("empty token id", claims(jti: ""), .tokenMalformed),
    ]

    @Test(arguments: cases)
    func claimsAreJudgedByTimeIssuerAndAudience(name: String, claims: JWTClaims, expected: AuthError?) {
        if let expected {
            #expect(throws: expected, "\(name)") { try claims.validate(against: Self.rules, now: Self.now) }
        } else {
            #expect(throws: Never.self, "\(name)") { try claims.validate(against: Self.rules, now: Self.now) }
        }
    }
}
