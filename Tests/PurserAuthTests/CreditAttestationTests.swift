import Foundation
import Testing
@testable import PurserAuth

/// Credit attestations: what Identity signs, what anyone verifies with the
/// published key set, and that one is never accepted as a caller's token.
@Suite struct CreditAttestationTests {
    static func attestation(now: Int64, audience: String = "provider-1", amount: Int64 = 3_000) -> CreditAttestation {
        CreditAttestation(
            issuer: TokenFactory.issuer, subject: "agent-1", audience: audience, tenant: "tenant-1", amountMicros: amount,
            asset: "USD", resource: "https://api.example/search", holdID: "hold-1", issuedAt: now, expiresAt: now + 300)
    }

    @Test func aSignedAttestationVerifiesToItsClaimsWithThePublishedKeys() throws {
        let factory = try TokenFactory(keyID: "k1")
        let attestation = Self.attestation(now: 1_800_000_000)
        let token = try attestation.sign(with: factory.signer.key)
        #expect(CreditAttestation.keyID(of: token) == "k1")
        let verified = try CreditAttestation.verify(token, keys: JWKSet(keys: [factory.jwk]))
        #expect(verified == attestation)
        #expect(verified.amount == "3000" && verified.amountMicros == 3_000)
        #expect(!verified.isExpired(now: 1_800_000_299) && verified.isExpired(now: 1_800_000_300))
        // Any JWT library reads it: the claims are the documented names.
        let claims = try JSONSerialization.jsonObject(
            with: Data(Base64URL.decode(token.split(separator: ".")[1])!)) as? [String: Any]
        #expect(claims?["sub"] as? String == "agent-1" && claims?["aud"] as? String == "provider-1")
        #expect(claims?["jti"] as? String == "hold-1" && claims?["amount"] as? String == "3000")
    }

    @Test func anUnknownKeyABadSignatureOrACallerTokenIsRefused() throws {
        let factory = try TokenFactory(keyID: "k1")
        let keys = JWKSet(keys: [factory.jwk])
        let token = try Self.attestation(now: 1_800_000_000).sign(with: factory.signer.key)
        #expect(throws: AuthError.unauthenticated("attestation_unknown_key")) {
            try CreditAttestation.verify(token, keys: JWKSet(keys: []))
        }
        let parts = token.split(separator: ".").map(String.init)
        let other = try Self.attestation(now: 1_800_000_000, amount: 3_000_000).sign(with: factory.signer.key)
        #expect(throws: AuthError.unauthenticated("attestation_bad_signature")) {
            try CreditAttestation.verify(parts[0] + "." + other.split(separator: ".")[1] + "." + parts[2], keys: keys)
        }
        #expect(throws: AuthError.unauthenticated("attestation_invalid")) {
            try CreditAttestation.verify(try factory.token(now: 1_800_000_000), keys: keys)
        }
        #expect(throws: AuthError.unauthenticated("attestation_invalid")) {
            try CreditAttestation.verify(try factory.rawToken(
                header: #"{"alg":"EdDSA","typ":"purser-credit+jwt","kid":"k1"}"#, payload: #"{"sub":"a","amount":"-5"}"#), keys: keys)
        }
    }

    @Test func theVerifierOfCallerTokensRefusesAnAttestation() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try Self.attestation(now: clock.now, audience: TokenFactory.audience).sign(with: factory.signer.key)
        await #expect(throws: AuthError.tokenMalformed) { try await verifier.verify(token) }
    }
}
