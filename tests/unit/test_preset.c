/* test_preset.c - what each preset makes of a target: its mode, what it
 * sends (with {address} filled in), what it expects, where replies end and
 * how a probe says goodbye. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "preset.h"

/* Loads a one-target config "targets: [{address: ADDRESS, preset: NAME}]"
 * that must be valid; the caller frees cfg. */
static void load_one(tt_config *cfg, const char *preset, const char *address) {
  char yaml[256];
  tt_config_input in;
  tt_diags diags;

  snprintf(yaml, sizeof(yaml),
           "targets:\n  - address: \"%s\"\n    preset: %s\n", address,
           preset);
  memset(&in, 0, sizeof(in));
  in.buffer = yaml;
  in.buffer_len = strlen(yaml);
  in.buffer_name = "t.yaml";
  tt_diags_init(&diags);
  assert_int_equal(tt_config_load(&in, cfg, &diags), 0);
  assert_int_equal(diags.n, 0);
  tt_diags_free(&diags);
  assert_int_equal(cfg->ntargets, 1);
}

static void assert_bytes(const char *got, size_t got_len, const char *want) {
  assert_non_null(got);
  assert_int_equal(got_len, strlen(want));
  assert_memory_equal(got, want, got_len);
}

/* Whether the target's expect matches text (as a reply, without its end). */
static bool matches(const tt_target *t, const char *text) {
  char buf[256];
  size_t n = strlen(text);
  memcpy(buf, text, n + 1);
  return tt_pattern_match(t->expect_pattern, buf, n);
}

/* ---- the table ---- */

static void test_all_presets_in_order(void **state) {
  static const char *const names[] = {"tcp",  "echo",  "redis", "memcached",
                                      "http", "https", "tls",   "smtp",
                                      "ssh",  "postgres", "mysql", "imap",
                                      "pop3"};
  size_t n;
  const tt_preset *all = tt_preset_all(&n);
  assert_int_equal(n, sizeof(names) / sizeof(names[0]));
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(all[i].name, names[i]);
    assert_non_null(all[i].summary);
    assert_ptr_equal(tt_preset_find(names[i]), &all[i]);
  }
}

static void test_find_unknown(void **state) {
  assert_null(tt_preset_find("rediss"));
  assert_null(tt_preset_find("Redis"));
  assert_null(tt_preset_find(""));
  assert_null(tt_preset_find(NULL));
}

/* ---- each preset on a target ---- */

static void test_tcp(void **state) {
  tt_config cfg;
  load_one(&cfg, "tcp", "db1:5432");
  const tt_target *t = &cfg.targets[0];
  assert_string_equal(t->preset->name, "tcp");
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_int_equal(t->send_len, 0);
  assert_null(t->expect);
  assert_null(t->quit);
  assert_bytes(t->reply_end, t->reply_end_len, "\n");
  tt_config_free(&cfg);
}

static void test_echo(void **state) {
  tt_config cfg;
  load_one(&cfg, "echo", "127.0.0.1:7");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len, "tether\n");
  assert_string_equal(t->expect, "^tether$");
  assert_bytes(t->reply_end, t->reply_end_len, "\n");
  /* A reply is matched without its end: the echoed line matches. */
  assert_true(matches(t, "tether"));
  assert_false(matches(t, "tethers"));
  tt_config_free(&cfg);
}

static void test_redis(void **state) {
  tt_config cfg;
  load_one(&cfg, "redis", "10.0.0.7:6379");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len, "PING\r\n");
  assert_int_equal(t->preset->judge, TT_JUDGE_REDIS);
  assert_bytes(t->reply_end, t->reply_end_len, "\n");
  assert_true(matches(t, "+PONG"));
  /* Errors are redis speaking: they pass expect and are judged. */
  assert_true(matches(t, "-LOADING Redis is loading"));
  assert_false(matches(t, "+OK"));
  assert_false(matches(t, "HTTP/1.1 400 Bad Request"));
  tt_config_free(&cfg);
}

static void test_memcached(void **state) {
  tt_config cfg;
  load_one(&cfg, "memcached", "10.0.0.8:11211");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len, "version\r\n");
  assert_string_equal(t->expect, "^VERSION ");
  assert_true(matches(t, "VERSION 1.6.21"));
  tt_config_free(&cfg);
}

static void test_http_fills_in_the_address(void **state) {
  tt_config cfg;
  load_one(&cfg, "http", "api.example:8080");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len,
               "HEAD / HTTP/1.1\r\n"
               "Host: api.example:8080\r\n"
               "User-Agent: tether/" TT_VERSION "\r\n"
               "Connection: keep-alive\r\n"
               "\r\n");
  assert_string_equal(t->expect, "^HTTP/1\\.[01] [0-9]{3}");
  assert_bytes(t->reply_end, t->reply_end_len, "\r\n\r\n");
  assert_int_equal(t->preset->judge, TT_JUDGE_HTTP);
  assert_true(matches(t, "HTTP/1.1 200 OK\r\nServer: x"));
  assert_false(matches(t, "HTTP/2 200"));
  tt_config_free(&cfg);
}

static void test_http_host_keeps_ipv6_brackets(void **state) {
  tt_config cfg;
  load_one(&cfg, "http", "[::1]:8080");
  const tt_target *t = &cfg.targets[0];
  assert_non_null(memmem(t->send, t->send_len, "\r\nHost: [::1]:8080\r\n", 20));
  tt_config_free(&cfg);
}

/* A fresh connection, the greeting, QUIT: never NOOPs on one connection
 * (exim drops the 11th non-mail command). */
static void test_smtp(void **state) {
  tt_config cfg;
  load_one(&cfg, "smtp", "mx.example:25");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_true(matches(t, "220 mx ESMTP"));
  assert_true(matches(t, "220"));
  assert_true(matches(t, "554 too busy"));
  assert_false(matches(t, "220-mx ESMTP"));
  assert_bytes(t->quit, t->quit_len, "QUIT\r\n");
  assert_int_equal(t->preset->judge, TT_JUDGE_SMTP);
  tt_config_free(&cfg);
}

static void test_ssh(void **state) {
  tt_config cfg;
  load_one(&cfg, "ssh", "bastion.example:22");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_string_equal(t->expect, "^SSH-");
  assert_true(matches(t, "SSH-2.0-OpenSSH_9.2"));
  /* Our own version line, so that sshd does not log a lost client. */
  assert_bytes(t->quit, t->quit_len, "SSH-2.0-tether_probe\r\n");
  tt_config_free(&cfg);
}

static void test_postgres_sends_an_sslrequest(void **state) {
  tt_config cfg;
  load_one(&cfg, "postgres", "db.example:5432");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_int_equal(t->send_len, 8);
  assert_memory_equal(t->send, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8);
  assert_int_equal(t->reply_bytes, 1);
  assert_true(matches(t, "S"));
  assert_true(matches(t, "N"));
  assert_false(matches(t, "X"));
  tt_config_free(&cfg);
}

static void test_mysql_reads_the_greeting_and_logs_in(void **state) {
  tt_config cfg;
  load_one(&cfg, "mysql", "db.example:3306");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_int_equal(t->reply_bytes, 5);
  assert_int_equal(t->preset->judge, TT_JUDGE_MYSQL);
  /* A HandshakeResponse41 of 40 bytes, sequence 1, user "tether". */
  assert_int_equal(t->quit_len, 44);
  assert_memory_equal(t->quit, "\x28\x00\x00\x01", 4);
  assert_non_null(memmem(t->quit, t->quit_len, "tether\0", 7));
  tt_config_free(&cfg);
}

static void test_imap_and_pop3(void **state) {
  tt_config cfg;
  load_one(&cfg, "imap", "mail.example:143");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_true(matches(t, "* OK [CAPABILITY IMAP4rev1] Dovecot ready."));
  assert_true(matches(t, "* BYE too many"));
  assert_false(matches(t, "+OK"));
  assert_bytes(t->quit, t->quit_len, "a1 LOGOUT\r\n");
  tt_config_free(&cfg);
  load_one(&cfg, "pop3", "mail.example:110");
  t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_true(matches(t, "+OK Dovecot ready."));
  assert_true(matches(t, "-ERR go away"));
  assert_false(matches(t, "* OK"));
  assert_bytes(t->quit, t->quit_len, "QUIT\r\n");
  tt_config_free(&cfg);
}

static void test_address_is_filled_only_in_a_presets_send(void **state) {
  static const char yaml[] = "targets:\n"
                             "  - address: h:1\n"
                             "    send: \"GET {address}\\n\"\n";
  tt_config_input in;
  tt_config cfg;
  tt_diags diags;
  memset(&in, 0, sizeof(in));
  in.buffer = yaml;
  in.buffer_len = sizeof(yaml) - 1;
  in.buffer_name = "t.yaml";
  tt_diags_init(&diags);
  assert_int_equal(tt_config_load(&in, &cfg, &diags), 0);
  assert_bytes(cfg.targets[0].send, cfg.targets[0].send_len,
               "GET {address}\n");
  tt_config_free(&cfg);
  tt_diags_free(&diags);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_presets_in_order),
    cmocka_unit_test(test_find_unknown),
    cmocka_unit_test(test_tcp),
    cmocka_unit_test(test_echo),
    cmocka_unit_test(test_redis),
    cmocka_unit_test(test_memcached),
    cmocka_unit_test(test_http_fills_in_the_address),
    cmocka_unit_test(test_http_host_keeps_ipv6_brackets),
    cmocka_unit_test(test_smtp),
    cmocka_unit_test(test_ssh),
    cmocka_unit_test(test_postgres_sends_an_sslrequest),
    cmocka_unit_test(test_mysql_reads_the_greeting_and_logs_in),
    cmocka_unit_test(test_imap_and_pop3),
    cmocka_unit_test(test_address_is_filled_only_in_a_presets_send),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
