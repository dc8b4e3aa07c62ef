import Foundation
import Testing
@testable import PurserAuth

/// Prints verification costs; asserts only correctness, never timing.
@Suite struct TokenVerifierBenchmarkTests {
    @Test func printsCachedAndUncachedVerificationCosts() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "bench")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock, cacheCapacity: 10_000)
        let uncachedCount = 2_000
        let tokens = try (0..<uncachedCount).map { try factory.token(now: clock.now, subject: "agent-\($0)") }
        _ = try await verifier.verify(try factory.token(now: clock.now, subject: "warm-up"))

        let timer = ContinuousClock()
        var accepted = 0
        let uncached = try await timer.measure {
            for token in tokens { if case .agent = try await verifier.verify(token).principal { accepted += 1 } }
        }
        let cachedCount = 200_000
        let cached = try await timer.measure {
            for index in 0..<cachedCount {
                if case .agent = try await verifier.verify(tokens[index % 64]).principal { accepted += 1 }
            }
        }
        #expect(accepted == uncachedCount + cachedCount)
        #expect(verifier.statistics.cacheHits == cachedCount)

        let message = Array(tokens[0].utf8)
        let signature = try factory.signer.key.privateKey.signature(for: message)
        var valid = 0
        let rawVerify = timer.measure {
            for _ in 0..<uncachedCount where factory.jwk.publicKey.isValidSignature(signature, for: message) { valid += 1 }
        }
        #expect(valid == uncachedCount)
        let payloads = try tokens.map { try #require(Base64URL.decode($0.split(separator: ".")[1])) }
        var decoded = 0
        let decoding = try timer.measure {
            for payload in payloads { decoded += try JSONDecoder().decode(JWTClaims.self, from: Data(payload)).expiresAt > 0 ? 1 : 0 }
        }
        #expect(decoded == uncachedCount)

        func microseconds(_ duration: Duration, _ count: Int) -> String {
            let nanoseconds = Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
            return String(nanoseconds / Double(count) / 1_000)
        }
        print("token verification: uncached \(microseconds(uncached, uncachedCount)) µs/op over \(uncachedCount), "
            + "cached \(microseconds(cached, cachedCount)) µs/op over \(cachedCount); "
            + "of which Ed25519 verify \(microseconds(rawVerify, uncachedCount)) µs/op, "
            + "claims JSON decode \(microseconds(decoding, uncachedCount)) µs/op")
    }
}
