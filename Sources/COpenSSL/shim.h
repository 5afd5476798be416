#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Swift imports no function-like macro, and OpenSSL spells several TLS settings as macros over
// SSL_ctrl / SSL_CTX_ctrl. These wrappers give XMPPClient's TLS handler (Sources/XMPPClient/TLS)
// typed functions for them, so no Swift code hard-codes an SSL_CTRL_* number.

/// SSL_CTX_set_min_proto_version (a macro over SSL_CTX_ctrl): the lowest TLS version offered.
static inline int COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

/// SSL_CTX_set_max_proto_version (a macro over SSL_CTX_ctrl); 0 means "the highest supported".
static inline int COpenSSL_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

/// SSL_CTX_set_mode (a macro over SSL_CTX_ctrl); returns the new mode bits.
static inline long COpenSSL_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

/// SSL_set_tlsext_host_name (a macro over SSL_ctrl that casts away const): the SNI name sent.
static inline int COpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// SSL_get_extms_support (a macro over SSL_ctrl): 1 if the extended master secret (RFC 7627)
/// was negotiated, 0 if not, -1 before the handshake.
static inline int COpenSSL_SSL_get_extms_support(SSL *ssl) {
    return (int)SSL_get_extms_support(ssl);
}

/// BIO_set_mem_eof_return (a macro over BIO_ctrl): what an empty memory BIO's read returns;
/// -1 makes it a retryable "no data yet" rather than end of file.
static inline int COpenSSL_BIO_set_mem_eof_return(BIO *bio, int value) {
    return (int)BIO_set_mem_eof_return(bio, value);
}

/// SSL_OP_NO_RENEGOTIATION, which OpenSSL 3 defines through the function-like macro SSL_OP_BIT,
/// so Swift does not import it.
static const uint64_t COpenSSL_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;

#endif
