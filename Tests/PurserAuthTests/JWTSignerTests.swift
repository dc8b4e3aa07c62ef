import Foundation
import Testing
@testable import PurserAuth

@Suite struct JWTSignerTests {
    @Test func issuedTokenHasEdDSAHeaderWithKidAndTheClaims() throws {
        let factory = try TokenFactory(keyID: "key-2026")
        let claims = JWTClaims(
            issuer: "purser-identity", subject: "agent-\"quoted\"", audience: ["purser", "provider-7"],
            expiresAt: 1_800_000_900, issuedAt: 1_800_000_000, notBefore: 1_800_000_000, tokenID: "jti-1",
            tenant: "tenant-1", role: .agent, scope: "wallet:spend")
        let token = try factory.signer.sign(claims)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(!token.contains("="))

        let header = try #require(Base64URL.decode(parts[0]))
        let headerObject = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: String])
        #expect(headerObject == ["alg": "EdDSA", "typ": "JWT", "kid": "key-2026"])

        let payload = try #require(Base64URL.decode(parts[1]))
        #expect(try JSONDecoder().decode(JWTClaims.self, from: Data(payload)) == claims)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
        #expect(object["sub"] as? String == "agent-\"quoted\"")
        #expect(object["aud"] as? [String] == ["purser", "provider-7"])
        #expect((object["exp"] as? NSNumber)?.int64Value == 1_800_000_900)
    }

    @Test func singleAudienceIsSerializedAsAString() throws {
        let factory = try TokenFactory(keyID: "k")
        let token = try factory.token(now: 1_800_000_000)
        let payload = try #require(Base64URL.decode(token.split(separator: ".")[1]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
        #expect(object["aud"] as? String == TokenFactory.audience)
    }

    @Test func signatureVerifiesOverHeaderDotPayloadWithThePublicKey() throws {
        let factory = try TokenFactory(keyID: "k")
        let token = try factory.token(now: 1_800_000_000)
        let lastDot = try #require(token.lastIndex(of: "."))
        let signature = try #require(Base64URL.decode(token[token.index(after: lastDot)...]))
        #expect(factory.jwk.publicKey.isValidSignature(signature, for: Array(token[..<lastDot].utf8)))
    }
}
