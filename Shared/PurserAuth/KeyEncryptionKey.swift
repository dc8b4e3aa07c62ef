import COpenSSL
import Foundation

/// The key that seals private signing keys at rest (config `PURSER_IDENTITY_KEK`,
/// base64 of 32 bytes), with AES-256-GCM.
///
/// Sealed format: `0x01` (version) ‖ 12-byte random nonce ‖ ciphertext ‖
/// 16-byte tag. The key id is the associated data, so a sealed key moved to
/// another row (another kid) no longer opens. Any tampering makes `open`
/// throw `key_decryption_failed`.
public struct KeyEncryptionKey: Sendable, CustomStringConvertible {
    static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16
    static let version: UInt8 = 1

    private let key: [UInt8]

    /// A KEK from its base64 text (standard alphabet, padding optional, surrounding
    /// whitespace ignored); throws `invalid_key_encryption_key` unless it decodes to 32 bytes.
    public init(base64: String) throws(AuthError) {
        var text = base64.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.utf8.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { throw .invalidKeyEncryptionKey }
        try self.init(rawRepresentation: [UInt8](data))
    }

    /// A KEK from 32 raw bytes; throws `invalid_key_encryption_key` for any other length.
    public init(rawRepresentation: [UInt8]) throws(AuthError) {
        guard rawRepresentation.count == KeyEncryptionKey.keyLength else { throw .invalidKeyEncryptionKey }
        self.key = rawRepresentation
    }

    /// A fresh random KEK.
    public static func generate() throws(AuthError) -> KeyEncryptionKey {
        try KeyEncryptionKey(rawRepresentation: SecureRandom.bytes(keyLength))
    }

    /// Redacted, so a KEK printed by accident reveals nothing.
    public var description: String { "KeyEncryptionKey(<redacted>)" }

    /// The KEK as base64 text, the form `PURSER_IDENTITY_KEK` takes.
    public var base64: String { Data(key).base64EncodedString() }

    /// Seals `plaintext` bound to `keyID`, under a fresh random nonce.
    public func seal(_ plaintext: [UInt8], keyID: String) throws(AuthError) -> [UInt8] {
        let nonce = try SecureRandom.bytes(KeyEncryptionKey.nonceLength)
        let aad = Array(keyID.utf8)
        guard let context = EVP_CIPHER_CTX_new() else { throw .cryptoFailure }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: KeyEncryptionKey.tagLength)
        var length: Int32 = 0
        let ok =
            EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
            && EVP_CIPHER_CTX_ctrl(context, purser_EVP_CTRL_GCM_SET_IVLEN(), Int32(nonce.count), nil) == 1
            && EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1
            && (aad.isEmpty || EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1)
            && (plaintext.isEmpty
                || ciphertext.withUnsafeMutableBufferPointer {
                    EVP_EncryptUpdate(context, $0.baseAddress, &length, plaintext, Int32(plaintext.count)) == 1
                })
            && ciphertext.withUnsafeMutableBufferPointer { out in
                var finalLength: Int32 = 0
                return EVP_EncryptFinal_ex(context, out.baseAddress.map { $0 + Int(length) }, &finalLength) == 1
            }
            && tag.withUnsafeMutableBytes {
                EVP_CIPHER_CTX_ctrl(context, purser_EVP_CTRL_GCM_GET_TAG(), Int32($0.count), $0.baseAddress) == 1
            }
        guard ok else {
            clearOpenSSLErrors()
            throw .cryptoFailure
        }
        var sealed = [UInt8]()
        sealed.reserveCapacity(1 + nonce.count + ciphertext.count + tag.count)
        sealed.append(KeyEncryptionKey.version)
        sealed.append(contentsOf: nonce)
        sealed.append(contentsOf: ciphertext)
        sealed.append(contentsOf: tag)
        return sealed
    }

    /// Opens what `seal` produced for `keyID`; throws `key_decryption_failed`
    /// when the data was altered, sealed for another key id or under another KEK.
    public func open(_ sealed: [UInt8], keyID: String) throws(AuthError) -> [UInt8] {
        let overhead = 1 + KeyEncryptionKey.nonceLength + KeyEncryptionKey.tagLength
        guard sealed.count >= overhead, sealed[0] == KeyEncryptionKey.version else { throw .keyDecryptionFailed }
        let nonce = Array(sealed[1..<(1 + KeyEncryptionKey.nonceLength)])
        let ciphertext = Array(sealed[(1 + KeyEncryptionKey.nonceLength)..<(sealed.count - KeyEncryptionKey.tagLength)])
        var tag = Array(sealed[(sealed.count - KeyEncryptionKey.tagLength)...])
        let aad = Array(keyID.utf8)
        guard let context = EVP_CIPHER_CTX_new() else { throw .cryptoFailure }
        defer { EVP_CIPHER_CTX_free(context) }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        var length: Int32 = 0
        let ok =
            EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
            && EVP_CIPHER_CTX_ctrl(context, purser_EVP_CTRL_GCM_SET_IVLEN(), Int32(nonce.count), nil) == 1
            && EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1
            && (aad.isEmpty || EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1)
            && (ciphertext.isEmpty
                || plaintext.withUnsafeMutableBufferPointer {
                    EVP_DecryptUpdate(context, $0.baseAddress, &length, ciphertext, Int32(ciphertext.count)) == 1
                })
            && tag.withUnsafeMutableBytes {
                EVP_CIPHER_CTX_ctrl(context, purser_EVP_CTRL_GCM_SET_TAG(), Int32($0.count), $0.baseAddress) == 1
            }
            && plaintext.withUnsafeMutableBufferPointer { out in
                var finalLength: Int32 = 0
                return EVP_DecryptFinal_ex(context, out.baseAddress.map { $0 + Int(length) }, &finalLength) > 0
            }
        guard ok else {
            clearOpenSSLErrors()
            throw .keyDecryptionFailed
        }
        return plaintext
    }

    /// Seals a signing key's private bytes under its own key id.
    public func seal(_ signingKey: SigningKey) throws(AuthError) -> [UInt8] {
        try seal(signingKey.privateKey.rawRepresentation, keyID: signingKey.keyID)
    }

    /// Opens a signing key sealed with `seal(_:)` under `keyID`.
    public func openSigningKey(_ sealed: [UInt8], keyID: String) throws(AuthError) -> SigningKey {
        let raw = try open(sealed, keyID: keyID)
        do throws(AuthError) {
            return SigningKey(keyID: keyID, privateKey: try Ed25519.PrivateKey(rawRepresentation: raw))
        } catch {
            throw .keyDecryptionFailed
        }
    }
}
