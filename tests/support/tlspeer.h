/* tlspeer.h - TLS for tests, all in memory: keys and certificates made
 * with OpenSSL's own APIs, and an OpenSSL server over memory BIOs to which
 * a test shuttles the bytes of a tt_tls client. Failures of OpenSSL here
 * are the test's own and abort it. */
#ifndef TETHER_TEST_TLSPEER_H
#define TETHER_TEST_TLSPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "tls.h"

/* A key (EC P-256) and its certificate. */
typedef struct tt_test_cert {
  EVP_PKEY *key;
  X509 *x509;
} tt_test_cert;

/* A root CA named cn, valid from an hour ago for a year. */
void tt_test_ca(tt_test_cert *ca, const char *cn);

/* An intermediate CA named cn, issued by ca, valid from not_before to
 * not_after (seconds since the epoch). */
void tt_test_ca_issued(tt_test_cert *c, const tt_test_cert *ca,
                       const char *cn, int64_t not_before, int64_t not_after);

/* A server certificate named cn (NULL: a subject of O=Tether alone),
 * with the subject alternative names san
 * ("DNS:api.internal,IP:127.0.0.1"; NULL: none), valid from not_before to
 * not_after (seconds since the epoch), issued by ca, or self-signed when
 * ca is NULL. */
void tt_test_cert_make(tt_test_cert *c, const tt_test_cert *ca,
                       const char *cn, const char *san, int64_t not_before,
                       int64_t not_after);

void tt_test_cert_free(tt_test_cert *c);

/* Writes the certificate as PEM into a new temporary file (a ca_file):
 * its path, to unlink and free. */
char *tt_test_cert_file(const tt_test_cert *c);

/* A server context presenting leaf (and issuer after it in the chain,
 * unless NULL), any version from TLS 1.2 on. */
SSL_CTX *tt_test_server_ctx(const tt_test_cert *leaf,
                            const tt_test_cert *issuer);

/* One server connection over memory BIOs. */
typedef struct tt_test_server {
  SSL *ssl;
  BIO *in, *out;
  bool done;         /* its handshake completed */
  bool failed;       /* its handshake failed */
  char sni[256];     /* the server name the client sent */
  bool sni_seen;
  const char *only_sni; /* set after start: any other name is refused
                           with the alert unrecognized_name (strict SNI) */
} tt_test_server;

void tt_test_server_start(tt_test_server *s, SSL_CTX *ctx);
void tt_test_server_free(tt_test_server *s);

/* Moves bytes between client and server, driving both handshakes (the
 * client's with tt_tls_handshake until it is no longer TT_TLS_AGAIN), until
 * neither has anything left to say. Returns the client's last
 * tt_tls_handshake() result. */
int tt_test_tls_pump(tt_tls *c, tt_test_server *s);

/* Moves what is waiting each way, without driving any handshake. */
void tt_test_tls_shuttle(tt_tls *c, tt_test_server *s);

/* The server reads everything that came as plaintext into buf (NUL
 * terminated); returns its length, or -1 when the client's close_notify
 * came instead. */
int tt_test_server_read(tt_test_server *s, char *buf, size_t n);

/* The server writes text. */
void tt_test_server_write(tt_test_server *s, const char *text);

/* One tt_tls client against one in-memory server presenting leaf (and
 * issuer). */
typedef struct tt_test_pair {
  SSL_CTX *server_ctx;
  tt_test_server server;
  tt_tls *client;
} tt_test_pair;

void tt_test_pair_start(tt_test_pair *p, tt_tls_ctx *client_ctx,
                        const char *name, bool insecure,
                        const tt_test_cert *leaf, const tt_test_cert *issuer);
void tt_test_pair_free(tt_test_pair *p);

/* What the TLS tests share: a CA the client trusts (in the file
 * ca_path, and ctx a context trusting it) and one it never trusts. */
typedef struct tt_test_pki {
  tt_test_cert ca, other_ca;
  char *ca_path;
  tt_tls_ctx *ctx;
} tt_test_pki;

int tt_test_pki_setup(tt_test_pki *k);
void tt_test_pki_teardown(tt_test_pki *k);

/* A certificate for api.internal (and www.api.internal, 127.0.0.1) from
 * k's trusted CA, valid from a day ago for 90 days. */
void tt_test_pki_good_cert(const tt_test_pki *k, tt_test_cert *c);

/* Counting OpenSSL's memory: tt_test_openssl_count() must run before
 * anything else uses OpenSSL; tt_test_openssl_live() is then the bytes
 * OpenSSL has allocated and not freed. */
void tt_test_openssl_count(void);
size_t tt_test_openssl_live(void);

#endif
