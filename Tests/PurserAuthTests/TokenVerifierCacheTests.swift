import Foundation
import Testing
@testable import PurserAuth

/// Cached and uncached verification accept the same tokens, and repeated
/// tokens are answered from the cache. Verification costs are figures for a
/// benchmark, not for this unit target, which measures nothing.
@Suite struct TokenVerifierCacheTests {
    @Test func cachedAndUncachedVerificationAcceptTheSameTokens() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "cache")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock, cacheCapacity: 10_000)
        let uncachedCount = 200
        let tokens = try (0..<uncachedCount).map { try factory.token(now: clock.now, subject: "agent-\($0)") }

        var accepted = 0
        for token in tokens { if case .agent = try await verifier.verify(token).principal { accepted += 1 } }
        #expect(accepted == uncachedCount)
        #expect(verifier.statistics.cacheHits == 0)

        let cachedCount = 2_000
        for index in 0..<cachedCount {
            if case .agent = try await verifier.verify(tokens[index % 64]).principal { accepted += 1 }
        }
        #expect(accepted == uncachedCount + cachedCount)
        #expect(verifier.statistics.cacheHits == cachedCount)
    }
}
