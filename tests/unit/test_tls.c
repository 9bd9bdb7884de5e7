/* test_tls.c - the TLS client as a byte machine, without a network: an
 * in-process OpenSSL server over memory BIOs, certificates made in the
 * test. The handshake, every failure's words, SNI and IP literals,
 * insecure, a plain-text peer, alerts, data both ways, close_notify.
 * Contexts and what a session costs: test_tls_cost.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls.h"
#include "tlspeer.h"

#define DAY 86400

/* 2020-11-20T12:00:00Z and 2090-06-01T00:00:00Z. */
#define EXPIRED_AT INT64_C(1605873600)
#define VALID_FROM INT64_C(3799958400)

static tt_test_pki pki;
#define ca (pki.ca)             /* trusted: the one in ca_path */
#define other_ca (pki.other_ca) /* never trusted */
#define ca_path (pki.ca_path)
#define ctx (pki.ctx)           /* trusting ca */

static int group_setup(void **unused) {
  return tt_test_pki_setup(&pki);
}

static int group_teardown(void **unused) {
  tt_test_pki_teardown(&pki);
  return 0;
}

static int64_t now(void) {
  return (int64_t)time(NULL);
}

static void good_cert(tt_test_cert *c) {
  tt_test_pki_good_cert(&pki, c);
}

typedef tt_test_pair pair;
#define pair_start tt_test_pair_start
#define pair_free tt_test_pair_free

/* The handshake of a client for name against a server presenting leaf:
 * its result, and the detail in detail. */
static int handshake(const char *name, bool insecure, const tt_test_cert *leaf,
                     const tt_test_cert *issuer, char *detail, size_t n) {
  pair p;
  pair_start(&p, ctx, name, insecure, leaf, issuer);
  int r = tt_test_tls_pump(p.client, &p.server);
  snprintf(detail, n, "%s", tt_tls_detail(p.client));
  pair_free(&p);
  return r;
}

/* The detail of a handshake that must fail on the certificate. */
static void expect_cert_failure(const char *name, const tt_test_cert *leaf,
                                const tt_test_cert *issuer, const char *want) {
  pair p;
  pair_start(&p, ctx, name, false, leaf, issuer);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), TT_TLS_FAILED);
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_CERT);
  assert_string_equal(tt_tls_detail(p.client), want);
  /* The client told the server why, with an alert, and gave up. */
  assert_true(p.server.failed);
  assert_false(p.server.done);
  pair_free(&p);
}

/* ---- a good handshake ---- */

static void test_handshake_with_the_right_ca(void **unused) {
  tt_test_cert leaf;
  tt_tls_info info;
  pair p;

  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_true(p.server.done);
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_NONE);
  assert_string_equal(tt_tls_detail(p.client), "");
  /* Done is done: asking again changes nothing. */
  assert_int_equal(tt_tls_handshake(p.client), 0);

  assert_int_equal(tt_tls_info_get(p.client, &info), 0);
  assert_string_equal(info.version, "TLSv1.3");
  assert_string_equal(info.cipher, "TLS_AES_256_GCM_SHA384");
  assert_string_equal(info.subject, "CN=api.internal");
  assert_string_equal(info.issuer, "CN=Tether Test CA");
  assert_string_equal(info.sans, "api.internal, www.api.internal, 127.0.0.1");
  assert_int_equal(info.nsans, 3);
  assert_true(info.trusted);
  assert_true(info.judged);
  assert_string_equal(info.verdict, "");
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_facts_are_the_certificates(void **unused) {
  tt_test_cert leaf;
  tt_tls_info info;
  pair p;
  int64_t from = now() - 10 * DAY, until = from + 100 * DAY;

  tt_test_cert_make(&leaf, &ca, "api.internal", "DNS:api.internal", from,
                    until);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_int_equal(tt_tls_info_get(p.client, &info), 0);
  assert_int_equal(info.not_before, from);
  assert_int_equal(info.not_after, until);
  assert_int_equal(tt_tls_days_left(info.not_after, from + 10 * DAY), 90);
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_tls12_server(void **unused) {
  tt_test_cert leaf;
  tt_tls_info info;
  pair p;

  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  SSL_set_max_proto_version(p.server.ssl, TLS1_2_VERSION);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_int_equal(tt_tls_info_get(p.client, &info), 0);
  assert_string_equal(info.version, "TLSv1.2");
  assert_string_equal(info.cipher, "ECDHE-ECDSA-AES256-GCM-SHA384");
  assert_true(info.trusted);
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_sni_is_the_server_name(void **unused) {
  tt_test_cert leaf;
  pair p;

  good_cert(&leaf);
  /* A trailing dot is not part of the name sent or checked. */
  pair_start(&p, ctx, "api.internal.", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_true(p.server.sni_seen);
  assert_string_equal(p.server.sni, "api.internal");
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_ip_literal_checks_the_ip_san_without_sni(void **unused) {
  tt_test_cert leaf;
  char detail[TT_TLS_DETAIL];
  pair p;

  good_cert(&leaf);
  pair_start(&p, ctx, "127.0.0.1", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_false(p.server.sni_seen);
  pair_free(&p);

  expect_cert_failure("127.0.0.2", &leaf, NULL,
                      "certificate is for api.internal, www.api.internal, "
                      "127.0.0.1, not 127.0.0.2");
  /* An address is never matched against the DNS names. */
  tt_test_cert_free(&leaf);
  tt_test_cert_make(&leaf, &ca, "127.0.0.1", "DNS:127.0.0.1", now() - DAY,
                    now() + DAY);
  assert_int_equal(handshake("127.0.0.1", false, &leaf, NULL, detail,
                             sizeof(detail)),
                   TT_TLS_FAILED);
  assert_string_equal(detail, "certificate is for 127.0.0.1, not 127.0.0.1");
  tt_test_cert_free(&leaf);

  tt_test_cert_make(&leaf, &ca, "v6", "IP:::1", now() - DAY, now() + DAY);
  assert_int_equal(handshake("::1", false, &leaf, NULL, detail,
                             sizeof(detail)), 0);
  tt_test_cert_free(&leaf);
}

/* ---- the certificate rejected ---- */

static void test_expired(void **unused) {
  tt_test_cert leaf;
  tt_test_cert_make(&leaf, &ca, "api.internal", "DNS:api.internal",
                    EXPIRED_AT - 365 * DAY, EXPIRED_AT);
  expect_cert_failure("api.internal", &leaf, NULL,
                      "certificate expired on 2020-11-20");
  tt_test_cert_free(&leaf);
}

static void test_not_yet_valid(void **unused) {
  tt_test_cert leaf;
  tt_test_cert_make(&leaf, &ca, "api.internal", "DNS:api.internal",
                    VALID_FROM, VALID_FROM + 365 * DAY);
  expect_cert_failure("api.internal", &leaf, NULL,
                      "certificate not valid until 2090-06-01");
  tt_test_cert_free(&leaf);
}

static void test_self_signed(void **unused) {
  tt_test_cert leaf;
  tt_test_cert_make(&leaf, NULL, "api.internal", "DNS:api.internal",
                    now() - DAY, now() + DAY);
  expect_cert_failure("api.internal", &leaf, NULL, "self-signed certificate");

  /* Named in ca_file, a self-signed certificate is trusted (pinned). */
  char *pinned = tt_test_cert_file(&leaf), err[256];
  tt_tls_ctx *pin;
  pair p;
  assert_int_equal(tt_tls_ctx_new(pinned, &pin, err, sizeof(err)), 0);
  pair_start(&p, pin, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  pair_free(&p);
  tt_tls_ctx_free(pin);
  unlink(pinned);
  free(pinned);
  tt_test_cert_free(&leaf);
}

static void test_other_name(void **unused) {
  tt_test_cert leaf;
  tt_test_cert_make(&leaf, &ca, "other.example", "DNS:other.example",
                    now() - DAY, now() + DAY);
  expect_cert_failure("api.internal", &leaf, NULL,
                      "certificate is for other.example, not api.internal");
  tt_test_cert_free(&leaf);
}

static void test_other_names_are_bounded(void **unused) {
  tt_test_cert leaf;
  tt_test_cert_make(&leaf, &ca, "a1.example",
                    "DNS:a1.example,DNS:a2.example,IP:192.0.2.7,DNS:a4.example,"
                    "DNS:a5.example,DNS:a6.example",
                    now() - DAY, now() + DAY);
  expect_cert_failure("api.internal", &leaf, NULL,
                      "certificate is for a1.example, a2.example, 192.0.2.7, "
                      "a4.example and 2 more, not api.internal");
  tt_test_cert_free(&leaf);
}

static void test_name_only_in_common_name(void **unused) {
  tt_test_cert leaf;
  tt_test_cert_make(&leaf, &ca, "legacy.example", NULL, now() - DAY,
                    now() + DAY);
  expect_cert_failure("api.internal", &leaf, NULL,
                      "certificate is for legacy.example, not api.internal");
  tt_test_cert_free(&leaf);
  /* Neither: it names no host at all. */
  tt_test_cert_make(&leaf, &ca, NULL, NULL, now() - DAY, now() + DAY);
  expect_cert_failure("api.internal", &leaf, NULL,
                      "certificate names no host, not api.internal");
  tt_test_cert_free(&leaf);
}

static void test_wildcard(void **unused) {
  tt_test_cert leaf;
  char detail[TT_TLS_DETAIL];

  tt_test_cert_make(&leaf, &ca, "*.api.internal", "DNS:*.api.internal",
                    now() - DAY, now() + DAY);
  assert_int_equal(handshake("www.api.internal", false, &leaf, NULL, detail,
                             sizeof(detail)), 0);
  /* A wildcard stands for one label, never for none. */
  expect_cert_failure("api.internal", &leaf, NULL,
                      "certificate is for *.api.internal, not api.internal");
  expect_cert_failure("a.www.api.internal", &leaf, NULL,
                      "certificate is for *.api.internal, not "
                      "a.www.api.internal");
  tt_test_cert_free(&leaf);
}

static void test_unknown_ca(void **unused) {
  tt_test_cert leaf;
  tt_test_cert_make(&leaf, &other_ca, "api.internal", "DNS:api.internal",
                    now() - DAY, now() + DAY);
  expect_cert_failure("api.internal", &leaf, NULL, "unknown CA");
  /* The server sending its own root changes nothing: it is not trusted. */
  expect_cert_failure("api.internal", &leaf, &other_ca, "unknown CA");
  tt_test_cert_free(&leaf);
}

static void test_chain_through_an_intermediate(void **unused) {
  tt_test_cert inter, leaf;
  tt_tls_info info;
  pair p;

  tt_test_ca_issued(&inter, &ca, "Tether Intermediate", now() - DAY,
                    now() + 90 * DAY);
  tt_test_cert_make(&leaf, &inter, "api.internal", "DNS:api.internal",
                    now() - DAY, now() + 30 * DAY);
  pair_start(&p, ctx, "api.internal", false, &leaf, &inter);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_int_equal(tt_tls_info_get(p.client, &info), 0);
  assert_true(info.trusted);
  assert_string_equal(info.issuer, "CN=Tether Intermediate");
  pair_free(&p);
  /* Without the intermediate, nothing leads to a trusted CA. */
  expect_cert_failure("api.internal", &leaf, NULL, "unknown CA");
  tt_test_cert_free(&leaf);
  tt_test_cert_free(&inter);
}

static void test_expired_issuer_is_named(void **unused) {
  tt_test_cert inter, leaf;

  /* An intermediate that expired, above a certificate that is fine. */
  tt_test_ca_issued(&inter, &ca, "Old Intermediate", EXPIRED_AT - 365 * DAY,
                    EXPIRED_AT);
  tt_test_cert_make(&leaf, &inter, "api.internal", "DNS:api.internal",
                    now() - DAY, now() + 30 * DAY);
  expect_cert_failure("api.internal", &leaf, &inter,
                      "issuer certificate expired on 2020-11-20");
  tt_test_cert_free(&leaf);
  tt_test_cert_free(&inter);
}

/* ---- insecure ---- */

static void test_insecure_reports_without_failing(void **unused) {
  tt_test_cert leaf;
  tt_tls_info info;
  pair p;

  tt_test_cert_make(&leaf, &other_ca, "other.example", "DNS:other.example",
                    EXPIRED_AT - 365 * DAY, EXPIRED_AT);
  pair_start(&p, ctx, "api.internal", true, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_NONE);
  assert_int_equal(tt_tls_info_get(p.client, &info), 0);
  assert_false(info.judged);
  assert_false(info.trusted);
  /* Verification stops at the first thing wrong: the issuer. */
  assert_string_equal(info.verdict, "unknown CA");
  assert_string_equal(info.subject, "CN=other.example");
  assert_int_equal(info.not_after, EXPIRED_AT);
  pair_free(&p);
  tt_test_cert_free(&leaf);

  tt_test_cert_make(&leaf, &ca, "api.internal", "DNS:api.internal",
                    EXPIRED_AT - 365 * DAY, EXPIRED_AT);
  pair_start(&p, ctx, "api.internal", true, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_int_equal(tt_tls_info_get(p.client, &info), 0);
  assert_string_equal(info.verdict, "certificate expired on 2020-11-20");
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_facts_of_a_rejected_certificate(void **unused) {
  tt_test_cert leaf;
  tt_tls_info info;
  pair p;

  tt_test_cert_make(&leaf, &ca, "api.internal", "DNS:api.internal",
                    EXPIRED_AT - 365 * DAY, EXPIRED_AT);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), TT_TLS_FAILED);
  /* The certificate came: what it says is there to show. */
  assert_int_equal(tt_tls_info_get(p.client, &info), 0);
  assert_string_equal(info.version, "");
  assert_string_equal(info.subject, "CN=api.internal");
  assert_int_equal(info.not_after, EXPIRED_AT);
  assert_true(info.judged);
  assert_false(info.trusted);
  assert_string_equal(info.verdict, "certificate expired on 2020-11-20");
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

/* ---- the peer ---- */

static void expect_not_tls(const char *said, size_t step) {
  tt_tls *t = tt_tls_new(ctx, "api.internal", false);
  size_t len = strlen(said), fed = 0;
  char hello[2];

  assert_non_null(t);
  assert_int_equal(tt_tls_handshake(t), TT_TLS_AGAIN);
  /* The ClientHello is a TLS record: handshake, version 3.x. */
  assert_true(tt_tls_pending_out(t) > 5);
  assert_int_equal(tt_tls_take_out(t, hello, 2), 2);
  assert_int_equal(hello[0], 22);
  assert_int_equal(hello[1], 3);
  while (fed < len) {
    size_t n = len - fed < step ? len - fed : step;
    assert_int_equal(tt_tls_feed(t, said + fed, n), 0);
    fed += n;
    if (tt_tls_handshake(t) == TT_TLS_FAILED)
      break;
  }
  assert_int_equal(tt_tls_handshake(t), TT_TLS_FAILED);
  assert_int_equal(tt_tls_failure_of(t), TT_TLS_FAIL_NOT_TLS);
  assert_string_equal(tt_tls_detail(t), "peer is not speaking TLS");
  /* Known at the first read. */
  assert_int_equal(fed, step < len ? step : len);
  tt_tls_free(t);
}

static void test_plain_text_peer(void **unused) {
  expect_not_tls("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n", 4096);
  expect_not_tls("SSH-2.0-x\r\n", 4096);
  expect_not_tls("220 mail.example ESMTP\r\n", 1);
  /* A first byte that could be TLS's, then one that is not. */
  tt_tls *t = tt_tls_new(ctx, "api.internal", false);
  assert_int_equal(tt_tls_handshake(t), TT_TLS_AGAIN);
  assert_int_equal(tt_tls_feed(t, "\x16", 1), 0);
  assert_int_equal(tt_tls_handshake(t), TT_TLS_AGAIN);
  assert_int_equal(tt_tls_feed(t, "\x01\x00", 2), 0);
  assert_int_equal(tt_tls_handshake(t), TT_TLS_FAILED);
  assert_string_equal(tt_tls_detail(t), "peer is not speaking TLS");
  tt_tls_free(t);
}

static void test_alert_protocol_version(void **unused) {
  tt_test_cert leaf;
  tt_tls_ctx *old;
  char err[256];
  pair p;

  /* A client capped at TLS 1.2 against a server that speaks only 1.3. */
  assert_int_equal(tt_tls_ctx_new(ca_path, &old, err, sizeof(err)), 0);
  SSL_CTX_set_max_proto_version(tt_tls_ctx_openssl(old), TLS1_2_VERSION);
  good_cert(&leaf);
  pair_start(&p, old, "api.internal", false, &leaf, NULL);
  SSL_set_min_proto_version(p.server.ssl, TLS1_3_VERSION);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), TT_TLS_FAILED);
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_ALERT);
  assert_string_equal(tt_tls_detail(p.client),
                      "handshake failure: alert protocol_version");
  pair_free(&p);
  tt_tls_ctx_free(old);
  tt_test_cert_free(&leaf);
}

static void test_alert_unrecognized_name(void **unused) {
  tt_test_cert leaf;
  pair p;

  /* A server that serves only the names it knows (strict SNI). */
  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  p.server.only_sni = "www.api.internal";
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), TT_TLS_FAILED);
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_ALERT);
  assert_string_equal(tt_tls_detail(p.client),
                      "handshake failure: alert unrecognized_name");
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_server_older_than_tls12(void **unused) {
  tt_test_cert leaf;
  char detail[TT_TLS_DETAIL];
  pair p;

  /* A server that speaks nothing newer than TLS 1.1 says so. */
  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  SSL_set_security_level(p.server.ssl, 0);
  SSL_set_min_proto_version(p.server.ssl, TLS1_VERSION);
  SSL_set_max_proto_version(p.server.ssl, TLS1_1_VERSION);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), TT_TLS_FAILED);
  snprintf(detail, sizeof(detail), "%s", tt_tls_detail(p.client));
  assert_string_equal(detail, "handshake failure: alert protocol_version");
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_ALERT);
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

/* ---- bytes, split and joined ---- */

static void test_handshake_waits_for_bytes(void **unused) {
  tt_test_cert leaf;
  char buf[16384];
  size_t n;
  pair p;

  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  /* Nothing is sent before the first call, the ClientHello after it. */
  assert_int_equal(tt_tls_pending_out(p.client), 0);
  assert_int_equal(tt_tls_handshake(p.client), TT_TLS_AGAIN);
  assert_true(tt_tls_pending_out(p.client) > 0);
  /* Asking again without new bytes sends nothing more. */
  n = tt_tls_take_out(p.client, buf, sizeof(buf));
  assert_int_equal(tt_tls_handshake(p.client), TT_TLS_AGAIN);
  assert_int_equal(tt_tls_pending_out(p.client), 0);

  /* The server's flight, fed one byte at a time. */
  assert_int_equal(BIO_write(p.server.in, buf, (int)n), (int)n);
  assert_int_equal(SSL_do_handshake(p.server.ssl), -1);
  int got = BIO_read(p.server.out, buf, sizeof(buf));
  assert_true(got > 100);
  for (int i = 0; i < got - 1; i++) {
    assert_int_equal(tt_tls_feed(p.client, buf + i, 1), 0);
    assert_int_equal(tt_tls_handshake(p.client), TT_TLS_AGAIN);
  }
  /* A close now (the transport's EOF) would be the caller's eof: the
   * session has not failed. */
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_NONE);
  assert_int_equal(tt_tls_feed(p.client, buf + got - 1, 1), 0);
  assert_int_equal(tt_tls_handshake(p.client), 0);
  /* The client's Finished, for the server. */
  assert_true(tt_tls_pending_out(p.client) > 0);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_true(p.server.done);
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_ping_and_pong(void **unused) {
  tt_test_cert leaf;
  char buf[256];
  pair p;

  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_int_equal(tt_tls_read(p.client, buf, sizeof(buf)), TT_TLS_AGAIN);

  assert_int_equal(tt_tls_write(p.client, "PING\r\n", 6), 0);
  assert_true(tt_tls_pending_out(p.client) > 6);
  tt_test_tls_shuttle(p.client, &p.server);
  assert_int_equal(tt_test_server_read(&p.server, buf, sizeof(buf)), 6);
  assert_string_equal(buf, "PING\r\n");

  tt_test_server_write(&p.server, "+PONG\r\n");
  tt_test_server_write(&p.server, "+PONG\r\n");
  tt_test_tls_shuttle(p.client, &p.server);
  /* Two records, read as they come. */
  size_t used = 0;
  ssize_t n;
  while ((n = tt_tls_read(p.client, buf + used, sizeof(buf) - 1 - used)) > 0)
    used += (size_t)n;
  assert_int_equal(n, TT_TLS_AGAIN);
  buf[used] = '\0';
  assert_string_equal(buf, "+PONG\r\n+PONG\r\n");
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_close_notify_both_ways(void **unused) {
  tt_test_cert leaf;
  char buf[64];
  pair p;

  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);

  /* Ours: the server reads it as the end. */
  assert_int_equal(tt_tls_shutdown(p.client), 0);
  assert_true(tt_tls_pending_out(p.client) > 0);
  tt_test_tls_shuttle(p.client, &p.server);
  assert_int_equal(tt_test_server_read(&p.server, buf, sizeof(buf)), -1);

  /* The server's: the client reads it as the end, after what came first. */
  tt_test_server_write(&p.server, "bye\n");
  assert_int_equal(SSL_shutdown(p.server.ssl), 1);
  tt_test_tls_shuttle(p.client, &p.server);
  assert_int_equal(tt_tls_read(p.client, buf, sizeof(buf)), 4);
  assert_int_equal(tt_tls_read(p.client, buf, sizeof(buf)), TT_TLS_CLOSED);
  assert_int_equal(tt_tls_read(p.client, buf, sizeof(buf)), TT_TLS_CLOSED);
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_NONE);
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_shutdown_before_the_handshake_sends_nothing(void **unused) {
  tt_tls *t = tt_tls_new(ctx, "api.internal", false);
  assert_int_equal(tt_tls_handshake(t), TT_TLS_AGAIN);
  char buf[4096];
  tt_tls_take_out(t, buf, sizeof(buf));
  assert_int_equal(tt_tls_shutdown(t), 0);
  assert_int_equal(tt_tls_pending_out(t), 0);
  tt_tls_free(t);
}

static void test_alert_after_the_handshake(void **unused) {
  tt_test_cert leaf;
  char buf[64];
  pair p;

  good_cert(&leaf);
  pair_start(&p, ctx, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  /* A fatal alert in the middle of the data: a record that was
   * tampered with makes the client send bad_record_mac. Here the server
   * garbles its own record on the way. */
  tt_test_server_write(&p.server, "+PONG\r\n");
  int n = BIO_read(p.server.out, buf, sizeof(buf));
  assert_true(n > 10);
  buf[n - 1] ^= 1;
  assert_int_equal(tt_tls_feed(p.client, buf, (size_t)n), 0);
  assert_int_equal(tt_tls_read(p.client, buf, sizeof(buf)), TT_TLS_FAILED);
  assert_int_equal(tt_tls_failure_of(p.client), TT_TLS_FAIL_PROTOCOL);
  assert_string_equal(tt_tls_detail(p.client), "TLS failure: decryption failed or bad record mac");
  pair_free(&p);
  tt_test_cert_free(&leaf);
}

int main(void) {
  tt_test_openssl_count();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_handshake_with_the_right_ca),
    cmocka_unit_test(test_facts_are_the_certificates),
    cmocka_unit_test(test_tls12_server),
    cmocka_unit_test(test_sni_is_the_server_name),
    cmocka_unit_test(test_ip_literal_checks_the_ip_san_without_sni),
    cmocka_unit_test(test_expired),
    cmocka_unit_test(test_not_yet_valid),
    cmocka_unit_test(test_self_signed),
    cmocka_unit_test(test_other_name),
    cmocka_unit_test(test_other_names_are_bounded),
    cmocka_unit_test(test_name_only_in_common_name),
    cmocka_unit_test(test_wildcard),
    cmocka_unit_test(test_unknown_ca),
    cmocka_unit_test(test_chain_through_an_intermediate),
    cmocka_unit_test(test_expired_issuer_is_named),
    cmocka_unit_test(test_insecure_reports_without_failing),
    cmocka_unit_test(test_facts_of_a_rejected_certificate),
    cmocka_unit_test(test_plain_text_peer),
    cmocka_unit_test(test_alert_protocol_version),
    cmocka_unit_test(test_alert_unrecognized_name),
    cmocka_unit_test(test_server_older_than_tls12),
    cmocka_unit_test(test_handshake_waits_for_bytes),
    cmocka_unit_test(test_ping_and_pong),
    cmocka_unit_test(test_close_notify_both_ways),
    cmocka_unit_test(test_shutdown_before_the_handshake_sends_nothing),
    cmocka_unit_test(test_alert_after_the_handshake),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
