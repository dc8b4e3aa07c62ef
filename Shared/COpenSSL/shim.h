#ifndef PURSER_COPENSSL_SHIM_H
#define PURSER_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/bio.h>

/* Function-like macros are invisible to Swift; these wrappers expose them. */
static inline long purser_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long purser_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long purser_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline long purser_SSL_CTX_set_options(SSL_CTX *ctx, long options) {
    return (long)SSL_CTX_set_options(ctx, (uint64_t)options);
}
static inline long purser_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline long purser_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline int purser_BIO_pending(BIO *bio) {
    return (int)BIO_pending(bio);
}
static inline int purser_BIO_eof(BIO *bio) {
    return (int)BIO_eof(bio);
}
static inline int purser_BIO_set_mem_eof_return(BIO *bio, int v) {
    return (int)BIO_set_mem_eof_return(bio, v);
}
static inline void purser_OPENSSL_free(void *p) {
    OPENSSL_free(p);
}
static inline const char *purser_SSL_get_cipher(const SSL *ssl) {
    return SSL_get_cipher(ssl);
}
static inline int purser_SSL_TLS1_3_VERSION(void) { return TLS1_3_VERSION; }
static inline int purser_SSL_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }

/* ---- PurserAuth: Ed25519 and AES-256-GCM constants (macros invisible to Swift) ---- */
static inline int purser_EVP_PKEY_ED25519(void) { return EVP_PKEY_ED25519; }
static inline int purser_EVP_CTRL_GCM_SET_IVLEN(void) { return EVP_CTRL_GCM_SET_IVLEN; }
static inline int purser_EVP_CTRL_GCM_GET_TAG(void) { return EVP_CTRL_GCM_GET_TAG; }
static inline int purser_EVP_CTRL_GCM_SET_TAG(void) { return EVP_CTRL_GCM_SET_TAG; }
/* ---- end PurserAuth ---- */
#endif
