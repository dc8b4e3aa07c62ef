import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` and frees it when the last reference goes.
///
/// Sendable because an `EVP_PKEY` is immutable after construction and OpenSSL
/// allows concurrent signing and verification with one key, each operation
/// using its own `EVP_MD_CTX`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }
}

/// Drops whatever OpenSSL left on this thread's error queue, so a failed
/// crypto call never confuses a later `SSL_get_error` on the same thread.
@inline(__always)
func clearOpenSSLErrors() {
    ERR_clear_error()
}
