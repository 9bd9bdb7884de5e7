/* test_probe.c - connect-mode probes, the presets against small fakes of
 * their protocols, statuses judged in each protocol, and addresses, all
 * against real fault servers on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd.h"
#include "harness.h"
#include "support.h"

#define FAST TT_H_FAST

static const tt_rec *hb(const tt_harness *h, size_t i) {
  return tt_h_hb(h, 0, i);
}

/* One target at port of server f, with a preset and extra YAML lines. */
static void target(tt_harness *h, const tt_fault *f, const char *preset,
                   const char *extra) {
  tt_h_config(h,
              "defaults:\n  " FAST
              "targets:\n  - address: 127.0.0.1:%u\n    preset: %s\n%s",
              tt_fault_port(f), preset, extra ? extra : "");
}

/* ---- addresses ------------------------------------------------------------ */

static void test_ipv6_loopback(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .host = "::1" };
  tt_fault *f;
  if (tt_fault_start(&h.loop, &o, &f) != 0) {
    uv_loop_close(&h.loop);
    skip(); /* no IPv6 on this machine */
  }
  h.faults[h.nfaults++] = f;
  tt_h_config(&h, "targets:\n  - address: \"[::1]:%u\"\n    preset: redis\n",
              tt_fault_port(f));
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_OK);
  assert_string_equal(hb(&h, 0)->ip, "::1");
  tt_h_teardown(&h);
}

static void test_name_is_resolved(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_h_config(&h,
              "targets:\n  - address: localhost:%u\n    preset: redis\n"
              "    family: ipv4\n",
              tt_fault_port(f));
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_OK);
  assert_string_equal(hb(&h, 0)->ip, "127.0.0.1");
  tt_h_teardown(&h);
}

/* Names answered by a name server of the test's own. */
static const tt_dnsd_name names[] = {
  { "both.test", TT_DNSD_ANSWER, "::1 127.0.0.1" },
  { "v4.test", TT_DNSD_ANSWER, "127.0.0.1" },
  { "hangs.test", TT_DNSD_SILENT, NULL },
};

static void with_dns(tt_harness *h, tt_dnsd *d) {
  assert_int_equal(tt_dnsd_start(&h->loop, d, names,
                                 sizeof names / sizeof names[0]), 0);
  tt_dnsd_address(d, h->dns_servers, sizeof h->dns_servers);
}

/* A server on one of a name's two addresses: whichever it is, the
 * connection finds it, and ip says which. */
static void check_every_address(const char *host, const char *want_ip) {
  tt_harness h;
  tt_dnsd d;
  tt_h_setup(&h);
  with_dns(&h, &d);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .host = host };
  tt_fault *f;
  if (tt_fault_start(&h.loop, &o, &f) != 0) {
    tt_dnsd_close(&d);
    tt_test_loop_close(&h.loop);
    skip(); /* no IPv6 on this machine */
  }
  h.faults[h.nfaults++] = f;
  tt_h_config(&h, "defaults:\n  " FAST
              "targets:\n  - address: both.test:%u\n    preset: redis\n",
              tt_fault_port(f));
  tt_h_run(&h, 2, 10000);
  for (size_t i = 0; i < 2; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_OK);
    assert_string_equal(hb(&h, i)->ip, want_ip);
  }
  tt_dnsd_close(&d);
  tt_h_teardown(&h);
}

static void test_every_address_server_on_ipv4_only(void **unused) {
  check_every_address("127.0.0.1", "127.0.0.1");
}

static void test_every_address_server_on_ipv6_only(void **unused) {
  check_every_address("::1", "::1");
}

/* Nothing on either address: the detail names each one's result. */
static void test_every_address_failing_names_each(void **unused) {
  tt_harness h;
  tt_dnsd d;
  tt_h_setup(&h);
  with_dns(&h, &d);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h, "defaults:\n  " FAST
              "targets:\n  - address: both.test:%u\n    preset: redis\n",
              tt_fault_port(f));
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_REFUSED);
  assert_string_equal(hb(&h, 0)->error,
                      "::1: connection refused; 127.0.0.1: connection refused");
  tt_dnsd_close(&d);
  tt_h_teardown(&h);
}

/* A name whose server never answers: class dns at connect_timeout. */
static void test_lookup_deadline(void **unused) {
  tt_harness h;
  tt_dnsd d;
  tt_h_setup(&h);
  with_dns(&h, &d);
  tt_h_config(&h, "defaults:\n  " FAST
              "targets:\n  - address: hangs.test:1\n    preset: redis\n");
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_DNS);
  assert_string_equal(hb(&h, 0)->error, "name not resolved within 300 ms");
  assert_true(tt_dnsd_queries(&d, "hangs.test") >= 1);
  tt_dnsd_close(&d);
  tt_h_teardown(&h);
}

/* Connect probes look a name up once for many probes while its addresses
 * keep working. */
static void test_lookup_is_cached(void **unused) {
  tt_harness h;
  tt_dnsd d;
  tt_h_setup(&h);
  with_dns(&h, &d);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_SILENT);
  tt_h_config(&h, "defaults:\n  " FAST
              "targets:\n  - address: v4.test:%u\n", tt_fault_port(f));
  tt_h_run(&h, 4, 10000);
  for (size_t i = 0; i < 4; i++)
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_OK);
  assert_int_equal(tt_fault_accepted(f), 4);
  /* One lookup: its A and AAAA queries. */
  assert_int_equal(tt_dnsd_queries(&d, "v4.test"), 2);
  tt_dnsd_close(&d);
  tt_h_teardown(&h);
}

/* ---- connect mode --------------------------------------------------------- */

static void test_connect_mode_times_the_handshake(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_SILENT);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n  - address: 127.0.0.1:%u\n",
              tt_fault_port(f));
  tt_h_run(&h, 3, 10000);
  assert_int_equal(h.cfg.targets[0].mode, TT_MODE_CONNECT);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_OK);
    assert_int_equal(hb(&h, i)->seq, i + 1);
    assert_true(hb(&h, i)->rtt_us > 0 && hb(&h, i)->rtt_us < 150000);
    /* Nothing was expected: there is no reply to time. */
    assert_false(hb(&h, i)->has_reply);
  }
  /* A fresh connection each time, one per slot of the interval: never
   * early; late only by what a loaded machine adds. */
  assert_int_equal(tt_fault_accepted(f), 3);
  uint64_t gap = hb(&h, 2)->at_ms - hb(&h, 1)->at_ms;
  if (gap < 295 || gap > 300 + 150)
    fail_msg("probes %llu ms apart, not 300", (unsigned long long)gap);
  tt_h_teardown(&h);
}

static void test_connect_mode_refused(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n  - address: 127.0.0.1:%u\n",
              tt_fault_port(f));
  tt_h_run(&h, 2, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_REFUSED);
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_REFUSED);
  tt_h_assert_change(tt_h_change(&h, 0, 0), TT_STATE_CONNECTING,
                     TT_STATE_DOWN, TT_CLASS_REFUSED);
  tt_h_teardown(&h);
}

static void test_connect_mode_banner_mismatch(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .banner = "HELLO\r\n" };
  target(&h, tt_h_fault(&h, &o), "ssh", NULL);
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_PROTOCOL);
  assert_string_equal(hb(&h, 0)->error, "greeting did not match ^SSH-: HELLO");
  tt_h_teardown(&h);
}

/* With expect, the probe waits for the reply: rtt_us stays the handshake,
 * reply_us is the wait from the send to the reply. */
static void test_connect_mode_times_the_reply_apart(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_SLOW, .delay_ms = 80 };
  tt_fault *f = tt_h_fault(&h, &o);
  tt_h_config(&h,
              "defaults:\n  " FAST
              "targets:\n  - address: 127.0.0.1:%u\n    mode: connect\n"
              "    send: \"PING\\r\\n\"\n    expect: \"^\\\\+PONG\"\n",
              tt_fault_port(f));
  tt_h_run(&h, 2, 10000);
  for (size_t i = 0; i < 2; i++) {
    const tt_rec *r = hb(&h, i);
    assert_int_equal(r->cls, TT_CLASS_OK);
    assert_true(r->has_reply);
    assert_true(r->reply_us >= 80000 && r->reply_us < 150000);
    assert_true(r->rtt_us < 80000);
  }
  assert_int_equal(tt_fault_requests(f), 2);
  tt_h_teardown(&h);
}

/* A process that is frozen (SIGSTOP) still has its handshakes completed by
 * the kernel: only the wait for its banner shows it. */
static void test_connect_mode_sees_a_frozen_server(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  target(&h, tt_h_serve(&h, TT_FAULT_SILENT), "ssh", NULL);
  tt_h_run(&h, 2, 10000);
  for (size_t i = 0; i < 2; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_TIMEOUT);
    assert_string_equal(hb(&h, i)->error, "no reply within 150 ms");
  }
  assert_int_equal(tt_engine_view(h.engine, 0)->state, TT_STATE_DOWN);
  tt_h_teardown(&h);
}

static void test_connect_mode_eof_before_the_reply(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_CLOSE };
  tt_fault *f = tt_h_fault(&h, &o);
  tt_h_config(&h,
              "defaults:\n  " FAST
              "targets:\n  - address: 127.0.0.1:%u\n    mode: connect\n"
              "    send: \"x\\n\"\n    expect: \"^ok\"\n",
              tt_fault_port(f));
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_EOF);
  assert_string_equal(hb(&h, 0)->error,
                      "peer closed the connection before replying");
  tt_h_teardown(&h);
}

/* Lines before the greeting are skipped, but not without end: max_reply
 * bytes of them is a protocol failure naming the last one. */
static void test_greeting_longer_than_max_reply(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND,
                      .banner = "0123456789\r\n0123456789\r\nabcdefghij\r\n"
                                "SSH-2.0-late\r\n" };
  target(&h, tt_h_fault(&h, &o), "ssh", "    max_reply: 30\n");
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_PROTOCOL);
  assert_string_equal(hb(&h, 0)->error,
                      "greeting did not match ^SSH-: abcdefghij");
  tt_h_teardown(&h);
}

/* ---- presets against small fakes of their protocols ----------------------- */

typedef struct seen {
  const tt_fault *f;
  uint64_t want;
} seen;

static bool seen_enough(void *arg) {
  const seen *s = arg;
  return tt_fault_requests(s->f) >= s->want;
}

typedef struct fake {
  const char *preset;
  tt_fault_kind kind;
  const char *banner, *reply, *request_end;
  uint64_t requests_per_probe; /* what the fake must have read per probe */
} fake;

static void run_preset(const fake *fk) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = {
    .kind = fk->kind,
    .banner = fk->banner,
    .reply = fk->reply,
    .request_end = fk->request_end,
  };
  tt_fault *f = tt_h_fault(&h, &o);
  target(&h, f, fk->preset, NULL);
  tt_h_run(&h, 2, 10000);
  for (size_t i = 0; i < 2; i++) {
    if (hb(&h, i)->cls != TT_CLASS_OK)
      fail_msg("preset %s: heartbeat %zu is %s: %s", fk->preset, i + 1,
               tt_class_name(hb(&h, i)->cls), hb(&h, i)->error);
  }
  assert_int_equal(tt_engine_view(h.engine, 0)->state, TT_STATE_UP);
  if (fk->requests_per_probe > 0) {
    /* The goodbye (QUIT, our SSH identification) reached the server. */
    seen s = { f, 2 * fk->requests_per_probe };
    tt_test_run_until_fn(&h.loop, seen_enough, &s, 5000);
    assert_int_equal(tt_fault_requests(f), 2 * fk->requests_per_probe);
  }
  tt_h_teardown(&h);
}

static void test_preset_tcp(void **unused) {
  run_preset(&(fake){ "tcp", TT_FAULT_SILENT, NULL, NULL, NULL, 0 });
}
static void test_preset_echo(void **unused) {
  run_preset(&(fake){ "echo", TT_FAULT_ECHO, NULL, NULL, NULL, 0 });
}
static void test_preset_redis(void **unused) {
  run_preset(&(fake){ "redis", TT_FAULT_RESPOND, NULL, "+PONG\r\n", NULL, 0 });
}
static void test_preset_memcached(void **unused) {
  run_preset(&(fake){ "memcached", TT_FAULT_RESPOND, NULL,
                      "VERSION 1.6.21\r\n", NULL, 0 });
}
static void test_preset_http(void **unused) {
  run_preset(&(fake){ "http", TT_FAULT_RESPOND, NULL,
                      "HTTP/1.1 204 No Content\r\nServer: fake\r\n\r\n",
                      "\r\n\r\n", 0 });
}
static void test_preset_smtp(void **unused) {
  run_preset(&(fake){ "smtp", TT_FAULT_RESPOND, "220 fake ESMTP\r\n",
                      "221 bye\r\n", NULL, 1 });
}
static void test_preset_ssh(void **unused) {
  run_preset(&(fake){ "ssh", TT_FAULT_RESPOND, "SSH-2.0-fake\r\n", "Protocol mismatch.\r\n", NULL,
                      1 });
}
static void test_preset_imap(void **unused) {
  run_preset(&(fake){ "imap", TT_FAULT_RESPOND,
                      "* OK [CAPABILITY IMAP4rev1] ready\r\n",
                      "* BYE\r\na1 OK\r\n", NULL, 1 });
}
static void test_preset_pop3(void **unused) {
  run_preset(&(fake){ "pop3", TT_FAULT_RESPOND, "+OK POP3 ready\r\n",
                      "+OK bye\r\n", NULL, 1 });
}

/* An SMTP greeting over several lines ("220-" continuations) is one
 * greeting. */
static void test_multiline_smtp_greeting(void **unused) {
  run_preset(&(fake){ "smtp", TT_FAULT_RESPOND,
                      "220-mail.example ESMTP\r\n220-no UCE\r\n220 ready\r\n",
                      "221 bye\r\n", NULL, 1 });
}

/* SSH servers may send lines before their version string. */
static void test_ssh_lines_before_the_banner(void **unused) {
  run_preset(&(fake){ "ssh", TT_FAULT_RESPOND,
                      "Welcome to the jump host\r\nSSH-2.0-fake\r\n", "Protocol mismatch.\r\n",
                      NULL, 1 });
}

/* ---- statuses judged in each protocol ------------------------------------ */

typedef struct judged {
  const char *preset;
  const char *banner, *reply, *request_end;
  const char *detail; /* of the unhealthy heartbeat */
} judged;

/* The service answers in its own protocol that it is not well: class
 * unhealthy, the status line quoted; the target is down, yet a persistent
 * connection is kept (the link itself is fine). */
static void run_judged(const judged *j, bool persistent) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .banner = j->banner,
                      .reply = j->reply, .request_end = j->request_end };
  tt_fault *f = tt_h_fault(&h, &o);
  target(&h, f, j->preset, NULL);
  tt_h_run(&h, 3, 10000);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_UNHEALTHY);
    assert_string_equal(hb(&h, i)->error, j->detail);
  }
  tt_h_assert_change(tt_h_change(&h, 0, 0), TT_STATE_CONNECTING,
                     TT_STATE_DOWN, TT_CLASS_UNHEALTHY);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 1);
  assert_int_equal(tt_fault_accepted(f), persistent ? 1 : 3);
  tt_h_teardown(&h);
}

static void test_http_status_outside_the_accepted_is_unhealthy(void **u) {
  run_judged(&(judged){ "http", NULL,
                        "HTTP/1.1 503 Service Unavailable\r\nServer: x\r\n\r\n",
                        "\r\n\r\n",
                        "HTTP/1.1 503 Service Unavailable (accepted: "
                        "200-399)" }, true);
}

static void test_http_400_to_an_https_port_is_unhealthy(void **u) {
  run_judged(&(judged){ "http", NULL,
                        "HTTP/1.1 400 Bad Request\r\n\r\n", "\r\n\r\n",
                        "HTTP/1.1 400 Bad Request (accepted: 200-399)" },
             true);
}

static void test_redis_loading_is_unhealthy(void **u) {
  run_judged(&(judged){ "redis", NULL,
                        "-LOADING Redis is loading the dataset in memory\r\n",
                        NULL,
                        "-LOADING Redis is loading the dataset in memory" },
             true);
}

static void test_smtp_5xx_greeting_is_unhealthy(void **u) {
  run_judged(&(judged){ "smtp", "554 5.3.2 too busy\r\n", "221 bye\r\n", NULL,
                        "554 5.3.2 too busy" }, false);
}

static void test_pop3_err_is_unhealthy(void **u) {
  run_judged(&(judged){ "pop3", "-ERR maintenance\r\n", "+OK\r\n", NULL,
                        "-ERR maintenance" }, false);
}

static void test_imap_bye_is_unhealthy(void **u) {
  run_judged(&(judged){ "imap", "* BYE too many connections\r\n", "\r\n",
                        NULL, "* BYE too many connections" }, false);
}

/* Something that is not the protocol at all stays protocol, quoting it. */
static void test_not_http_at_all_is_protocol(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .reply = "SSH-2.0-x\r\n\r\n",
                      .request_end = "\r\n\r\n" };
  target(&h, tt_h_fault(&h, &o), "http", NULL);
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_PROTOCOL);
  assert_string_equal(hb(&h, 0)->error,
                      "reply did not match ^HTTP/1\\.[01] [0-9]{3}: "
                      "SSH-2.0-x");
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ipv6_loopback),
    cmocka_unit_test(test_name_is_resolved),
    cmocka_unit_test(test_every_address_server_on_ipv4_only),
    cmocka_unit_test(test_every_address_server_on_ipv6_only),
    cmocka_unit_test(test_every_address_failing_names_each),
    cmocka_unit_test(test_lookup_deadline),
    cmocka_unit_test(test_lookup_is_cached),
    cmocka_unit_test(test_connect_mode_times_the_handshake),
    cmocka_unit_test(test_connect_mode_refused),
    cmocka_unit_test(test_connect_mode_banner_mismatch),
    cmocka_unit_test(test_connect_mode_times_the_reply_apart),
    cmocka_unit_test(test_connect_mode_sees_a_frozen_server),
    cmocka_unit_test(test_connect_mode_eof_before_the_reply),
    cmocka_unit_test(test_greeting_longer_than_max_reply),
    cmocka_unit_test(test_preset_tcp),
    cmocka_unit_test(test_preset_echo),
    cmocka_unit_test(test_preset_redis),
    cmocka_unit_test(test_preset_memcached),
    cmocka_unit_test(test_preset_http),
    cmocka_unit_test(test_preset_smtp),
    cmocka_unit_test(test_preset_ssh),
    cmocka_unit_test(test_preset_imap),
    cmocka_unit_test(test_preset_pop3),
    cmocka_unit_test(test_multiline_smtp_greeting),
    cmocka_unit_test(test_ssh_lines_before_the_banner),
    cmocka_unit_test(test_http_status_outside_the_accepted_is_unhealthy),
    cmocka_unit_test(test_http_400_to_an_https_port_is_unhealthy),
    cmocka_unit_test(test_redis_loading_is_unhealthy),
    cmocka_unit_test(test_smtp_5xx_greeting_is_unhealthy),
    cmocka_unit_test(test_pop3_err_is_unhealthy),
    cmocka_unit_test(test_imap_bye_is_unhealthy),
    cmocka_unit_test(test_not_http_at_all_is_protocol),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
