import COpenSSL

/// Bytes from OpenSSL's CSPRNG (`RAND_bytes`).
enum SecureRandom {
    /// `count` random bytes; `crypto_failure` when the generator cannot deliver.
    static func bytes(_ count: Int) throws(AuthError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard status == 1 else {
            clearOpenSSLErrors()
            throw .cryptoFailure
        }
        return bytes
    }
}
