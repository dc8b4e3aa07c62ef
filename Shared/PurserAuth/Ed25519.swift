import COpenSSL

/// Ed25519 signatures (RFC 8032) through OpenSSL's EVP interface: raw 32-byte
/// keys, 64-byte signatures, no pre-hashing (`EVP_DigestSign` with a NULL digest).
public enum Ed25519 {
    /// Bytes in a raw public key.
    public static let publicKeyLength = 32
    /// Bytes in a raw private key (the RFC 8032 seed).
    public static let privateKeyLength = 32
    /// Bytes in a signature.
    public static let signatureLength = 64

    /// A private signing key. Holding one is holding the signing authority:
    /// never log it; store it sealed with a `KeyEncryptionKey`.
    public struct PrivateKey: Sendable, CustomStringConvertible {
        let key: EVPKey

        /// A fresh key pair from OpenSSL's CSPRNG.
        public static func generate() throws(AuthError) -> PrivateKey {
            guard let context = EVP_PKEY_CTX_new_id(purser_EVP_PKEY_ED25519(), nil) else {
                clearOpenSSLErrors()
                throw .cryptoFailure
            }
            defer { EVP_PKEY_CTX_free(context) }
            var pointer: OpaquePointer?
            guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &pointer) == 1, let pointer else {
                clearOpenSSLErrors()
                throw .cryptoFailure
            }
            return PrivateKey(key: EVPKey(pointer))
        }

        /// Imports a raw 32-byte private key; throws `invalid_key` for any other length.
        public init(rawRepresentation bytes: [UInt8]) throws(AuthError) {
            guard bytes.count == Ed25519.privateKeyLength else { throw .invalidKey }
            let pointer = bytes.withUnsafeBufferPointer {
                EVP_PKEY_new_raw_private_key(purser_EVP_PKEY_ED25519(), nil, $0.baseAddress, $0.count)
            }
            guard let pointer else {
                clearOpenSSLErrors()
                throw .invalidKey
            }
            self.key = EVPKey(pointer)
        }

        init(key: EVPKey) {
            self.key = key
        }

        /// Names the public half only, so a key printed by accident reveals nothing secret.
        public var description: String {
            "Ed25519.PrivateKey(public: \(Base64URL.encode(publicKey.rawRepresentation)))"
        }

        /// The raw 32-byte private key.
        public var rawRepresentation: [UInt8] {
            var length = Ed25519.privateKeyLength
            var bytes = [UInt8](repeating: 0, count: length)
            let status = bytes.withUnsafeMutableBufferPointer {
                EVP_PKEY_get_raw_private_key(key.pointer, $0.baseAddress, &length)
            }
            precondition(status == 1 && length == Ed25519.privateKeyLength, "an Ed25519 EVP_PKEY always exports 32 bytes")
            return bytes
        }

        /// The matching public key.
        public var publicKey: PublicKey {
            var length = Ed25519.publicKeyLength
            var bytes = [UInt8](repeating: 0, count: length)
            let status = bytes.withUnsafeMutableBufferPointer {
                EVP_PKEY_get_raw_public_key(key.pointer, $0.baseAddress, &length)
            }
            precondition(status == 1 && length == Ed25519.publicKeyLength, "an Ed25519 EVP_PKEY always exports 32 bytes")
            // Valid by construction: 32 bytes taken from a valid key.
            guard let publicKey = try? PublicKey(rawRepresentation: bytes) else {
                preconditionFailure("OpenSSL rejected its own Ed25519 public key")
            }
            return publicKey
        }

        /// The 64-byte signature of `message`.
        public func signature(for message: some Collection<UInt8>) throws(AuthError) -> [UInt8] {
            let result: Result<[UInt8], AuthError>
            if let signed = message.withContiguousStorageIfAvailable({ signature(for: UnsafeRawBufferPointer($0)) }) {
                result = signed
            } else {
                result = Array(message).withUnsafeBytes { signature(for: $0) }
            }
            return try result.get()
        }

        func signature(for message: UnsafeRawBufferPointer) -> Result<[UInt8], AuthError> {
            guard let context = EVP_MD_CTX_new() else {
                clearOpenSSLErrors()
                return .failure(.cryptoFailure)
            }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestSignInit(context, nil, nil, nil, key.pointer) == 1 else {
                clearOpenSSLErrors()
                return .failure(.cryptoFailure)
            }
            var length = Ed25519.signatureLength
            var signature = [UInt8](repeating: 0, count: length)
            let status = signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(
                    context, out.baseAddress, &length,
                    message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
            }
            guard status == 1, length == Ed25519.signatureLength else {
                clearOpenSSLErrors()
                return .failure(.cryptoFailure)
            }
            return .success(signature)
        }
    }

    /// A public verification key. Equal when the raw bytes are equal.
    public struct PublicKey: Sendable, Hashable {
        let key: EVPKey
        /// The raw 32-byte public key.
        public let rawRepresentation: [UInt8]

        /// Imports a raw 32-byte public key; throws `invalid_key` for any other length
        /// or bytes OpenSSL refuses.
        public init(rawRepresentation bytes: [UInt8]) throws(AuthError) {
            guard bytes.count == Ed25519.publicKeyLength else { throw .invalidKey }
            let pointer = bytes.withUnsafeBufferPointer {
                EVP_PKEY_new_raw_public_key(purser_EVP_PKEY_ED25519(), nil, $0.baseAddress, $0.count)
            }
            guard let pointer else {
                clearOpenSSLErrors()
                throw .invalidKey
            }
            self.key = EVPKey(pointer)
            self.rawRepresentation = bytes
        }

        /// True only when `signature` is a valid signature of `message` under this key.
        public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
            let signature = Array(signature)
            let message = Array(message)
            return signature.withUnsafeBytes { s in message.withUnsafeBytes { m in isValidSignature(s, for: m) } }
        }

        /// True only when `signature` is a valid signature of `message` under this key.
        public func isValidSignature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
            guard signature.count == Ed25519.signatureLength, let context = EVP_MD_CTX_new() else { return false }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key.pointer) == 1 else {
                clearOpenSSLErrors()
                return false
            }
            let status = EVP_DigestVerify(
                context,
                signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
            if status != 1 { clearOpenSSLErrors() }
            return status == 1
        }

        public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
            lhs.rawRepresentation == rhs.rawRepresentation
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(rawRepresentation)
        }
    }
}
