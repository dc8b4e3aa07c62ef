import Foundation
import Testing
@testable import PurserAuth

@Suite struct KeyEncryptionKeyTests {
    @Test func sealedSigningKeyOpensToTheSameKey() throws {
        let kek = try KeyEncryptionKey.generate()
        let signingKey = try SigningKey.generate(keyID: "2026-03")
        let sealed = try kek.seal(signingKey)
        #expect(sealed.count == 1 + 12 + 32 + 16)
        #expect(!sealed.containsSubsequence(signingKey.privateKey.rawRepresentation))

        let opened = try kek.openSigningKey(sealed, keyID: "2026-03")
        #expect(opened.privateKey.rawRepresentation == signingKey.privateKey.rawRepresentation)
        #expect(opened.keyID == "2026-03")
    }

    @Test func sealingTwiceUsesFreshNonces() throws {
        let kek = try KeyEncryptionKey.generate()
        let plaintext = [UInt8](repeating: 0x42, count: 32)
        let first = try kek.seal(plaintext, keyID: "k")
        let second = try kek.seal(plaintext, keyID: "k")
        #expect(first != second)
        #expect(try kek.open(first, keyID: "k") == plaintext)
        #expect(try kek.open(second, keyID: "k") == plaintext)
    }

    @Test func anyFlippedBitIsDetected() throws {
        let kek = try KeyEncryptionKey.generate()
        let sealed = try kek.seal(Array("private key bytes, 32 of them..".utf8), keyID: "k")
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x20
            #expect(throws: AuthError.keyDecryptionFailed) { try kek.open(tampered, keyID: "k") }
        }
        #expect(throws: AuthError.keyDecryptionFailed) { try kek.open(Array(sealed.dropLast()), keyID: "k") }
        #expect(throws: AuthError.keyDecryptionFailed) { try kek.open([], keyID: "k") }
    }

    @Test func anotherKidOrAnotherKEKCannotOpen() throws {
        let kek = try KeyEncryptionKey.generate()
        let sealed = try kek.seal(try SigningKey.generate(keyID: "a"))
        #expect(throws: AuthError.keyDecryptionFailed) { try kek.openSigningKey(sealed, keyID: "b") }
        #expect(throws: AuthError.keyDecryptionFailed) {
            try KeyEncryptionKey.generate().openSigningKey(sealed, keyID: "a")
        }
    }

    @Test func printedKeysRevealNoSecretBytes() throws {
        let kek = try KeyEncryptionKey.generate()
        #expect("\(kek)" == "KeyEncryptionKey(<redacted>)")
        let signingKey = try SigningKey.generate(keyID: "k")
        let printed = "\(signingKey)"
        #expect(!printed.contains(Base64URL.encode(signingKey.privateKey.rawRepresentation)))
        #expect(printed.contains(Base64URL.encode(signingKey.privateKey.publicKey.rawRepresentation)))
    }

    @Test func kekLoadsFromItsBase64ConfigValue() throws {
        let raw = (0..<32).map { UInt8($0) }
        let text = Data(raw).base64EncodedString()
        let kek = try KeyEncryptionKey(base64: text + "\n")
        #expect(kek.base64 == text)
        let unpadded = try KeyEncryptionKey(base64: String(text.dropLast()))
        let sealed = try kek.seal([1, 2, 3], keyID: "k")
        #expect(try unpadded.open(sealed, keyID: "k") == [1, 2, 3])
    }

    @Test(arguments: ["", "not base64!", Data(repeating: 1, count: 16).base64EncodedString(),
                      Data(repeating: 1, count: 33).base64EncodedString()])
    func kekOfTheWrongSizeOrEncodingIsRefused(text: String) {
        #expect(throws: AuthError.invalidKeyEncryptionKey) { try KeyEncryptionKey(base64: text) }
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
