import Testing
@testable import PurserAuth

@Suite struct SecretTests {
    @Test(arguments: [Secret.Prefix.tenantKey, .agentKey, .providerKey, .operatorKey])
    func generatedSecretsHaveThePrefixAndFortyThreeBase62Characters(prefix: Secret.Prefix) throws {
        let secret = try Secret.generate(prefix: prefix)
        #expect(secret.exposedValue.hasPrefix(prefix.rawValue))
        #expect(secret.exposedValue.utf8.count == prefix.rawValue.utf8.count + 43)
        #expect(secret.exposedValue.dropFirst(prefix.rawValue.count).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(Secret.isWellFormed(secret.exposedValue, prefix: prefix))
    }

    @Test func generatedSecretsAreUnique() throws {
        let secrets = try (0..<2_000).map { _ in try Secret.generate(prefix: "purser_ak_").exposedValue }
        #expect(Set(secrets).count == secrets.count)
    }

    @Test func base62EncodingIsFixedWidthAndOrderPreserving() {
        #expect(Base62.encode([UInt8](repeating: 0, count: 32), length: 43) == String(repeating: "0", count: 43))
        #expect(Base62.encode([UInt8](repeating: 0, count: 31) + [61], length: 43) == String(repeating: "0", count: 42) + "z")
        #expect(Base62.encode([UInt8](repeating: 0, count: 31) + [62], length: 43) == String(repeating: "0", count: 41) + "10")
        let maximum = Base62.encode([UInt8](repeating: 0xFF, count: 32), length: 43)
        #expect(maximum.count == 43)
        #expect(maximum.first != "0")
    }

    static let body43 = String(repeating: "a", count: 43)
    static let body42 = String(repeating: "a", count: 42)
    static let formatCases: [(String, Bool)] = [
        ("purser_sk_" + body43, true),
        ("purser_ak_" + body43, false),
        ("purser_sk_" + body42, false),
        ("purser_sk_" + body43 + "a", false),
        ("purser_sk_" + body42 + "-", false),
        ("purser_sk_" + body42 + "é", false),
        ("", false),
    ]

    @Test(arguments: formatCases)
    func formatCheckRejectsWrongPrefixLengthAndCharset(candidate: String, wellFormed: Bool) {
        #expect(Secret.isWellFormed(candidate, prefix: .tenantKey) == wellFormed)
    }

    @Test(arguments: ["", "Purser_sk_", "purser sk_", "purser_sk", "purser-sk-"])
    func malformedPrefixesAreRefused(prefix: String) {
        #expect(throws: AuthError.invalidSecretPrefix) { try Secret.generate(prefix: Secret.Prefix(rawValue: prefix)) }
    }

    @Test func descriptionNeverRevealsTheSecret() throws {
        let secret = try Secret.generate(prefix: .agentKey)
        #expect(secret.description == "purser_ak_<redacted>")
        #expect(!"\(secret)".contains(secret.exposedValue.dropFirst(10)))
    }

    @Test func digestIsSHA256OfTheSecretText() {
        #expect(SecretDigest.sha256("abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretDigest.sha256("").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func digestMatchesOnlyItsSecret() throws {
        let secret = try Secret.generate(prefix: .providerKey)
        #expect(SecretDigest.matches(secret.exposedValue, digest: secret.digest))
        #expect(!SecretDigest.matches(secret.exposedValue + "x", digest: secret.digest))
        #expect(!SecretDigest.matches(try Secret.generate(prefix: .providerKey).exposedValue, digest: secret.digest))
    }

    static let comparisonCases: [([UInt8], [UInt8], Bool)] = [
        ([], [], true),
        ([1, 2, 3], [1, 2, 3], true),
        ([1, 2, 3], [1, 2, 4], false),
        ([0, 2, 3], [1, 2, 3], false),
        ([1, 2, 3], [1, 2], false),
        ([1, 2], [1, 2, 3], false),
        ([], [0], false),
    ]

    @Test(arguments: comparisonCases)
    func constantTimeComparisonIsEqualityOfBytes(lhs: [UInt8], rhs: [UInt8], equal: Bool) {
        #expect(ConstantTime.equals(lhs, rhs) == equal)
    }
}
