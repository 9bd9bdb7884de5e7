/* tlspeer.c - certificates made in memory and an in-process OpenSSL server
 * over memory BIOs, for testing the TLS client without a network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tlspeer.h"

static void die(const char *what) {
  fprintf(stderr, "tlspeer: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  abort();
}

#define MUST(x) do { if (!(x)) die(#x); } while (0)

static long serial = 1;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
  MUST(ext != NULL);
  MUST(X509_add_ext(x, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, int64_t not_before,
                      int64_t not_after) {
  X509 *x = X509_new();
  MUST(x != NULL);
  MUST(X509_set_version(x, 2) == 1);
  MUST(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1);
  MUST(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before) != NULL);
  MUST(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after) != NULL);
  MUST(X509_set_pubkey(x, key) == 1);
  MUST(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), cn ? "CN" : "O",
                                  MBSTRING_ASC,
                                  (const unsigned char *)(cn ? cn : "Tether"),
                                  -1, -1, 0) == 1);
  return x;
}

/* A CA certificate, issued by ca or by itself. */
static void make_ca(tt_test_cert *c, const tt_test_cert *ca, const char *cn,
                    int64_t not_before, int64_t not_after) {
  c->key = EVP_EC_gen("P-256");
  MUST(c->key != NULL);
  c->x509 = new_cert(c->key, cn, not_before, not_after);
  X509 *issuer = ca ? ca->x509 : c->x509;
  MUST(X509_set_issuer_name(c->x509, X509_get_subject_name(issuer)) == 1);
  add_ext(c->x509, issuer, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(c->x509, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(c->x509, issuer, NID_subject_key_identifier, "hash");
  if (ca != NULL)
    add_ext(c->x509, issuer, NID_authority_key_identifier, "keyid");
  MUST(X509_sign(c->x509, ca ? ca->key : c->key, EVP_sha256()) > 0);
}

void tt_test_ca(tt_test_cert *ca, const char *cn) {
  int64_t now = time(NULL);
  make_ca(ca, NULL, cn, now - 3600, now + 365 * 86400);
}

void tt_test_ca_issued(tt_test_cert *c, const tt_test_cert *ca,
                       const char *cn, int64_t not_before, int64_t not_after) {
  make_ca(c, ca, cn, not_before, not_after);
}

void tt_test_cert_make(tt_test_cert *c, const tt_test_cert *ca,
                       const char *cn, const char *san, int64_t not_before,
                       int64_t not_after) {
  c->key = EVP_EC_gen("P-256");
  MUST(c->key != NULL);
  c->x509 = new_cert(c->key, cn, not_before, not_after);
  X509 *issuer = ca ? ca->x509 : c->x509;
  MUST(X509_set_issuer_name(c->x509, X509_get_subject_name(issuer)) == 1);
  if (ca != NULL) {
    add_ext(c->x509, issuer, NID_basic_constraints, "CA:FALSE");
    add_ext(c->x509, issuer, NID_authority_key_identifier, "keyid");
    add_ext(c->x509, issuer, NID_ext_key_usage, "serverAuth");
  }
  if (san != NULL)
    add_ext(c->x509, issuer, NID_subject_alt_name, san);
  MUST(X509_sign(c->x509, ca ? ca->key : c->key, EVP_sha256()) > 0);
}

void tt_test_cert_free(tt_test_cert *c) {
  EVP_PKEY_free(c->key);
  X509_free(c->x509);
  c->key = NULL;
  c->x509 = NULL;
}

char *tt_test_cert_file(const tt_test_cert *c) {
  const char *dir = getenv("TMPDIR");
  char *path = malloc(4096);
  MUST(path != NULL);
  snprintf(path, 4096, "%s/tether-ca-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  MUST(fd >= 0);
  BIO *b = BIO_new_fd(fd, BIO_CLOSE);
  MUST(b != NULL);
  MUST(PEM_write_bio_X509(b, c->x509) == 1);
  BIO_free(b);
  return path;
}

/* ---- the server ---- */

static int servername_cb(SSL *ssl, int *alert, void *arg) {
  tt_test_server *s = SSL_get_app_data(ssl);
  const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name != NULL) {
    snprintf(s->sni, sizeof(s->sni), "%s", name);
    s->sni_seen = true;
  }
  if (s->only_sni != NULL && (name == NULL || strcmp(name, s->only_sni) != 0)) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

SSL_CTX *tt_test_server_ctx(const tt_test_cert *leaf,
                            const tt_test_cert *issuer) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  MUST(ctx != NULL);
  MUST(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1);
  MUST(SSL_CTX_use_certificate(ctx, leaf->x509) == 1);
  MUST(SSL_CTX_use_PrivateKey(ctx, leaf->key) == 1);
  if (issuer != NULL)
    MUST(SSL_CTX_add1_chain_cert(ctx, issuer->x509) == 1);
  SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
  return ctx;
}

void tt_test_server_start(tt_test_server *s, SSL_CTX *ctx) {
  memset(s, 0, sizeof(*s));
  s->ssl = SSL_new(ctx);
  MUST(s->ssl != NULL);
  s->in = BIO_new(BIO_s_mem());
  s->out = BIO_new(BIO_s_mem());
  MUST(s->in != NULL && s->out != NULL);
  BIO_set_mem_eof_return(s->in, -1);
  BIO_set_mem_eof_return(s->out, -1);
  SSL_set_bio(s->ssl, s->in, s->out);
  SSL_set_accept_state(s->ssl);
  SSL_set_app_data(s->ssl, s);
}

void tt_test_server_free(tt_test_server *s) {
  SSL_free(s->ssl);
  s->ssl = NULL;
  ERR_clear_error();
}

/* Moves everything from the client to the server and back; returns the
 * bytes moved. */
static size_t move(tt_tls *c, tt_test_server *s) {
  char buf[4096];
  size_t moved = 0, n;
  int got;

  while ((n = tt_tls_take_out(c, buf, sizeof(buf))) > 0) {
    MUST(BIO_write(s->in, buf, (int)n) == (int)n);
    moved += n;
  }
  while ((got = BIO_read(s->out, buf, sizeof(buf))) > 0) {
    MUST(tt_tls_feed(c, buf, (size_t)got) == 0);
    moved += (size_t)got;
  }
  return moved;
}

void tt_test_tls_shuttle(tt_tls *c, tt_test_server *s) {
  move(c, s);
}

static void server_step(tt_test_server *s) {
  if (s->done || s->failed)
    return;
  int r = SSL_do_handshake(s->ssl);
  if (r == 1)
    s->done = true;
  else if (SSL_get_error(s->ssl, r) != SSL_ERROR_WANT_READ)
    s->failed = true;
  ERR_clear_error();
}

int tt_test_tls_pump(tt_tls *c, tt_test_server *s) {
  int r = TT_TLS_AGAIN;
  for (int round = 0; round < 100; round++) {
    r = tt_tls_handshake(c);
    /* Whatever the client says (its alert too) reaches the server. */
    size_t moved = move(c, s);
    server_step(s);
    moved += move(c, s);
    if (moved == 0)
      break;
  }
  return r;
}

int tt_test_server_read(tt_test_server *s, char *buf, size_t n) {
  size_t used = 0, got;
  int r = 0;
  while (used + 1 < n &&
         (r = SSL_read_ex(s->ssl, buf + used, n - 1 - used, &got)) == 1)
    used += got;
  buf[used] = '\0';
  int e = used + 1 < n ? SSL_get_error(s->ssl, r) : SSL_ERROR_NONE;
  ERR_clear_error();
  if (used == 0 && e == SSL_ERROR_ZERO_RETURN)
    return -1;
  return (int)used;
}

void tt_test_server_write(tt_test_server *s, const char *text) {
  size_t n;
  MUST(SSL_write_ex(s->ssl, text, strlen(text), &n) == 1);
}

/* ---- counting memory ---- */

/* Each block carries its size ahead of it, aligned as malloc's are. */
#define HEAD 16
static size_t live;

static void *count_malloc(size_t n, const char *file, int line) {
  char *p = malloc(n + HEAD);
  if (p == NULL)
    return NULL;
  memcpy(p, &n, sizeof(n));
  live += n;
  return p + HEAD;
}

static void count_free(void *q, const char *file, int line) {
  size_t n;
  if (q == NULL)
    return;
  char *p = (char *)q - HEAD;
  memcpy(&n, p, sizeof(n));
  live -= n;
  free(p);
}

static void *count_realloc(void *q, size_t n, const char *file, int line) {
  size_t old;
  if (q == NULL)
    return count_malloc(n, file, line);
  if (n == 0) {
    count_free(q, file, line);
    return NULL;
  }
  char *p = (char *)q - HEAD;
  memcpy(&old, p, sizeof(old));
  p = realloc(p, n + HEAD);
  if (p == NULL)
    return NULL;
  memcpy(p, &n, sizeof(n));
  live = live - old + n;
  return p + HEAD;
}

void tt_test_openssl_count(void) {
  MUST(CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) == 1);
}

size_t tt_test_openssl_live(void) {
  return live;
}

void tt_test_pair_start(tt_test_pair *p, tt_tls_ctx *client_ctx,
                        const char *name, bool insecure,
                        const tt_test_cert *leaf, const tt_test_cert *issuer) {
  memset(p, 0, sizeof(*p));
  p->server_ctx = tt_test_server_ctx(leaf, issuer);
  tt_test_server_start(&p->server, p->server_ctx);
  p->client = tt_tls_new(client_ctx, name, insecure);
  if (p->client == NULL) {
    fprintf(stderr, "tt_tls_new failed\n");
    abort();
  }
}

void tt_test_pair_free(tt_test_pair *p) {
  tt_tls_free(p->client);
  tt_test_server_free(&p->server);
  SSL_CTX_free(p->server_ctx);
}

int tt_test_pki_setup(tt_test_pki *k) {
  char err[256];
  tt_test_ca(&k->ca, "Tether Test CA");
  tt_test_ca(&k->other_ca, "Someone Else's CA");
  k->ca_path = tt_test_cert_file(&k->ca);
  if (tt_tls_ctx_new(k->ca_path, &k->ctx, err, sizeof(err)) != 0) {
    fprintf(stderr, "tt_tls_ctx_new: %s\n", err);
    return -1;
  }
  return 0;
}

void tt_test_pki_teardown(tt_test_pki *k) {
  tt_tls_ctx_free(k->ctx);
  unlink(k->ca_path);
  free(k->ca_path);
  tt_test_cert_free(&k->ca);
  tt_test_cert_free(&k->other_ca);
}

void tt_test_pki_good_cert(const tt_test_pki *k, tt_test_cert *c) {
  int64_t now = (int64_t)time(NULL);
  tt_test_cert_make(c, &k->ca, "api.internal",
                    "DNS:api.internal,DNS:www.api.internal,IP:127.0.0.1",
                    now - 86400, now + 90 * 86400);
}
