/* test_tls_cost.c - TLS contexts and what a session costs, without a
 * network: ca_file checks, the system's CAs, days left, OpenSSL's memory
 * per session (counted) and nothing left when sessions go. The handshake
 * and its failures: test_tls.c. */
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

static tt_test_pki pki;

static int group_setup(void **unused) {
  return tt_test_pki_setup(&pki);
}

static int group_teardown(void **unused) {
  tt_test_pki_teardown(&pki);
  return 0;
}

/* ---- contexts ---- */

static void test_ca_file_checks(void **unused) {
  char err[256], path[64];
  tt_tls_ctx *c = NULL;

  assert_int_equal(tt_tls_ca_check(pki.ca_path, err, sizeof(err)), 0);
  assert_int_equal(tt_tls_ca_check("/nonexistent/ca.pem", err, sizeof(err)),
                   -1);
  assert_string_equal(err,
                      "cannot read /nonexistent/ca.pem: No such file or directory");
  assert_int_equal(tt_tls_ca_check("/", err, sizeof(err)), -1);
  assert_string_equal(err, "cannot read /: Is a directory");

  snprintf(path, sizeof(path), "/tmp/tether-ca-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "hello\n", 6), 6);
  close(fd);
  assert_int_equal(tt_tls_ca_check(path, err, sizeof(err)), -1);
  char want[256];
  snprintf(want, sizeof(want), "%s holds no PEM certificate (BEGIN CERTIFICATE)",
           path);
  assert_string_equal(err, want);
  /* The context refuses it with the same words. */
  assert_int_equal(tt_tls_ctx_new(path, &c, err, sizeof(err)), -1);
  assert_null(c);
  assert_string_equal(err, want);

  fd = open(path, O_WRONLY | O_TRUNC);
  assert_true(fd >= 0);
  const char *broken = "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n"
                       "-----END CERTIFICATE-----\n";
  assert_int_equal(write(fd, broken, strlen(broken)), (ssize_t)strlen(broken));
  close(fd);
  assert_int_equal(tt_tls_ca_check(path, err, sizeof(err)), -1);
  snprintf(want, sizeof(want), "%s is not a PEM certificate file: ", path);
  assert_memory_equal(err, want, strlen(want));
  unlink(path);
  assert_int_equal(ERR_peek_error(), 0);
}

/* Without a ca_file, the system's CAs: OpenSSL's default paths, which
 * SSL_CERT_FILE overrides (so that the test does not depend on the
 * machine's bundle). */
static void test_system_cas(void **unused) {
  tt_tls_ctx *sys;
  char err[256];
  tt_test_cert leaf;
  tt_test_pair p;

  tt_test_pki_good_cert(&pki, &leaf);
  setenv("SSL_CERT_FILE", pki.ca_path, 1);
  assert_int_equal(tt_tls_ctx_new(NULL, &sys, err, sizeof(err)), 0);
  unsetenv("SSL_CERT_FILE");
  tt_test_pair_start(&p, sys, "api.internal", false, &leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  tt_test_pair_free(&p);
  tt_tls_ctx_free(sys);

  /* The test's CA is not among the machine's own. */
  assert_int_equal(tt_tls_ctx_new(NULL, &sys, err, sizeof(err)), 0);
  tt_test_pair_start(&p, sys, "api.internal", false, &leaf, NULL);
  /* A context may go before its sessions. */
  tt_tls_ctx_free(sys);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), TT_TLS_FAILED);
  assert_string_equal(tt_tls_detail(p.client), "unknown CA");
  tt_test_pair_free(&p);
  tt_test_cert_free(&leaf);
}

static void test_days_left(void **unused) {
  assert_int_equal(tt_tls_days_left(1000 + 5 * DAY, 1000), 5);
  assert_int_equal(tt_tls_days_left(1000 + 5 * DAY - 1, 1000), 4);
  assert_int_equal(tt_tls_days_left(1000, 1000), 0);
  assert_int_equal(tt_tls_days_left(999, 1000), -1);
  assert_int_equal(tt_tls_days_left(1000 - DAY, 1000), -1);
  assert_int_equal(tt_tls_days_left(1000 - DAY - 1, 1000), -2);
}

/* ---- cost ---- */

/* What a client session holds once idle: the bytes freed with it after
 * its server is gone. After the handshake (and the read that follows it,
 * which takes TLS 1.3's session tickets), after a ping and its pong, or
 * after a reply of 48 KiB that came in one read. */
enum { AFTER_HANDSHAKE, AFTER_PONG, AFTER_BIG_REPLY };

static size_t idle_cost(const tt_test_cert *leaf, int when) {
  static char big[48 * 1024 + 1];
  char buf[4096];
  size_t before, got = 0;
  ssize_t n;
  tt_test_pair p;

  tt_test_pair_start(&p, pki.ctx, "api.internal", false, leaf, NULL);
  assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
  assert_int_equal(tt_tls_read(p.client, buf, sizeof(buf)), TT_TLS_AGAIN);
  if (when != AFTER_HANDSHAKE) {
    assert_int_equal(tt_tls_write(p.client, "PING\r\n", 6), 0);
    tt_test_tls_shuttle(p.client, &p.server);
    assert_int_equal(tt_test_server_read(&p.server, buf, sizeof(buf)), 6);
    if (when == AFTER_BIG_REPLY) {
      memset(big, 'x', sizeof(big) - 1);
      tt_test_server_write(&p.server, big);
    } else {
      tt_test_server_write(&p.server, "+PONG\r\n");
    }
    tt_test_tls_shuttle(p.client, &p.server);
    while ((n = tt_tls_read(p.client, buf, sizeof(buf))) > 0)
      got += (size_t)n;
    assert_int_equal(n, TT_TLS_AGAIN);
    assert_int_equal(got, when == AFTER_BIG_REPLY ? sizeof(big) - 1 : 7);
  }
  tt_test_server_free(&p.server);
  SSL_CTX_free(p.server_ctx);
  before = tt_test_openssl_live();
  tt_tls_free(p.client);
  return before - tt_test_openssl_live();
}

static void test_memory_per_session(void **unused) {
  tt_test_cert leaf;
  size_t before, hello, idle, pong, big, ctx_cost, sys_cost;
  tt_tls_ctx *c;
  tt_tls *t;
  char err[256];

  tt_test_pki_good_cert(&pki, &leaf);
  /* A first handshake fills OpenSSL's lazily made tables. */
  idle_cost(&leaf, AFTER_PONG);

  before = tt_test_openssl_live();
  t = tt_tls_new(pki.ctx, "api.internal", false);
  assert_int_equal(tt_tls_handshake(t), TT_TLS_AGAIN);
  hello = tt_test_openssl_live() - before;
  tt_tls_free(t);
  idle = idle_cost(&leaf, AFTER_HANDSHAKE);
  pong = idle_cost(&leaf, AFTER_PONG);
  big = idle_cost(&leaf, AFTER_BIG_REPLY);

  before = tt_test_openssl_live();
  assert_int_equal(tt_tls_ctx_new(pki.ca_path, &c, err, sizeof(err)), 0);
  ctx_cost = tt_test_openssl_live() - before;
  tt_tls_ctx_free(c);
  before = tt_test_openssl_live();
  assert_int_equal(tt_tls_ctx_new(NULL, &c, err, sizeof(err)), 0);
  sys_cost = tt_test_openssl_live() - before;
  tt_tls_ctx_free(c);

  print_message("TLS memory (OpenSSL's allocations, bytes): a session at "
                "its ClientHello %zu, idle after its handshake %zu, after "
                "a pong %zu, after a 48 KiB reply %zu; a context with one "
                "CA %zu, with the system's CAs %zu\n",
                hello, idle, pong, big, ctx_cost, sys_cost);
  /* A session waiting for its server's first answer, then an idle one,
   * keep neither OpenSSL's record buffers (17 KiB each) nor the largest
   * read they ever had. */
  assert_true(hello < 48 * 1024);
  assert_true(idle < 24 * 1024);
  assert_true(pong < 24 * 1024);
  assert_true(big < 24 * 1024);
  tt_test_cert_free(&leaf);
}

/* Sessions come and go without memory piling up: a session that kept
 * anything would show 32 times over. (OpenSSL's error queue keeps up to
 * 16 small strings per thread; LSan in the ASan build sees the rest.) */
static void test_sessions_leave_nothing(void **unused) {
  tt_test_cert leaf;
  size_t before = 0;
  char buf[64];

  tt_test_pki_good_cert(&pki, &leaf);
  for (int i = 0; i <= 32; i++) {
    tt_test_pair p;
    if (i == 1)
      before = tt_test_openssl_live();
    tt_test_pair_start(&p, pki.ctx, "api.internal", false, &leaf, NULL);
    assert_int_equal(tt_test_tls_pump(p.client, &p.server), 0);
    assert_int_equal(tt_tls_write(p.client, "PING\r\n", 6), 0);
    assert_int_equal(tt_tls_shutdown(p.client), 0);
    tt_test_tls_shuttle(p.client, &p.server);
    assert_int_equal(tt_test_server_read(&p.server, buf, sizeof(buf)), 6);
    tt_test_pair_free(&p);
  }
  assert_true(tt_test_openssl_live() < before + 8 * 1024);
  tt_test_cert_free(&leaf);
}

int main(void) {
  tt_test_openssl_count();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ca_file_checks),
    cmocka_unit_test(test_system_cas),
    cmocka_unit_test(test_days_left),
    cmocka_unit_test(test_memory_per_session),
    cmocka_unit_test(test_sessions_leave_nothing),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
