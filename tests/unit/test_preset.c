/* test_preset.c - what each preset makes of a target: its mode, what it
 * sends (with {address} filled in), what it expects and where replies end. */
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

/* ---- the table ---- */

static void test_all_presets_in_order(void **state) {
  static const char *const names[] = {"tcp",  "echo", "redis", "memcached",
                                      "http", "smtp", "ssh"};
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
  assert_null(t->banner);
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
  assert_null(t->banner);
  assert_bytes(t->reply_end, t->reply_end_len, "\n");
  /* A reply is matched without its end: the echoed line matches. */
  assert_int_equal(regexec(&t->expect_pattern->re, "tether", 0, NULL, 0), 0);
  assert_int_equal(regexec(&t->expect_pattern->re, "tethers", 0, NULL, 0), REG_NOMATCH);
  tt_config_free(&cfg);
}

static void test_redis(void **state) {
  tt_config cfg;
  load_one(&cfg, "redis", "10.0.0.7:6379");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len, "PING\r\n");
  assert_string_equal(t->expect, "^\\+PONG");
  assert_null(t->banner);
  assert_bytes(t->reply_end, t->reply_end_len, "\n");
  assert_int_equal(regexec(&t->expect_pattern->re, "+PONG", 0, NULL, 0), 0);
  assert_int_equal(regexec(&t->expect_pattern->re, "-ERR", 0, NULL, 0), REG_NOMATCH);
  tt_config_free(&cfg);
}

static void test_memcached(void **state) {
  tt_config cfg;
  load_one(&cfg, "memcached", "10.0.0.8:11211");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len, "version\r\n");
  assert_string_equal(t->expect, "^VERSION ");
  assert_int_equal(regexec(&t->expect_pattern->re, "VERSION 1.6.21", 0, NULL, 0), 0);
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
  assert_int_equal(regexec(&t->expect_pattern->re, "HTTP/1.1 200 OK\r\nServer: x", 0,
                           NULL, 0),
                   0);
  assert_int_equal(regexec(&t->expect_pattern->re, "HTTP/2 200", 0, NULL, 0),
                   REG_NOMATCH);
  tt_config_free(&cfg);
}

static void test_http_host_keeps_ipv6_brackets(void **state) {
  tt_config cfg;
  load_one(&cfg, "http", "[::1]:8080");
  const tt_target *t = &cfg.targets[0];
  assert_non_null(memmem(t->send, t->send_len, "\r\nHost: [::1]:8080\r\n", 20));
  tt_config_free(&cfg);
}

static void test_smtp(void **state) {
  tt_config cfg;
  load_one(&cfg, "smtp", "mx.example:25");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_string_equal(t->banner, "^220( |$)");
  assert_int_equal(regexec(&t->banner_pattern->re, "220 mx ESMTP", 0, NULL, 0), 0);
  assert_bytes(t->send, t->send_len, "NOOP\r\n");
  assert_string_equal(t->expect, "^250");
  assert_bytes(t->reply_end, t->reply_end_len, "\n");
  tt_config_free(&cfg);
}

static void test_ssh(void **state) {
  tt_config cfg;
  load_one(&cfg, "ssh", "bastion.example:22");
  const tt_target *t = &cfg.targets[0];
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_string_equal(t->expect, "^SSH-");
  assert_null(t->banner);
  assert_int_equal(regexec(&t->expect_pattern->re, "SSH-2.0-OpenSSH_9.2", 0, NULL, 0),
                   0);
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
    cmocka_unit_test(test_address_is_filled_only_in_a_presets_send),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
