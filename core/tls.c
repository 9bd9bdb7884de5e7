/* tls.c - the TLS client of tls.h: OpenSSL over two memory BIOs, and the
 * one place where OpenSSL's verdicts become words for an on-call engineer. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "escape.h"
#include "tls.h"

/* Both structs come from OpenSSL's allocator, so that a count of its
 * allocations (test_tls.c's) sees the whole cost of a session. */
struct tt_tls_ctx {
  SSL_CTX *ssl;
};

typedef enum tt_tls_phase {
  PHASE_HANDSHAKE,
  PHASE_OPEN,
  PHASE_CLOSED, /* the peer's close_notify came */
  PHASE_FAILED
} tt_tls_phase;

struct tt_tls {
  SSL *ssl;   /* owns both BIOs */
  BIO *in;    /* ciphertext fed, for OpenSSL to read */
  BIO *out;   /* ciphertext OpenSSL wrote, to be taken out */
  uint8_t phase;
  uint8_t sniffed; /* bytes of the first record's header looked at */
  bool not_tls;    /* they were not those of a TLS record */
  bool insecure;
  bool bad_name;   /* server_name could not be set to be checked */
  /* The first certificate verification found wrong: how far up the chain
   * (0 is the server's own) and its validity, for the detail's date. */
  bool err_seen;
  int err_depth;
  int64_t err_not_before, err_not_after;
  tt_tls_failure failure;
  char detail[TT_TLS_DETAIL];
  char name[]; /* server_name, without a trailing dot */
};

/* The block a ca_file is read in. */
#define CA_READ_BYTES 16384

/* Memory BIOs keep their largest buffer for ever; one emptied after
 * holding more than this is replaced by a fresh one (see trim()). */
#define KEEP_BIO_BYTES 4096

/* ---- words ---- */

/* Alerts by their names in the RFCs (8446 and 5246), as people search for
 * them; OpenSSL's own strings have spaces and differ in places. */
static const struct {
  int code;
  const char *name;
} alerts[] = {
  {0, "close_notify"},
  {10, "unexpected_message"},
  {20, "bad_record_mac"},
  {21, "decryption_failed"},
  {22, "record_overflow"},
  {30, "decompression_failure"},
  {40, "handshake_failure"},
  {41, "no_certificate"},
  {42, "bad_certificate"},
  {43, "unsupported_certificate"},
  {44, "certificate_revoked"},
  {45, "certificate_expired"},
  {46, "certificate_unknown"},
  {47, "illegal_parameter"},
  {48, "unknown_ca"},
  {49, "access_denied"},
  {50, "decode_error"},
  {51, "decrypt_error"},
  {60, "export_restriction"},
  {70, "protocol_version"},
  {71, "insufficient_security"},
  {80, "internal_error"},
  {86, "inappropriate_fallback"},
  {90, "user_canceled"},
  {100, "no_renegotiation"},
  {109, "missing_extension"},
  {110, "unsupported_extension"},
  {111, "certificate_unobtainable"},
  {112, "unrecognized_name"},
  {113, "bad_certificate_status_response"},
  {114, "bad_certificate_hash_value"},
  {115, "unknown_psk_identity"},
  {116, "certificate_required"},
  {120, "no_application_protocol"},
};

static void alert_name(int code, char *buf, size_t n) {
  for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
    if (alerts[i].code == code) {
      snprintf(buf, n, "%s", alerts[i].name);
      return;
    }
  }
  snprintf(buf, n, "%d", code);
}

static int64_t asn1_epoch(const ASN1_TIME *a) {
  struct tm tm;
  if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
    return 0;
  return (int64_t)timegm(&tm);
}

static void date(int64_t epoch, char *buf, size_t n) {
  time_t s = (time_t)epoch;
  struct tm tm;
  if (gmtime_r(&s, &tm) == NULL || strftime(buf, n, "%Y-%m-%d", &tm) == 0)
    snprintf(buf, n, "?");
}

/* The server's certificate: OpenSSL keeps it as the peer's only once it
 * has been accepted (or not judged), and in the chain as soon as it came. */
static X509 *server_cert(const tt_tls *t) {
  X509 *x = SSL_get0_peer_certificate(t->ssl);
  if (x == NULL) {
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(t->ssl);
    if (chain != NULL && sk_X509_num(chain) > 0)
      x = sk_X509_value(chain, 0);
  }
  return x;
}

/* Appends the certificate's DNS and IP names to buf as "a, b, c", at most
 * shown of them (then " and N more"); returns how many there are. */
static unsigned list_names(X509 *x, unsigned shown, char *buf, size_t n) {
  GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
  unsigned count = 0, listed = 0;
  size_t used = strlen(buf);
  bool full = false;

  for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
    const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
    char name[256];
    if (g->type == GEN_DNS) {
      const ASN1_IA5STRING *s = g->d.dNSName;
      tt_escape(name, sizeof(name), (const char *)ASN1_STRING_get0_data(s),
                (size_t)ASN1_STRING_length(s), TT_ESC_ASCII);
    } else if (g->type == GEN_IPADD) {
      const ASN1_OCTET_STRING *s = g->d.iPAddress;
      int len = ASN1_STRING_length(s);
      int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (af == 0 ||
          inet_ntop(af, ASN1_STRING_get0_data(s), name, sizeof(name)) == NULL)
        continue;
    } else {
      continue;
    }
    count++;
    if (full || listed >= shown)
      continue;
    /* Room is kept for " and N more". */
    size_t need = strlen(name) + (listed ? 2 : 0);
    if (used + need + 20 >= n) {
      full = true;
      continue;
    }
    used += (size_t)snprintf(buf + used, n - used, "%s%s",
                             listed ? ", " : "", name);
    listed++;
  }
  GENERAL_NAMES_free(names);
  if (count > listed)
    snprintf(buf + used, n - used, " and %u more", count - listed);
  return count;
}

/* The subject's common name, for a certificate that has no names of the
 * other kind (OpenSSL then checks the name against it). */
static void common_name(X509 *x, char *buf, size_t n) {
  char cn[256];
  int len = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
                                      NID_commonName, cn, sizeof(cn));
  if (len > 0)
    tt_escape(buf, n, cn, (size_t)len, TT_ESC_ASCII);
}

/* What is wrong with the certificate, from OpenSSL's verification result
 * vr, in words for people. */
static void cert_words(const tt_tls *t, long vr, char *buf, size_t n) {
  X509 *x = server_cert(t);
  char when[32];
  const char *whose = t->err_seen && t->err_depth > 0 ? "issuer " : "";
  int64_t not_before = t->err_seen ? t->err_not_before : 0;
  int64_t not_after = t->err_seen ? t->err_not_after : 0;

  if (!t->err_seen && x != NULL) {
    not_before = asn1_epoch(X509_get0_notBefore(x));
    not_after = asn1_epoch(X509_get0_notAfter(x));
  }
  switch (vr) {
  case X509_V_ERR_CERT_HAS_EXPIRED:
    date(not_after, when, sizeof(when));
    snprintf(buf, n, "%scertificate expired on %s", whose, when);
    return;
  case X509_V_ERR_CERT_NOT_YET_VALID:
    date(not_before, when, sizeof(when));
    snprintf(buf, n, "%scertificate not valid until %s", whose, when);
    return;
  case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    snprintf(buf, n, "self-signed certificate");
    return;
  /* However the chain ends, nothing trusted vouches for it. */
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
  case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
  case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
  case X509_V_ERR_CERT_UNTRUSTED:
    snprintf(buf, n, "unknown CA");
    return;
  case X509_V_ERR_HOSTNAME_MISMATCH:
  case X509_V_ERR_IP_ADDRESS_MISMATCH: {
    char names[TT_TLS_DETAIL] = "";
    char want[96];
    size_t room, rest;
    tt_escape(want, sizeof(want), t->name, strlen(t->name), TT_ESC_ASCII);
    /* The names get what the rest of the sentence leaves. */
    rest = strlen("certificate is for , not ") + strlen(want);
    room = n > rest + 32 ? n - rest : 32;
    if (room > sizeof(names))
      room = sizeof(names);
    if (x != NULL && list_names(x, TT_TLS_SANS_SHOWN, names, room) == 0)
      common_name(x, names, room);
    if (names[0] == '\0')
      snprintf(buf, n, "certificate names no host, not %s", want);
    else
      snprintf(buf, n, "certificate is for %s, not %s", names, want);
    return;
  }
  default:
    snprintf(buf, n, "certificate rejected: %s",
             X509_verify_cert_error_string(vr));
    return;
  }
}

/* ---- failing ---- */

static int fail(tt_tls *t, tt_tls_failure why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(tt_tls *t, tt_tls_failure why, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->detail, sizeof(t->detail), fmt, ap);
  va_end(ap);
  t->failure = why;
  t->phase = PHASE_FAILED;
  return TT_TLS_FAILED;
}

/* Why the last OpenSSL call on t failed, from its error queue and the
 * verification result; the queue is left empty for the next session. */
static int diagnose(tt_tls *t, int ssl_error, bool handshaking) {
  unsigned long e = ERR_peek_last_error();
  int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);
  long vr = SSL_get_verify_result(t->ssl);
  const char *what = handshaking ? "handshake failure" : "TLS failure";
  char words[TT_TLS_DETAIL];

  ERR_clear_error();
  if (lib == ERR_LIB_SSL && reason == SSL_R_CERTIFICATE_VERIFY_FAILED &&
      vr != X509_V_OK) {
    cert_words(t, vr, words, sizeof(words));
    return fail(t, TT_TLS_FAIL_CERT, "%s", words);
  }
  /* A received alert is an error of OpenSSL's whose reason is its code
   * past SSL_AD_REASON_OFFSET. */
  if (lib == ERR_LIB_SSL && reason >= SSL_AD_REASON_OFFSET &&
      reason < SSL_AD_REASON_OFFSET + 256) {
    alert_name(reason - SSL_AD_REASON_OFFSET, words, sizeof(words));
    if (handshaking)
      return fail(t, TT_TLS_FAIL_ALERT, "handshake failure: alert %s", words);
    return fail(t, TT_TLS_FAIL_ALERT, "alert %s", words);
  }
  if (reason == ERR_R_MALLOC_FAILURE)
    return fail(t, TT_TLS_FAIL_NOMEM, "out of memory");
  if (ssl_error == SSL_ERROR_ZERO_RETURN)
    return fail(t, TT_TLS_FAIL_PROTOCOL,
                "%s: the server ended TLS (close_notify)", what);
  if (e == 0)
    return fail(t, TT_TLS_FAIL_PROTOCOL,
                "%s: OpenSSL gave no reason (error %d)", what, ssl_error);
  const char *why = ERR_reason_error_string(e);
  return fail(t, TT_TLS_FAIL_PROTOCOL, "%s: %s", what,
              why ? why : "unknown error");
}

/* ---- contexts ---- */

/* Reads the PEM certificates of ca_file into store (NULL: only counts
 * them). 0, or -1 with why in err. */
static int read_cas(const char *ca_file, X509_STORE *store, char *err,
                    size_t n) {
  struct stat st;
  STACK_OF(X509_INFO) *infos;
  int certs = 0;
  BIO *b, *buf;
  /* O_NONBLOCK: a FIFO would otherwise wait for a writer; nothing but a
   * regular file is read, and for one the flag does nothing. */
  int fd = open(ca_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

  if (fd < 0) {
    snprintf(err, n, "cannot read %s: %s", ca_file, strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0) {
    snprintf(err, n, "cannot read %s: %s", ca_file, strerror(errno));
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, n, "cannot read %s: %s", ca_file,
             S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
    close(fd);
    return -1;
  }
  b = BIO_new_fd(fd, BIO_CLOSE);
  if (b == NULL) {
    close(fd);
    snprintf(err, n, "cannot read %s: %s", ca_file, strerror(ENOMEM));
    return -1;
  }
  /* PEM is read a line at a time, and a bare fd BIO gets a line with a
   * read() per byte: 220 000 of them for Debian's bundle. A buffer above
   * it reads the file in blocks. */
  if ((buf = BIO_new(BIO_f_buffer())) == NULL ||
      BIO_set_read_buffer_size(buf, CA_READ_BYTES) != 1) {
    BIO_free(buf);
    BIO_free(b);
    ERR_clear_error();
    snprintf(err, n, "cannot read %s: %s", ca_file, strerror(ENOMEM));
    return -1;
  }
  BIO_push(buf, b);
  ERR_clear_error();
  infos = PEM_X509_INFO_read_bio(buf, NULL, NULL, NULL);
  BIO_free_all(buf);
  if (infos == NULL) {
    unsigned long e = ERR_peek_last_error();
    const char *why = ERR_reason_error_string(e);
    ERR_clear_error();
    snprintf(err, n, "%s is not a PEM certificate file: %s", ca_file,
             why ? why : "unreadable");
    return -1;
  }
  for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
    X509_INFO *info = sk_X509_INFO_value(infos, i);
    if (info->x509 == NULL)
      continue;
    if (store != NULL && X509_STORE_add_cert(store, info->x509) != 1) {
      sk_X509_INFO_pop_free(infos, X509_INFO_free);
      ERR_clear_error();
      snprintf(err, n, "cannot load %s: %s", ca_file, strerror(ENOMEM));
      return -1;
    }
    certs++;
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  ERR_clear_error();
  if (certs == 0) {
    snprintf(err, n, "%s holds no PEM certificate (BEGIN CERTIFICATE)",
             ca_file);
    return -1;
  }
  return 0;
}

int tt_tls_ca_check(const char *ca_file, char *err, size_t n) {
  return read_cas(ca_file, NULL, err, n);
}

int tt_tls_ctx_new(const char *ca_file, tt_tls_ctx **out, char *err,
                   size_t n) {
  tt_tls_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

  *out = NULL;
  if (ctx == NULL)
    goto fail_nomem;
  ERR_clear_error();
  ctx->ssl = SSL_CTX_new(TLS_client_method());
  if (ctx->ssl == NULL)
    goto fail_openssl;
  if (SSL_CTX_set_min_proto_version(ctx->ssl, TLS1_2_VERSION) != 1)
    goto fail_openssl;
  /* OpenSSL's record buffers (17 KiB each way) only while a record is
   * under way: a session waiting for its server's answer does not hold
   * them (trim() gives back what this mode leaves). */
  SSL_CTX_set_mode(ctx->ssl, SSL_MODE_RELEASE_BUFFERS);
  /* No resumption: every handshake must show the certificate, or its
   * expiry and a change of it would go unseen. */
  SSL_CTX_set_session_cache_mode(ctx->ssl, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx->ssl, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  if (ca_file != NULL) {
    if (read_cas(ca_file, SSL_CTX_get_cert_store(ctx->ssl), err, n) != 0)
      goto fail;
  } else if (SSL_CTX_set_default_verify_paths(ctx->ssl) != 1) {
    goto fail_openssl;
  }
  ERR_clear_error();
  *out = ctx;
  return 0;

fail_openssl: {
  unsigned long e = ERR_peek_last_error();
  const char *why = ERR_reason_error_string(e);
  if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE || why == NULL)
    why = strerror(ENOMEM);
  snprintf(err, n, "cannot set up TLS: %s", why);
  ERR_clear_error();
  goto fail;
}
fail_nomem:
  snprintf(err, n, "cannot set up TLS: %s", strerror(ENOMEM));
fail:
  tt_tls_ctx_free(ctx);
  return -1;
}

void tt_tls_ctx_free(tt_tls_ctx *ctx) {
  if (ctx == NULL)
    return;
  SSL_CTX_free(ctx->ssl);
  OPENSSL_free(ctx);
}

struct ssl_ctx_st *tt_tls_ctx_openssl(tt_tls_ctx *ctx) {
  return ctx->ssl;
}

/* ---- sessions ---- */

/* Keeps the first thing verification finds wrong, for its dates; the
 * verdict itself stays OpenSSL's (ok is returned as it came). */
static int verify_cb(int ok, X509_STORE_CTX *x) {
  SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
  tt_tls *t = ssl ? SSL_get_app_data(ssl) : NULL;
  X509 *cert = X509_STORE_CTX_get_current_cert(x);

  if (!ok && t != NULL && !t->err_seen) {
    t->err_seen = true;
    t->err_depth = X509_STORE_CTX_get_error_depth(x);
    if (cert != NULL) {
      t->err_not_before = asn1_epoch(X509_get0_notBefore(cert));
      t->err_not_after = asn1_epoch(X509_get0_notAfter(cert));
    }
  }
  return ok;
}

static BIO *mem_bio(void) {
  BIO *b = BIO_new(BIO_s_mem());
  /* Empty means "not yet", never end of file. */
  if (b != NULL)
    BIO_set_mem_eof_return(b, -1);
  return b;
}

static bool is_ip(const char *s) {
  unsigned char a[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* What the certificate is checked against, and the SNI. false when
 * OpenSSL refuses the name. */
static bool set_name(tt_tls *t) {
  X509_VERIFY_PARAM *p = SSL_get0_param(t->ssl);

  if (t->name[0] == '\0')
    return true;
  if (is_ip(t->name))
    return X509_VERIFY_PARAM_set1_ip_asc(p, t->name) == 1;
  X509_VERIFY_PARAM_set_hostflags(p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return X509_VERIFY_PARAM_set1_host(p, t->name, 0) == 1 &&
         SSL_set_tlsext_host_name(t->ssl, t->name) == 1;
}

tt_tls *tt_tls_new(tt_tls_ctx *ctx, const char *server_name, bool insecure) {
  size_t len = server_name ? strlen(server_name) : 0;
  tt_tls *t;

  if (len > 0 && server_name[len - 1] == '.')
    len--;
  t = OPENSSL_zalloc(sizeof(*t) + len + 1);
  if (t == NULL)
    return NULL;
  if (len > 0)
    memcpy(t->name, server_name, len);
  t->insecure = insecure;
  t->phase = PHASE_HANDSHAKE;
  ERR_clear_error();
  t->ssl = SSL_new(ctx->ssl);
  if (t->ssl == NULL)
    goto fail;
  t->in = mem_bio();
  t->out = mem_bio();
  if (t->in == NULL || t->out == NULL) {
    BIO_free(t->in);
    BIO_free(t->out);
    goto fail;
  }
  SSL_set_bio(t->ssl, t->in, t->out);
  SSL_set_connect_state(t->ssl);
  SSL_set_app_data(t->ssl, t);
  /* Insecure still verifies (its verdict is reported) without failing. */
  SSL_set_verify(t->ssl, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                 verify_cb);
  t->bad_name = !set_name(t);
  ERR_clear_error();
  return t;

fail:
  ERR_clear_error();
  tt_tls_free(t);
  return NULL;
}

void tt_tls_free(tt_tls *t) {
  if (t == NULL)
    return;
  SSL_free(t->ssl);
  OPENSSL_free(t);
}

/* A server's first bytes are a TLS record's header: content type
 * handshake (22) or alert (21), then version major 3. A plain HTTP, SSH or
 * SMTP server's first bytes are text, which OpenSSL would call "wrong
 * version number" or "packet length too long"; here it is said plainly. */
static void sniff(tt_tls *t, const unsigned char *p, size_t len) {
  for (size_t i = 0; i < len && t->sniffed < 2; i++, t->sniffed++) {
    if (t->sniffed == 0 && p[i] != 22 && p[i] != 21)
      t->not_tls = true;
    if (t->sniffed == 1 && p[i] != 3)
      t->not_tls = true;
  }
}

int tt_tls_feed(tt_tls *t, const void *data, size_t len) {
  const char *p = data;

  if (t->phase == PHASE_FAILED)
    return TT_TLS_FAILED;
  sniff(t, data, len);
  while (len > 0) {
    int chunk = len > INT_MAX ? INT_MAX : (int)len;
    if (BIO_write(t->in, p, chunk) != chunk) {
      ERR_clear_error();
      return fail(t, TT_TLS_FAIL_NOMEM, "out of memory");
    }
    p += chunk;
    len -= (size_t)chunk;
  }
  return 0;
}

/* Gives back what an idle session does not need: OpenSSL's record
 * buffers (about 17 KiB each way; SSL_MODE_RELEASE_BUFFERS keeps the read
 * one after handshake messages such as TLS 1.3's session tickets), and a
 * memory BIO that grew large and is empty again (it never shrinks by
 * itself). A persistent session spends most of its life idle. Called when
 * the bytes fed are used up, and when those to send are taken. */
static void trim(tt_tls *t) {
  BUF_MEM *m;
  BIO *b;

  if (!SSL_free_buffers(t->ssl))
    ERR_clear_error(); /* a record is under way: the buffers stay */
  if (BIO_ctrl_pending(t->in) == 0 && BIO_get_mem_ptr(t->in, &m) == 1 &&
      m->max > KEEP_BIO_BYTES && (b = mem_bio()) != NULL) {
    SSL_set0_rbio(t->ssl, b); /* frees the old one */
    t->in = b;
  }
  if (BIO_ctrl_pending(t->out) == 0 && BIO_get_mem_ptr(t->out, &m) == 1 &&
      m->max > KEEP_BIO_BYTES && (b = mem_bio()) != NULL) {
    SSL_set0_wbio(t->ssl, b);
    t->out = b;
  }
}

int tt_tls_handshake(tt_tls *t) {
  int r;

  if (t->phase == PHASE_FAILED)
    return TT_TLS_FAILED;
  if (t->phase != PHASE_HANDSHAKE)
    return 0;
  if (t->not_tls)
    return fail(t, TT_TLS_FAIL_NOT_TLS, "peer is not speaking TLS");
  if (t->bad_name)
    return fail(t, TT_TLS_FAIL_PROTOCOL,
                "handshake failure: server_name cannot be checked");
  ERR_clear_error();
  r = SSL_do_handshake(t->ssl);
  if (r == 1) {
    t->phase = PHASE_OPEN;
    ERR_clear_error();
    trim(t);
    return 0;
  }
  r = SSL_get_error(t->ssl, r);
  if (r == SSL_ERROR_WANT_READ) {
    ERR_clear_error();
    return TT_TLS_AGAIN;
  }
  return diagnose(t, r, true);
}

ssize_t tt_tls_read(tt_tls *t, void *buf, size_t len) {
  size_t n = 0;
  int r;

  switch (t->phase) {
  case PHASE_HANDSHAKE: return TT_TLS_AGAIN;
  case PHASE_CLOSED: return TT_TLS_CLOSED;
  case PHASE_FAILED: return TT_TLS_FAILED;
  default: break;
  }
  if (len > SSIZE_MAX)
    len = SSIZE_MAX;
  ERR_clear_error();
  r = SSL_read_ex(t->ssl, buf, len, &n);
  if (r == 1)
    return (ssize_t)n;
  r = SSL_get_error(t->ssl, r);
  if (r == SSL_ERROR_WANT_READ) {
    ERR_clear_error();
    trim(t);
    return TT_TLS_AGAIN;
  }
  if (r == SSL_ERROR_ZERO_RETURN) {
    ERR_clear_error();
    t->phase = PHASE_CLOSED;
    return TT_TLS_CLOSED;
  }
  return diagnose(t, r, false);
}

int tt_tls_write(tt_tls *t, const void *data, size_t len) {
  size_t n = 0;
  int r;

  if (t->phase == PHASE_FAILED)
    return TT_TLS_FAILED;
  if (t->phase == PHASE_HANDSHAKE)
    return fail(t, TT_TLS_FAIL_PROTOCOL,
                "TLS failure: data written before the handshake");
  if (len == 0)
    return 0;
  ERR_clear_error();
  /* A memory BIO takes everything: a write is whole or fails. */
  r = SSL_write_ex(t->ssl, data, len, &n);
  if (r == 1 && n == len)
    return 0;
  return diagnose(t, SSL_get_error(t->ssl, r), false);
}

int tt_tls_shutdown(tt_tls *t) {
  int r;

  if (t->phase != PHASE_OPEN && t->phase != PHASE_CLOSED)
    return 0;
  ERR_clear_error();
  r = SSL_shutdown(t->ssl);
  if (r >= 0) {
    ERR_clear_error();
    return 0;
  }
  return diagnose(t, SSL_get_error(t->ssl, r), false);
}

size_t tt_tls_pending_out(const tt_tls *t) {
  return BIO_ctrl_pending(t->out);
}

size_t tt_tls_take_out(tt_tls *t, void *buf, size_t cap) {
  int chunk = cap > INT_MAX ? INT_MAX : (int)cap;
  int n;

  if (chunk == 0)
    return 0;
  n = BIO_read(t->out, buf, chunk);
  if (n <= 0)
    return 0;
  if (t->phase != PHASE_HANDSHAKE)
    trim(t);
  return (size_t)n;
}

tt_tls_failure tt_tls_failure_of(const tt_tls *t) {
  return t->failure;
}

const char *tt_tls_detail(const tt_tls *t) {
  return t->detail;
}

/* ---- what a handshake tells ---- */

static void print_name(const X509_NAME *name, char *buf, size_t n) {
  BIO *b = BIO_new(BIO_s_mem());
  int len;

  buf[0] = '\0';
  if (b == NULL)
    return;
  /* RFC 2253 escapes control characters and every byte past ASCII. */
  if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
    len = BIO_read(b, buf, (int)n - 1);
    buf[len > 0 ? len : 0] = '\0';
  }
  BIO_free(b);
}

int tt_tls_info_get(const tt_tls *t, tt_tls_info *info) {
  X509 *x = server_cert(t);
  long vr;

  memset(info, 0, sizeof(*info));
  if (x == NULL)
    return -1;
  if (t->phase == PHASE_OPEN || t->phase == PHASE_CLOSED) {
    snprintf(info->version, sizeof(info->version), "%s",
             SSL_get_version(t->ssl));
    snprintf(info->cipher, sizeof(info->cipher), "%s",
             SSL_CIPHER_get_name(SSL_get_current_cipher(t->ssl)));
  }
  print_name(X509_get_subject_name(x), info->subject, sizeof(info->subject));
  print_name(X509_get_issuer_name(x), info->issuer, sizeof(info->issuer));
  info->nsans = list_names(x, UINT_MAX, info->sans, sizeof(info->sans));
  info->not_before = asn1_epoch(X509_get0_notBefore(x));
  info->not_after = asn1_epoch(X509_get0_notAfter(x));
  info->judged = !t->insecure;
  vr = SSL_get_verify_result(t->ssl);
  info->trusted = vr == X509_V_OK;
  if (!info->trusted)
    cert_words(t, vr, info->verdict, sizeof(info->verdict));
  ERR_clear_error();
  return 0;
}

int64_t tt_tls_days_left(int64_t not_after, int64_t now) {
  int64_t d = not_after - now;
  return d >= 0 ? d / 86400 : -((-d + 86399) / 86400);
}
