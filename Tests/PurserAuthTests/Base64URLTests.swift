import PurserTestSupport
import Testing
@testable import PurserAuth

@Suite struct Base64URLTests {
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func encodesRFC4648VectorsWithoutPadding(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func usesTheURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test func roundTripsEveryLengthUpToSixtyFour() {
        var random = SeededGenerator(seed: 7)
        for length in 0...64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    @Test(arguments: ["Zg==", "Zm9v=", "Z", "Zm9vY", "Zm+v", "Zm/v", "Zm9v\n", "Zm 9", "Zh", "Zm9"])
    func rejectsPaddingForeignCharactersImpossibleLengthsAndNonCanonicalBits(text: String) {
        // "Zh" and "Zm9" carry non-zero trailing bits: another spelling of "f" / "fo" would be accepted otherwise.
        #expect(Base64URL.decode(text) == nil)
    }
}
