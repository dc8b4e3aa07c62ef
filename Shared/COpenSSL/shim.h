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
#include <string.h>

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
/* ALPN "purser/1" as a wire-format protocol list (length-prefixed). */
static const unsigned char purser_alpn_wire[] = { 8, 'p', 'u', 'r', 's', 'e', 'r', '/', '1' };

static inline int purser_alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                        const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, purser_alpn_wire, sizeof purser_alpn_wire, in, inlen)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}
/* Server side: select "purser/1" or fail the handshake when the client offers other protocols. */
static inline void purser_SSL_CTX_select_purser_alpn(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, purser_alpn_select_cb, NULL);
}
/* Client side: offer "purser/1". Returns 0 on success (OpenSSL convention for this call). */
static inline int purser_SSL_CTX_offer_purser_alpn(SSL_CTX *ctx) {
    return SSL_CTX_set_alpn_protos(ctx, purser_alpn_wire, sizeof purser_alpn_wire);
}
/* 1 when the handshake negotiated ALPN "purser/1". */
static inline int purser_SSL_alpn_is_purser(const SSL *ssl) {
    const unsigned char *proto = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &proto, &len);
    return len == 8 && proto != NULL && memcmp(proto, purser_alpn_wire + 1, 8) == 0;
}
/* ALPN "http/1.1" as a wire-format protocol list (length-prefixed). */
static const unsigned char purser_http11_alpn_wire[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

static inline int purser_http11_alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                               const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, purser_http11_alpn_wire, sizeof purser_http11_alpn_wire, in, inlen)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}
/* Server side: select "http/1.1", or fail the handshake when the client offers only other protocols
   (a client that offers no ALPN at all is served HTTP/1.1). */
static inline void purser_SSL_CTX_select_http11_alpn(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, purser_http11_alpn_select_cb, NULL);
}
/* Client side: offer "http/1.1". Returns 0 on success. */
static inline int purser_SSL_CTX_offer_http11_alpn(SSL_CTX *ctx) {
    return SSL_CTX_set_alpn_protos(ctx, purser_http11_alpn_wire, sizeof purser_http11_alpn_wire);
}
/* 1 when the handshake negotiated ALPN "http/1.1", 0 when no protocol was negotiated, -1 for another one. */
static inline int purser_SSL_alpn_http11_state(const SSL *ssl) {
    const unsigned char *proto = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &proto, &len);
    if (proto == NULL || len == 0) return 0;
    return len == 8 && memcmp(proto, purser_http11_alpn_wire + 1, 8) == 0 ? 1 : -1;
}
/* Copies the peer certificate's subject CN (UTF-8, NUL-terminated) into buf.
   Returns its length, 0 when there is no peer certificate or no CN, -1 when buf is too small. */
static inline int purser_SSL_peer_common_name(const SSL *ssl, char *buf, int buflen) {
    X509 *cert = SSL_get0_peer_certificate(ssl);
    if (cert == NULL) return 0;
    X509_NAME *name = X509_get_subject_name(cert);
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return 0;
    ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char *utf8 = NULL;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) return 0;
    if (len >= buflen) { OPENSSL_free(utf8); return -1; }
    memcpy(buf, utf8, (size_t)len);
    buf[len] = 0;
    OPENSSL_free(utf8);
    return len;
}
/* Copies the peer certificate's DNS subjectAltNames, comma-separated, into buf.
   Returns the length written (0 when none); names that do not fit are left out. */
static inline int purser_SSL_peer_dns_names(const SSL *ssl, char *buf, int buflen) {
    X509 *cert = SSL_get0_peer_certificate(ssl);
    if (cert == NULL || buflen < 1) return 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    int used = 0;
    buf[0] = 0;
    if (names == NULL) return 0;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type != GEN_DNS) continue;
        const unsigned char *dns = ASN1_STRING_get0_data(gn->d.dNSName);
        int len = ASN1_STRING_length(gn->d.dNSName);
        int need = len + (used > 0 ? 1 : 0);
        if (used + need >= buflen) continue;
        if (used > 0) buf[used++] = ',';
        memcpy(buf + used, dns, (size_t)len);
        used += len;
        buf[used] = 0;
    }
    GENERAL_NAMES_free(names);
    return used;
}
/* Drains the calling thread's OpenSSL error queue into buf as "; "-separated readable messages. */
static inline int purser_ERR_drain(char *buf, int buflen) {
    int used = 0;
    unsigned long code;
    if (buflen < 1) return 0;
    buf[0] = 0;
    while ((code = ERR_get_error()) != 0) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        int len = (int)strlen(line);
        if (used + len + 3 >= buflen) continue;
        if (used > 0) { buf[used++] = ';'; buf[used++] = ' '; }
        memcpy(buf + used, line, (size_t)len);
        used += len;
        buf[used] = 0;
    }
    return used;
}

/* ---- PurserAuth: Ed25519 and AES-256-GCM constants (macros invisible to Swift) ---- */
static inline int purser_EVP_PKEY_ED25519(void) { return EVP_PKEY_ED25519; }
static inline int purser_EVP_CTRL_GCM_SET_IVLEN(void) { return EVP_CTRL_GCM_SET_IVLEN; }
static inline int purser_EVP_CTRL_GCM_GET_TAG(void) { return EVP_CTRL_GCM_GET_TAG; }
static inline int purser_EVP_CTRL_GCM_SET_TAG(void) { return EVP_CTRL_GCM_SET_TAG; }
/* ---- end PurserAuth ---- */
#endif
