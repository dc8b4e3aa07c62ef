import Testing
@testable import PurserAuth

@Suite struct TokenCacheTests {
    static func entry(_ index: Int, keyID: String = "k", expiresAt: Int64 = 1_000) -> (TokenHash, TokenCache.Entry) {
        let claims = JWTClaims(
            issuer: "i", subject: "agent-\(index)", audience: ["a"], expiresAt: expiresAt, issuedAt: 0,
            tokenID: "j\(index)", tenant: "t", role: .agent)
        let verified = VerifiedToken(
            principal: .agent(tenant: "t", agentID: "agent-\(index)"), claims: claims, keyID: keyID)
        return (TokenHash("token-\(index)"), TokenCache.Entry(verified: verified, expiresAt: expiresAt))
    }

    @Test func fullCacheOfLiveTokensEvictsAnEighthAndKeepsTheNewcomer() {
        var cache = TokenCache(capacity: 64)
        for index in 0..<64 {
            let (hash, entry) = Self.entry(index)
            cache.insert(entry, for: hash, isExpired: { _ in false })
        }
        #expect(cache.count == 64)
        let (hash, entry) = Self.entry(64)
        cache.insert(entry, for: hash, isExpired: { _ in false })
        #expect(cache.count == 64 - 8 + 1)
        #expect(cache[hash]?.verified.claims.subject == "agent-64")
    }

    @Test func fullCacheDropsExpiredTokensBeforeLiveOnes() {
        var cache = TokenCache(capacity: 8)
        for index in 0..<8 {
            let (hash, entry) = Self.entry(index, expiresAt: index < 4 ? 100 : 1_000)
            cache.insert(entry, for: hash, isExpired: { _ in false })
        }
        let (hash, entry) = Self.entry(8)
        cache.insert(entry, for: hash, isExpired: { $0 <= 100 })
        #expect(cache.count == 5)
        for index in 4...8 { #expect(cache[Self.entry(index).0] != nil) }
    }

    @Test func tokensOfWithdrawnKeysAreDropped() {
        var cache = TokenCache(capacity: 8)
        for (index, keyID) in ["old", "new", "old", "new"].enumerated() {
            let (hash, entry) = Self.entry(index, keyID: keyID)
            cache.insert(entry, for: hash, isExpired: { _ in false })
        }
        cache.removeTokens(signedByKeysOutside: ["new"])
        #expect(cache.count == 2)
        #expect(cache.entries.values.allSatisfy { $0.verified.keyID == "new" })
    }

    @Test func laterRevocationWinsAndExpiredOnesAreForgotten() {
        var revocations = RevocationSet()
        revocations.insert(Revocation(subject: "a", until: 200))
        revocations.insert(Revocation(subject: "a", until: 100))
        revocations.insert(Revocation(subject: "b", until: 50))
        #expect(revocations.isRevoked("a", now: 150))
        #expect(!revocations.isRevoked("a", now: 200))
        #expect(!revocations.isRevoked("c", now: 0))
        revocations.removeExpired(now: 60)
        #expect(revocations.count == 1)
        #expect(!revocations.isRevoked("b", now: 0))
    }
}
