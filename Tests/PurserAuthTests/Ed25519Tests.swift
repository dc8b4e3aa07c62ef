import Testing
@testable import PurserAuth

@Suite struct Ed25519Tests {
    @Test func signatureOfRFC8032TestVector1MatchesTheStandard() throws {
        let privateKey = try Ed25519.PrivateKey(
            rawRepresentation: [UInt8](hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        #expect(privateKey.publicKey.rawRepresentation.hex
            == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = try privateKey.signature(for: [UInt8]())
        #expect(signature.hex
            == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(privateKey.publicKey.isValidSignature(signature, for: [UInt8]()))
    }

    @Test func signatureOfRFC8032TestVector2MatchesTheStandard() throws {
        let privateKey = try Ed25519.PrivateKey(
            rawRepresentation: [UInt8](hex: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"))
        #expect(privateKey.publicKey.rawRepresentation.hex
            == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        #expect(try privateKey.signature(for: [0x72]).hex
            == "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
    }

    @Test func generatedKeySignsAndVerifiesAndRawKeysRoundTrip() throws {
        let privateKey = try Ed25519.PrivateKey.generate()
        let message = Array("pay 3000 micros to provider-9".utf8)
        let signature = try privateKey.signature(for: message)
        #expect(signature.count == Ed25519.signatureLength)

        let imported = try Ed25519.PublicKey(rawRepresentation: privateKey.publicKey.rawRepresentation)
        #expect(imported == privateKey.publicKey)
        #expect(imported.isValidSignature(signature, for: message))

        let reimported = try Ed25519.PrivateKey(rawRepresentation: privateKey.rawRepresentation)
        #expect(try reimported.signature(for: message) == signature)
    }

    @Test func verificationFailsForAnotherMessageAnotherKeyOrAFlippedBit() throws {
        let privateKey = try Ed25519.PrivateKey.generate()
        let other = try Ed25519.PrivateKey.generate()
        let message = Array("hello".utf8)
        let signature = try privateKey.signature(for: message)
        #expect(!privateKey.publicKey.isValidSignature(signature, for: Array("hellO".utf8)))
        #expect(!other.publicKey.isValidSignature(signature, for: message))
        for bit in stride(from: 0, to: signature.count * 8, by: 37) {
            var flipped = signature
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(!privateKey.publicKey.isValidSignature(flipped, for: message))
        }
        #expect(!privateKey.publicKey.isValidSignature(Array(signature.dropLast()), for: message))
    }

    @Test func generatedKeysAreDistinct() throws {
        let first = try Ed25519.PrivateKey.generate()
        let second = try Ed25519.PrivateKey.generate()
        #expect(first.rawRepresentation != second.rawRepresentation)
    }

    @Test(arguments: [0, 31, 33, 64])
    func rawKeysOfTheWrongLengthAreRejected(length: Int) {
        let bytes = [UInt8](repeating: 1, count: length)
        #expect(throws: AuthError.invalidKey) { try Ed25519.PublicKey(rawRepresentation: bytes) }
        #expect(throws: AuthError.invalidKey) { try Ed25519.PrivateKey(rawRepresentation: bytes) }
    }
}
