/* tls.h - a TLS client as a byte machine over OpenSSL's memory BIOs:
 * ciphertext from the network in, ciphertext to send out, plaintext in and
 * out. No socket, no loop, no descriptor; nothing here ever blocks.
 *
 * How the engine uses it, beneath a session (connect -> TLS -> probe):
 *
 *   Config load   tt_tls_ca_check(ca_file) refuses a bad ca_file with
 *                 words for people, which the config prefixes with its
 *                 position.
 *   Once per distinct ca_file (NULL: the system's CAs), tt_tls_ctx_new();
 *                 every target naming it shares the context.
 *   TCP connected t = tt_tls_new(ctx, server_name, insecure); tls_us starts;
 *                 handshake() below sends the ClientHello.
 *   handshake()   r = tt_tls_handshake(t); send what tt_tls_take_out() gives;
 *                 r == TT_TLS_AGAIN: wait for the next read;
 *                 r == 0: tls_us ends, tt_tls_info_get() has the
 *                   certificate, version and cipher; drain tt_tls_read()
 *                   (the server may have spoken already), then the probe
 *                   runs;
 *                 r == TT_TLS_FAILED: tt_tls_failure_of() and
 *                   tt_tls_detail() say why (class tls, or error for
 *                   TT_TLS_FAIL_NOMEM);
 *                   send what is left to send (the alert telling the server
 *                   why), close.
 *   Each read     tt_tls_feed(t, buf, nread); then handshake() while the
 *                 handshake is going, else tt_tls_read() until it returns
 *                 TT_TLS_AGAIN, handing the plaintext to the framer;
 *                 TT_TLS_CLOSED is the peer's close_notify (an eof).
 *   EOF or reset  from the socket before tt_tls_handshake() returned 0 or
 *                 TT_TLS_FAILED: a failed handshake, class tls (the
 *                 bytes that came before it were fed and judged first,
 *                 so a server's alert is never lost to it).
 *   A ping        tt_tls_write(t, ping); send what tt_tls_take_out() gives.
 *   Closing       tt_tls_shutdown(t) queues close_notify; send it, close
 *                 the socket (no need to wait for the server's).
 *   Gone          tt_tls_free(t) with the connection, whatever happened.
 *
 * The rule for output: after every call but tt_tls_take_out(), send what
 * tt_tls_pending_out() says is there (reads may answer a key update).
 *
 * Memory (OpenSSL's allocations, which test_tls.c counts): a session
 * exists only while its TLS connection does. It holds about 41 KiB while
 * it waits for the server's first answer, up to 81 KiB for the moments of
 * the handshake, and about 19 KiB once idle: OpenSSL's SSL object (7.5
 * KiB), the keys of the connection and the server's certificate; the 17
 * KiB record buffers each way and any large read are given back whenever
 * the session falls idle. A context holds its trusted CAs once, for every
 * target that shares it: about 13 KiB with a one-certificate ca_file, 680
 * KiB with Debian's system bundle. */
#ifndef TETHER_TLS_H
#define TETHER_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct tt_tls_ctx tt_tls_ctx;
typedef struct tt_tls tt_tls;

/* What the calls return besides 0 (done) and byte counts. */
enum {
  TT_TLS_AGAIN = -1,  /* nothing more until bytes come from the peer */
  TT_TLS_CLOSED = -2, /* the peer ended TLS with close_notify */
  TT_TLS_FAILED = -3  /* for good: tt_tls_failure_of(), tt_tls_detail() */
};

/* Why a session failed. Every kind but TT_TLS_FAIL_NOMEM is class tls. */
typedef enum tt_tls_failure {
  TT_TLS_FAIL_NONE = 0,
  TT_TLS_FAIL_CERT,     /* the certificate was rejected */
  TT_TLS_FAIL_ALERT,    /* the peer sent a fatal alert */
  TT_TLS_FAIL_NOT_TLS,  /* the first bytes back are not a TLS record */
  TT_TLS_FAIL_PROTOCOL, /* anything else, in OpenSSL's words */
  TT_TLS_FAIL_NOMEM     /* out of memory: the local machine's fault */
} tt_tls_failure;

/* Room for a detail or a verdict, terminating NUL included. */
#define TT_TLS_DETAIL 192
/* Subject alternative names listed in a name-mismatch detail; the rest
 * are counted ("and 3 more"). */
#define TT_TLS_SANS_SHOWN 4

/* ---- contexts ---- */

/* Checks that ca_file can be loaded: 0, or -1 with why in err, such as
 * "cannot read /etc/x.pem: No such file or directory" or "/etc/x.pem holds
 * no PEM certificate". The config calls it at load. */
int tt_tls_ca_check(const char *ca_file, char *err, size_t n);

/* A client context trusting the CAs in ca_file, or the system's when
 * ca_file is NULL, for TLS 1.2 and later. 0, or -1 with why in err (as
 * tt_tls_ca_check's, or OpenSSL's words). */
int tt_tls_ctx_new(const char *ca_file, tt_tls_ctx **out, char *err,
                   size_t n);

/* Sessions keep what they use of their context: it may be freed first. */
void tt_tls_ctx_free(tt_tls_ctx *ctx);

/* For tests and tools: OpenSSL's own context, to narrow what tether
 * allows (a version range) before sessions are made from it. */
struct ssl_ctx_st *tt_tls_ctx_openssl(tt_tls_ctx *ctx);

/* ---- sessions ---- */

/* A client session, verifying the server's certificate against
 * server_name (a trailing dot aside): a host name is also sent as SNI; an
 * IP literal (IPv6 without brackets) is never sent and must be one of the
 * certificate's IP addresses; NULL or "" checks the chain alone. With
 * insecure the certificate is reported, never judged. NULL when out of
 * memory. */
tt_tls *tt_tls_new(tt_tls_ctx *ctx, const char *server_name, bool insecure);

/* Bytes read from the network. 0, or TT_TLS_FAILED when out of memory. */
int tt_tls_feed(tt_tls *t, const void *data, size_t len);

/* Drives the handshake as far as the bytes fed allow: 0 once it is
 * complete (and for every call after), TT_TLS_AGAIN, or TT_TLS_FAILED. */
int tt_tls_handshake(tt_tls *t);

/* Plaintext from the peer into buf: a count > 0, TT_TLS_AGAIN when no more
 * has come, TT_TLS_CLOSED, or TT_TLS_FAILED. Only after the handshake. */
ssize_t tt_tls_read(tt_tls *t, void *buf, size_t len);

/* Encrypts all of data for sending: 0 or TT_TLS_FAILED. Only after the
 * handshake. */
int tt_tls_write(tt_tls *t, const void *data, size_t len);

/* Queues close_notify: 0, or TT_TLS_FAILED. Before the handshake is over,
 * and after a failure, there is nothing to close politely: 0, nothing
 * queued. */
int tt_tls_shutdown(tt_tls *t);

/* Ciphertext waiting to be sent, and taking up to cap bytes of it into
 * buf (returns how many). */
size_t tt_tls_pending_out(const tt_tls *t);
size_t tt_tls_take_out(tt_tls *t, void *buf, size_t cap);

/* Why the session failed (TT_TLS_FAIL_NONE while it has not), and the
 * detail for people (empty while it has not):
 *   certificate expired on 2026-11-20      (notAfter's date, UTC)
 *   certificate not valid until 2026-11-20 (notBefore's date)
 *   self-signed certificate
 *   certificate is for other.example, not api.internal
 *   unknown CA                             (an issuer not trusted)
 *   handshake failure: alert protocol_version (any fatal alert by name)
 *   peer is not speaking TLS               (plain HTTP, SSH, ...)
 *   certificate rejected: OPENSSL'S WORDS  (any other verdict)
 *   handshake failure: OPENSSL'S WORDS     (anything else)
 *   out of memory                          (TT_TLS_FAIL_NOMEM)
 * A certificate of the chain above the server's own is named: "issuer
 * certificate expired on ...", and one that names no host at all says so:
 * "certificate names no host, not api.internal". After the handshake, an alert is "alert NAME" and anything else
 * "TLS failure: OPENSSL'S WORDS". Every call leaves OpenSSL's error queue
 * empty. */
tt_tls_failure tt_tls_failure_of(const tt_tls *t);
const char *tt_tls_detail(const tt_tls *t);

void tt_tls_free(tt_tls *t);

/* ---- what a handshake tells ---- */

/* The facts for the detail view, listings and events. */
typedef struct tt_tls_info {
  char version[16];  /* "TLSv1.3"; empty before the handshake completes */
  char cipher[64];   /* "TLS_AES_256_GCM_SHA384" */
  char subject[256]; /* the server's certificate, RFC 2253 */
  char issuer[256];
  char sans[256];    /* "api.internal, 127.0.0.1" (DNS and IP names) */
  unsigned nsans;    /* how many there are, listed in sans or not */
  int64_t not_before, not_after; /* seconds since the epoch */
  bool trusted;      /* the certificate passed every check */
  bool judged;       /* false with insecure: a failing verdict is only told */
  char verdict[TT_TLS_DETAIL]; /* why it is not trusted, "" when it is */
} tt_tls_info;

/* Fills info once the server's certificate has come (a handshake that
 * failed on it included): 0, or -1 when no certificate came. */
int tt_tls_info_get(const tt_tls *t, tt_tls_info *info);

/* Whole days from now until not_after, rounded down; negative once
 * expired (cert_days_left). */
int64_t tt_tls_days_left(int64_t not_after, int64_t now);

#endif
