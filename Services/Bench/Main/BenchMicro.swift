import Foundation
import PurserAPI
import PurserAuth
import PurserWire

/// Single-process costs, measured here rather than in the unit targets (which
/// check only that these paths are correct): token verification, uncached and
/// cached, and the wire codec of a typical request.
enum BenchMicro {
    /// A fixed key set, so no fetch is measured.
    struct StaticKeys: SigningKeySource {
        let set: JWKSet
        func fetchSigningKeys() async throws -> JWKSet { set }
    }

    /// Microseconds per verification of `count` distinct agent tokens (each
    /// seen once), then per verification of 64 tokens repeated from the cache.
    static func tokenVerification(count: Int = 2_000, cached cachedCount: Int = 200_000) async throws -> (uncached: Double, cached: Double) {
        let signer = JWTSigner(key: try SigningKey.generate(keyID: "bench"))
        let verifier = TokenVerifier(
            configuration: .init(issuer: "purser-identity", audience: "purser", tokenCacheCapacity: count * 2),
            keySource: StaticKeys(set: JWKSet(keys: [signer.key.publicJWK])))
        let now = Int64(Date().timeIntervalSince1970)
        let tokens = try (0..<count).map { index in
            try signer.sign(JWTClaims(
                issuer: "purser-identity", subject: "agent-\(index)", audience: ["purser"], expiresAt: now + 900,
                issuedAt: now, tokenID: UUID().uuidString, tenant: "tenant-1", role: .agent))
        }
        _ = try await verifier.verify(tokens[0])
        let clock = ContinuousClock()
        let uncached = try await clock.measure {
            for token in tokens.dropFirst() { _ = try await verifier.verify(token) }
        }
        let cached = try await clock.measure {
            for index in 0..<cachedCount { _ = try await verifier.verify(tokens[index % 64]) }
        }
        return (microseconds(uncached) / Double(count - 1), microseconds(cached) / Double(cachedCount))
    }

    /// Nanoseconds per encode and per decode of an `AuthorizeRequest` with every field set.
    static func wireCodec(iterations: Int = 200_000) throws -> (encode: Double, decode: Double, bytes: Int) {
        var request = AuthorizeRequest()
        request.amountMicros = 12_500_000
        request.providerID = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
        request.category = "llm.inference"
        request.taskID = "task-42"
        request.description = "summarise the quarterly report"
        request.holdTTLSeconds = 300
        let bytes = request.serializedBytes()
        let clock = ContinuousClock()
        var total = 0
        let encoding = clock.measure {
            for _ in 0..<iterations { total &+= request.serializedBytes().count }
        }
        var amount: Int64 = 0
        let decoding = try clock.measure {
            for _ in 0..<iterations { amount &+= try AuthorizeRequest(serializedBytes: bytes).amountMicros }
        }
        guard total == bytes.count * iterations, amount == request.amountMicros &* Int64(iterations) else {
            throw BenchFailure(description: "the wire codec benchmark decoded something else than it encoded")
        }
        return (microseconds(encoding) * 1_000 / Double(iterations), microseconds(decoding) * 1_000 / Double(iterations), bytes.count)
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }
}
