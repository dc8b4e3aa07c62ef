import Foundation
import Testing
@testable import PurserAuth

@Suite struct PaymentScopeTests {
    static let now: Int64 = 1_800_000_000
    static let rules = ClaimRules(issuer: "iss", audience: "purser", leewaySeconds: 5, maximumLifetimeSeconds: 3_600)

    static func claims(
        scope: String? = "pay", audience: [String] = ["provider:p-1"], maximum: Int64? = 2_500_000, singleUse: Bool? = true,
        role: TokenRole = .agent
    ) -> JWTClaims {
        JWTClaims(
            issuer: "iss", subject: "agent-1", audience: audience, expiresAt: now + 600, issuedAt: now, tokenID: "j-1",
            tenant: "t-1", role: role, scope: scope, maxAmountMicros: maximum, singleUse: singleUse)
    }

    @Test func paymentClaimsSurviveTheJSONRoundTrip() throws {
        let original = Self.claims()
        let decoded = try JSONDecoder().decode(JWTClaims.self, from: Data(original.json))
        #expect(decoded == original)
        let text = String(decoding: original.json, as: UTF8.self)
        #expect(text.contains(#""scope":"pay","max_amount":2500000,"single_use":true"#))
        let full = Self.claims(scope: nil, audience: ["purser"], maximum: nil, singleUse: nil)
        #expect(!String(decoding: full.json, as: UTF8.self).contains("max_amount"))
    }

    @Test func aScopedTokenMayNameAPayeeAsItsAudienceAndNoOtherTokenMay() throws {
        try Self.claims().validate(against: Self.rules, now: Self.now)
        try Self.claims(audience: ["purser"]).validate(against: Self.rules, now: Self.now)
        let cases: [(String, JWTClaims)] = [
            ("a full token for a payee", Self.claims(scope: nil, maximum: nil, singleUse: nil)),
            ("a scoped token for another audience", Self.claims(audience: ["wallet-only"])),
            ("a scoped token for two payees", Self.claims(audience: ["provider:a", "provider:b"])),
            ("a scoped token for an empty payee", Self.claims(audience: ["provider:"])),
        ]
        for (what, claims) in cases {
            #expect(throws: AuthError.wrongAudience, "\(what)") { try claims.validate(against: Self.rules, now: Self.now) }
        }
    }

    @Test func thePaymentScopeReadsOnlyAnAgentsPaymentToken() throws {
        let scope = try PaymentScope(claims: Self.claims())
        #expect(scope.payee == "p-1" && scope.maximumMicros == 2_500_000 && scope.singleUse && scope.tokenID == "j-1")
        #expect(scope.lifetimeSeconds == 600)
        #expect(try PaymentScope(claims: Self.claims(singleUse: nil)).singleUse == false)
        #expect(PaymentScope.audience(provider: "ABC") == "provider:abc")
        let refused: [(String, JWTClaims)] = [
            ("no scope", Self.claims(scope: nil)),
            ("another scope", Self.claims(scope: "read")),
            ("no maximum", Self.claims(maximum: nil)),
            ("a zero maximum", Self.claims(maximum: 0)),
            ("a negative maximum", Self.claims(maximum: -1)),
            ("the services' audience", Self.claims(audience: ["purser"])),
            ("two audiences", Self.claims(audience: ["provider:p-1", "purser"])),
            ("an admin's token", Self.claims(role: .admin)),
        ]
        for (what, claims) in refused {
            #expect(throws: AuthError.tokenScope, "\(what)") { _ = try PaymentScope(claims: claims) }
        }
    }
}
