import PurserTestSupport
import Testing
@testable import PurserAuth

/// Property-style: random strings and random mutations of a valid token are
/// always refused with an `AuthError`, never accepted and never a trap.
@Suite struct HostileTokenTests {
    static let alphabet: [Character] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"\\\u{0}\u{7f}é€😀")

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomStringsAreRefused(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        for _ in 0..<500 {
            let length = Int.random(in: 0...300, using: &random)
            let text = String((0..<length).map { _ in Self.alphabet.randomElement(using: &random)! })
            await #expect(throws: AuthError.self) { try await verifier.verify(text) }
        }
    }

    @Test(arguments: [UInt64(11), 12, 13, 14])
    func mutatedValidTokensAreRefused(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = Array(try factory.token(now: clock.now))
        for _ in 0..<400 {
            var mutated = token
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<mutated.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    var replacement = Self.alphabet.randomElement(using: &random)!
                    while replacement == mutated[position] { replacement = Self.alphabet.randomElement(using: &random)! }
                    mutated[position] = replacement
                case 1: mutated.remove(at: position)
                case 2: mutated.insert(Self.alphabet.randomElement(using: &random)!, at: position)
                default: mutated.removeSubrange(position...)
                }
                if mutated.isEmpty { mutated = ["."] }
            }
            let text = String(mutated)
            guard text != String(token) else { continue }
            await #expect(throws: AuthError.self, "\(text)") { try await verifier.verify(text) }
        }
        _ = try await verifier.verify(String(token))
    }

    static let shapes: [(String, String)] = [
        ("", "token_missing"),
        ("abc", "token_malformed"),
        ("a.b", "token_malformed"),
        ("a.b.c.d", "token_malformed"),
        ("..", "token_malformed"),
        (".e30.", "token_malformed"),
        ("e30..", "token_malformed"),
        ("!!!.e30.AAAA", "token_malformed"),
        ("e30.e30.AAAA", "token_malformed"),
        ("W10.e30.AAAA", "token_malformed"),
        ("bnVsbA.e30.AAAA", "token_malformed"),
        ("eyJhbGciOjF9.e30.AAAA", "token_malformed"),
        ("eyJhbGciOiJFZERTQSJ9.e30.AAAA", "token_malformed"),
        ("eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.e30.AAAA", "token_malformed"),
    ]

    @Test(arguments: shapes)
    func malformedShapesGetAStableReason(token: String, reason: String) async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let error = await #expect(throws: AuthError.self) { try await verifier.verify(token) }
        #expect(error?.reason == reason)
        #expect(error?.kind == .unauthenticated)
    }

    @Test func oversizedTokensAreRefusedBeforeParsing() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let source = InMemoryKeySource([factory.jwk])
        let verifier = makeVerifier(source: source, clock: clock)
        let huge = String(repeating: "A", count: 6_000) + "." + String(repeating: "B", count: 6_000) + ".CC"
        await #expect(throws: AuthError.tokenTooLarge) { try await verifier.verify(huge) }
        #expect(source.fetches == 0)
    }

    @Test func deeplyNestedHeaderJSONIsRefused() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let nested = String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000)
        let token = Base64URL.encode(Array(nested.utf8)) + ".e30." + Base64URL.encode([UInt8](repeating: 0, count: 64))
        await #expect(throws: AuthError.self) { try await verifier.verify(token) }
    }
}
