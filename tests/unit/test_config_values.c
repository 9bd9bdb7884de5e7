/* test_config_values.c - the values of settings in tether.yaml and their
 * layers, from built-in defaults through defaults: and presets to each
 * target's own keys. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "configrun.h"
#include "tlspeer.h"

/* ---- values ---- */

static void test_duration_errors(void **state) {
  tt_refuses("defaults:\n"
          "  interval: 5\n"
          "  timeout: -1s\n"
          "  connect_timeout: 0s\n"
          "  rtt_warn: 1.5ms\n"
          "  backoff: {initial: 25h, max: soon}\n"
          "targets:\n  - address: h:1\n    interval: [1s]\n",
          "t.yaml:2:13: interval '5' needs a unit: 250ms, 2s, 1m\n"
          "t.yaml:3:12: timeout '-1s' cannot be negative\n"
          "t.yaml:4:20: connect_timeout '0s' must be greater than 0\n"
          "t.yaml:5:13: rtt_warn '1.5ms' is not a whole number of "
          "milliseconds\n"
          "t.yaml:6:22: backoff.initial '25h' is longer than 24h\n"
          "t.yaml:6:32: backoff.max 'soon' is not a duration; write one like "
          "250ms, 2s, 1m\n"
          "t.yaml:9:15: interval: expected a duration such as 250ms, 2s or "
          "1m, found a list\n");
}

static void test_count_bounds(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "targets:\n  - address: h:1\n    miss_threshold: 100\n"
          "    max_reply: 1048576\n  - address: h:2\n    miss_threshold: 1\n"
          "    max_reply: 1\n",
      0);
  assert_int_equal(t->miss_threshold, 100);
  assert_int_equal(t->max_reply, 1048576);
  assert_int_equal(r.cfg.targets[1].miss_threshold, 1);
  assert_int_equal(r.cfg.targets[1].max_reply, 1);
  tt_run_done(&r);
}

static void test_count_errors(void **state) {
  tt_refuses("defaults:\n  miss_threshold: 0\n  max_reply: 1048577\n"
          "targets:\n  - address: h:1\n    miss_threshold: 101\n"
          "    max_reply: 4k\n  - address: h:2\n    miss_threshold: 3.0\n"
          "    max_reply: -1\n",
          "t.yaml:2:19: miss_threshold '0' must be a whole number from 1 to "
          "100\n"
          "t.yaml:3:14: max_reply '1048577' must be a whole number of bytes "
          "from 1 to 1048576\n"
          "t.yaml:6:21: miss_threshold '101' must be a whole number from 1 to "
          "100\n"
          "t.yaml:7:16: max_reply '4k' must be a whole number of bytes from 1 "
          "to 1048576\n"
          "t.yaml:9:21: miss_threshold '3.0' must be a whole number from 1 to "
          "100\n"
          "t.yaml:10:16: max_reply '-1' must be a whole number of bytes from "
          "1 to 1048576\n");
}

static void test_reply_end_bounds(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "targets:\n  - address: h:1\n    reply_end: \"0123456789abcdef\"\n"
          "  - address: h:2\n    reply_end: \"\\0\"\n",
      0);
  assert_int_equal(t->reply_end_len, 16);
  tt_assert_bytes(r.cfg.targets[1].reply_end, r.cfg.targets[1].reply_end_len,
               "\0", 1);
  tt_run_done(&r);
  tt_refuses("targets:\n  - address: h:1\n    reply_end: \"\"\n"
          "  - address: h:2\n    reply_end: \"0123456789abcdefg\"\n",
          "t.yaml:3:16: reply_end is empty\n"
          "t.yaml:5:16: reply_end '0123456789abcdefg' is longer than 16 "
          "bytes\n");
}

static void test_family_values(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n  - address: h:1\n    family: auto\n"
              "  - address: h:2\n    family: ipv6\n",
          0);
  assert_int_equal(r.cfg.targets[0].family, TT_FAMILY_AUTO);
  assert_int_equal(r.cfg.targets[1].family, TT_FAMILY_IPV6);
  tt_run_done(&r);
  tt_refuses("targets:\n  - address: h:1\n    family: inet6\n",
          "t.yaml:3:13: family 'inet6' must be auto, ipv4 or ipv6\n");
}

static void test_family_must_fit_an_ip_literal(void **state) {
  tt_refuses("defaults:\n  family: ipv4\ntargets:\n  - address: \"[::1]:80\"\n"
          "  - host: ::1\n    port: 81\n"
          "  - address: 10.0.0.1:80\n    family: ipv6\n"
          "  - address: db1:80\n    family: ipv6\n",
          "t.yaml:4:14: address '[::1]:80' is IPv6, but family is ipv4\n"
          "t.yaml:5:11: host '::1' is IPv6, but family is ipv4\n"
          "t.yaml:7:14: address '10.0.0.1:80' is IPv4, but family is ipv6\n");
}

static void test_mode_values(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    mode: persistant\n"
          "  - address: h:2\n    mode: unset\n",
          "t.yaml:3:11: mode 'persistant' must be persistent or connect\n"
          "t.yaml:5:11: mode 'unset' must be persistent or connect\n");
}

static void test_expect_must_compile(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    send: x\n    expect: \"(\"\n",
          "t.yaml:4:13: expect '(': unmatched ( (write \\( for a literal ()\n");
}

static void test_expect_is_compiled(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r,
      "targets:\n  - address: h:1\n    send: x\n    expect: \"^ok [0-9]+$\"\n",
      0);
  assert_true(tt_pattern_match(t->expect_pattern, "ok 42", 5));
  assert_false(tt_pattern_match(t->expect_pattern, "ok", 2));
  tt_run_done(&r);
}

/* Targets with the same expression share one compiled form (glibc's takes
 * kilobytes, times ten thousand targets); different ones do not. */
static void test_same_expect_is_compiled_once(void **state) {
  tt_cfgrun r;
  tt_run_yaml(&r, "targets:\n"
           "  - { address: \"h:1\", preset: redis }\n"
           "  - { address: \"h:2\", preset: redis }\n"
           "  - { address: \"h:3\", send: x, expect: \"^(\\\\+PONG|-)\" }\n"
           "  - { address: \"h:4\", preset: memcached }\n");
  assert_int_equal(r.rc, 0);
  const tt_target *t = r.cfg.targets;
  assert_ptr_equal(t[0].expect_pattern, t[1].expect_pattern);
  assert_ptr_equal(t[0].expect_pattern, t[2].expect_pattern);
  assert_ptr_equal(t[0].expect, t[2].expect);
  assert_ptr_not_equal(t[0].expect_pattern, t[3].expect_pattern);
  assert_string_equal(t[3].expect, "^VERSION ");
  tt_run_done(&r);
}

static void test_send_bounds(void **state) {
  size_t n = 64 * 1024;
  char *yaml = malloc(n + 128);
  tt_cfgrun r;
  assert_non_null(yaml);
  strcpy(yaml, "targets:\n  - address: h:1\n    send: ");
  memset(yaml + strlen(yaml), 'x', n);
  strcpy(yaml + 36 + n, "\n");
  tt_accepts(&r, yaml, 0);
  assert_int_equal(r.cfg.targets[0].send_len, n);
  tt_run_done(&r);
  memset(yaml + 36, 'x', n + 1);
  strcpy(yaml + 36 + n + 1, "\n");
  tt_refuses(yaml, "t.yaml:3:11: send is longer than 64 KiB\n");
  free(yaml);
}

static void test_send_empty(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    send: \"\"\n",
          "t.yaml:3:11: send is empty\n");
}

static void test_unknown_preset(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    preset: rediss\n"
          "  - address: h:2\n    preset: oracle\n",
          "t.yaml:3:13: unknown preset 'rediss' (did you mean 'redis'?); "
          "presets: tcp, echo, redis, memcached, http, https, tls, smtp, ssh, postgres, "
          "mysql, imap, pop3\n"
          "t.yaml:5:13: unknown preset 'oracle'; presets: tcp, echo, "
          "redis, memcached, http, https, tls, smtp, ssh, postgres, mysql, imap, pop3\n");
}

static void test_wrong_kinds(void **state) {
  tt_refuses("defaults:\n  backoff: 1s\n  send: {a: b}\n  mode:\ntargets:\n"
          "  - address: h:1\n",
          "t.yaml:2:12: backoff: expected a mapping such as {initial: 500ms, "
          "max: 30s}, found '1s'\n"
          "t.yaml:3:9: send: expected a string, found a mapping\n"
          "t.yaml:4:8: mode: expected persistent or connect, found nothing\n");
}

/* ---- hooks ---- */

/* A command is kept as it was written: no escapes are read in it, and
 * the shell gets it whole. */
static void test_on_change_is_kept_as_written(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "defaults:\n  on_change: 'printf \"%s\\n\" \"$TETHER_TO\"'\n"
          "targets:\n  - address: h:1\n  - address: h:2\n"
          "    on_change: |\n      echo one\n      echo two\n",
      0);
  assert_string_equal(t->on_change, "printf \"%s\\n\" \"$TETHER_TO\"");
  assert_string_equal(r.cfg.targets[1].on_change, "echo one\necho two\n");
  tt_run_done(&r);
}

static void test_hook_defaults(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(&r, "targets:\n  - address: h:1\n", 0);
  assert_null(t->on_change);
  assert_int_equal(t->hook_timeout_ms, 10000);
  assert_int_equal(t->hook_limit, 4);
  tt_run_done(&r);
  t = tt_accepts(&r, "defaults:\n  hook_limit: 64\n  hook_timeout: 2m\n"
                     "targets:\n  - address: h:1\n    hook_timeout: 1s\n"
                     "  - address: h:2\n",
                 0);
  assert_int_equal(t->hook_timeout_ms, 1000);
  assert_int_equal(t->hook_limit, 64);
  assert_int_equal(r.cfg.targets[1].hook_timeout_ms, 120000);
  assert_int_equal(r.cfg.targets[1].hook_limit, 64);
  tt_run_done(&r);
}

static void test_hook_errors(void **state) {
  tt_refuses("defaults:\n  on_change: \"\"\n  hook_limit: 65\n"
             "  hook_timeout: 0s\n"
             "targets:\n  - address: h:1\n    on_change: \"a\\0b\"\n"
             "  - address: h:2\n    on_change: !!binary ZWNobw==\n"
             "  - address: h:3\n    hook_limit: 2\n"
             "  - address: h:4\n    on_change: [echo]\n",
             "t.yaml:2:14: on_change is empty\n"
             "t.yaml:3:15: hook_limit '65' must be a whole number from 1 to "
             "64\n"
             "t.yaml:4:17: hook_timeout '0s' must be greater than 0\n"
             "t.yaml:7:16: on_change must not contain a NUL byte\n"
             "t.yaml:9:16: on_change cannot be !!binary: only send and "
             "reply_end hold bytes\n"
             "t.yaml:11:5: 'hook_limit' belongs under defaults:, not in a "
             "target: it is one value for the whole run\n"
             "t.yaml:13:16: on_change: expected a shell command (a string), "
             "found a list\n");
}

/* A ca_file is read once per load, however many targets name it, and its
 * verdict goes to each of them: one from defaults: is reported at its
 * key, each target's own at the target's. */
static void test_ca_file_verdict_for_every_target(void **state) {
  tt_test_cert ca;
  char bad[] = "/tmp/tether-ca-XXXXXX", yaml[1024], want[1024];
  char *good;
  int fd = mkstemp(bad);

  assert_true(fd >= 0);
  assert_int_equal(write(fd, "hello\n", 6), 6);
  close(fd);
  tt_test_ca(&ca, "Tether Test CA");
  good = tt_test_cert_file(&ca);
  snprintf(yaml, sizeof(yaml),
           "defaults:\n  ca_file: /nonexistent/ca.pem\n"
           "targets:\n"
           "  - { address: \"h:1\", preset: tls }\n"
           "  - { address: \"h:2\", preset: tls, ca_file: %s }\n"
           "  - { address: \"h:3\", preset: tls, ca_file: %s }\n"
           "  - { address: \"h:4\", preset: tls }\n"
           "  - { address: \"h:5\", preset: tls, ca_file: %s }\n"
           "  - { address: \"h:6\", preset: tls, ca_file: %s }\n",
           bad, good, bad, good);
  snprintf(want, sizeof(want),
           "t.yaml:2:3: ca_file: cannot read /nonexistent/ca.pem: No such "
           "file or directory\n"
           "t.yaml:5:36: ca_file: %s holds no PEM certificate (BEGIN "
           "CERTIFICATE)\n"
           "t.yaml:8:36: ca_file: %s holds no PEM certificate (BEGIN "
           "CERTIFICATE)\n",
           bad, bad);
  tt_refuses(yaml, want);
  unlink(bad);
  unlink(good);
  free(good);
  tt_test_cert_free(&ca);
}

static void test_on_change_bounds(void **state) {
  size_t n = 4096;
  char *yaml = malloc(n + 128);
  tt_cfgrun r;
  assert_non_null(yaml);
  strcpy(yaml, "targets:\n  - address: h:1\n    on_change: ");
  size_t at = strlen(yaml);
  memset(yaml + at, 'x', n);
  strcpy(yaml + at + n, "\n");
  tt_accepts(&r, yaml, 0);
  assert_int_equal(strlen(r.cfg.targets[0].on_change), n);
  tt_run_done(&r);
  memset(yaml + at, 'x', n + 1);
  strcpy(yaml + at + n + 1, "\n");
  tt_refuses(yaml, "t.yaml:3:16: on_change is longer than 4 KiB\n");
  free(yaml);
}

/* ---- layers ---- */

static void test_defaults_apply_to_every_target(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "defaults:\n  interval: 5s\n  timeout: 2s\n  family: ipv4\n"
              "targets:\n  - address: h:1\n  - address: h:2\n"
              "    interval: 3s\n",
          0);
  assert_int_equal(r.cfg.targets[0].interval_ms, 5000);
  assert_int_equal(r.cfg.targets[0].timeout_ms, 2000);
  assert_int_equal(r.cfg.targets[1].interval_ms, 3000);
  assert_int_equal(r.cfg.targets[1].timeout_ms, 2000);
  assert_int_equal(r.cfg.targets[1].family, TT_FAMILY_IPV4);
  tt_run_done(&r);
}

static void test_backoff_keys_layer_separately(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "defaults:\n  backoff: {initial: 1s, max: 10s}\n"
              "targets:\n  - address: h:1\n    backoff: {max: 5s}\n",
          0);
  assert_int_equal(r.cfg.targets[0].backoff_initial_ms, 1000);
  assert_int_equal(r.cfg.targets[0].backoff_max_ms, 5000);
  tt_run_done(&r);
}

static void test_defaults_preset_applies(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "defaults:\n  preset: redis\ntargets:\n  - address: h:1\n", 0);
  assert_string_equal(t->preset->name, "redis");
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  tt_assert_bytes(t->send, t->send_len, "PING\r\n", 6);
  tt_run_done(&r);
}

static void test_defaults_keys_beat_the_defaults_preset(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(&r, "defaults:\n  expect: \"^PONG\"\n"
                                   "  preset: redis\ntargets:\n"
                                   "  - address: h:1\n",
                               0);
  assert_string_equal(t->expect, "^PONG");
  tt_run_done(&r);
}

static void test_target_preset_beats_defaults_keys(void **state) {
  tt_cfgrun r;
  const tt_target *t =
      tt_accepts(&r, "defaults:\n  send: \"hello\\n\"\n  reply_end: \"\\r\\n\"\n"
                  "  expect: hi\ntargets:\n  - address: h:1\n    preset: tcp\n"
                  "  - address: h:2\n    preset: http\n",
              0);
  /* The preset sets mode, send, expect and reply_end at its
   * layer, clearing what it does not use. */
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_null(t->expect);
  tt_assert_bytes(t->reply_end, t->reply_end_len, "\n", 1);
  t = &r.cfg.targets[1];
  tt_assert_bytes(t->reply_end, t->reply_end_len, "\r\n\r\n", 4);
  tt_run_done(&r);
}

static void test_target_keys_beat_the_target_preset(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(&r, "targets:\n  - address: h:1\n"
                                   "    send: \"PING\\n\"\n    preset: redis\n"
                                   "    reply_end: \"\\r\\n\"\n",
                               0);
  tt_assert_bytes(t->send, t->send_len, "PING\n", 5);
  assert_string_equal(t->expect, "^(\\+PONG|-)");
  tt_assert_bytes(t->reply_end, t->reply_end_len, "\r\n", 2);
  tt_run_done(&r);
}

static void test_target_preset_beats_defaults_preset(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "defaults:\n  preset: redis\ntargets:\n  - address: h:1\n"
          "    preset: ssh\n",
      0);
  assert_string_equal(t->preset->name, "ssh");
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_string_equal(t->expect, "^SSH-");
  tt_run_done(&r);
}

static void test_mode_follows_send_when_unset(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n  - address: h:1\n    send: x\n  - address: h:2\n",
          0);
  assert_int_equal(r.cfg.targets[0].mode, TT_MODE_PERSISTENT);
  assert_int_equal(r.cfg.targets[1].mode, TT_MODE_CONNECT);
  tt_run_done(&r);
}

static void test_connect_with_send_and_expect(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(&r, "targets:\n  - address: h:1\n"
                                   "    mode: connect\n    send: x\n"
                                   "    expect: y\n",
                               0);
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  tt_run_done(&r);
}

static void test_persistent_needs_send(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    mode: persistent\n",
          "t.yaml:3:5: persistent mode needs send, or a preset that sets it\n");
}

static void test_persistent_from_defaults_is_reported_once(void **state) {
  tt_refuses("defaults:\n  mode: persistent\ntargets:\n  - address: h:1\n"
          "  - address: h:2\n  - address: h:3\n    preset: echo\n",
          "t.yaml:2:3: persistent mode needs send, or a preset that sets it\n");
}

static void test_connect_with_send_needs_expect(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    mode: connect\n    send: x\n"
          "  - address: h:2\n    preset: tcp\n    send: y\n",
          "t.yaml:4:5: connect mode with send needs expect\n"
          "t.yaml:7:5: connect mode with send needs expect\n");
}

static void test_timeout_may_equal_interval(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n  - address: h:1\n    preset: redis\n"
              "    interval: 2s\n    timeout: 2s\n",
          0);
  tt_run_done(&r);
}

static void test_timeout_above_interval_at_the_timeout_key(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    preset: redis\n    interval: 1s\n"
          "    timeout: 2s\n",
          "t.yaml:5:5: timeout (2s) must not exceed interval (1s) in "
          "persistent mode\n");
}

/* -i 200ms alone must work: with no timeout set anywhere, a shorter
 * interval is the timeout too. */
static void test_timeout_follows_a_shorter_interval(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(&r, "targets:\n  - address: h:1\n"
                                      "    preset: redis\n"
                                      "    interval: 500ms\n"
                                      "  - address: h:2\n"
                                      "    preset: redis\n"
                                      "    interval: 5s\n",
                                  0);
  assert_int_equal(t->timeout_ms, 500);
  assert_true(t->followed & TT_BIT(TT_SET_TIMEOUT));
  assert_int_equal(r.cfg.targets[1].timeout_ms, 1000);
  assert_false(r.cfg.targets[1].followed & TT_BIT(TT_SET_TIMEOUT));
  tt_run_done(&r);
}

static void test_a_timeout_set_does_not_follow(void **state) {
  tt_refuses("defaults:\n  timeout: 1s\ntargets:\n  - address: h:1\n"
             "    preset: redis\n    interval: 500ms\n",
             "t.yaml:2:3: timeout (1s) must not exceed interval (500ms) in "
             "persistent mode\n");
}

static void test_timeout_from_defaults_is_reported_once(void **state) {
  tt_refuses("defaults:\n  timeout: 1.5s\n  preset: echo\ntargets:\n"
          "  - address: h:1\n  - address: h:2\n  - address: h:3\n"
          "    interval: 2s\n",
          "t.yaml:2:3: timeout (1.5s) must not exceed interval (1s) in "
          "persistent mode\n");
}

static void test_timeout_above_interval_is_fine_in_connect_mode(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n  - address: h:1\n    interval: 1s\n"
              "    timeout: 5s\n",
          0);
  tt_run_done(&r);
}

static void test_backoff_initial_must_not_exceed_max(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    backoff: {initial: 1m, max: "
             "30s}\n  - address: h:2\n    backoff: {max: 100ms}\n"
             "    interval: 5s\n    backoff: {initial: 1s, max: 100ms}\n",
             "t.yaml:3:15: backoff initial (1m) must not exceed backoff max "
             "(30s)\n"
             "t.yaml:7:5: duplicate key 'backoff' (first at 5:5)\n");
}

/* While down, a retry at least once per interval, unless backoff says
 * otherwise: backoff.max follows the interval, initial follows max. */
static void test_backoff_follows_the_interval(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n"
                 "  - address: h:1\n"
                 "  - address: h:2\n    interval: 200ms\n"
                 "  - address: h:3\n    interval: 1m\n"
                 "  - address: h:4\n    backoff: {max: 100ms}\n"
                 "  - address: h:5\n    backoff: {initial: 5s}\n"
                 "  - address: h:6\n    interval: 10s\n"
                 "    backoff: {max: 2m}\n",
             0);
  const tt_target *t = r.cfg.targets;
  assert_int_equal(t[0].backoff_max_ms, 1000);
  assert_int_equal(t[0].backoff_initial_ms, 500);
  assert_int_equal(t[1].backoff_max_ms, 200);
  assert_int_equal(t[1].backoff_initial_ms, 200);
  assert_int_equal(t[1].followed, TT_BIT(TT_SET_TIMEOUT) |
                                      TT_BIT(TT_SET_BACKOFF_MAX) |
                                      TT_BIT(TT_SET_BACKOFF_INITIAL));
  assert_int_equal(t[2].backoff_max_ms, 30000);
  assert_int_equal(t[2].followed, 0);
  assert_int_equal(t[3].backoff_max_ms, 100);
  assert_int_equal(t[3].backoff_initial_ms, 100);
  /* Sparser retries asked for: max is raised to meet them. */
  assert_int_equal(t[4].backoff_initial_ms, 5000);
  assert_int_equal(t[4].backoff_max_ms, 5000);
  assert_false(t[4].followed & TT_BIT(TT_SET_BACKOFF_MAX));
  assert_int_equal(t[5].backoff_max_ms, 120000);
  assert_int_equal(t[5].backoff_initial_ms, 500);
  tt_run_done(&r);
}

static void test_no_follow_on_problems(void **state) {
  /* The bad send and the misspelt mode leave nothing to combine: no
   * "persistent mode needs send" follows. */
  tt_refuses("targets:\n  - address: h:1\n    mode: persistent\n    send: \"\"\n"
          "  - address: h:2\n    mdoe: persistent\n    timeout: 5s\n",
          "t.yaml:4:11: send is empty\n"
          "t.yaml:6:5: unknown key 'mdoe'; did you mean 'mode'?\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_duration_errors),
    cmocka_unit_test(test_count_bounds),
    cmocka_unit_test(test_count_errors),
    cmocka_unit_test(test_reply_end_bounds),
    cmocka_unit_test(test_family_values),
    cmocka_unit_test(test_family_must_fit_an_ip_literal),
    cmocka_unit_test(test_mode_values),
    cmocka_unit_test(test_expect_must_compile),
    cmocka_unit_test(test_expect_is_compiled),
    cmocka_unit_test(test_same_expect_is_compiled_once),
    cmocka_unit_test(test_send_bounds),
    cmocka_unit_test(test_send_empty),
    cmocka_unit_test(test_unknown_preset),
    cmocka_unit_test(test_wrong_kinds),
    cmocka_unit_test(test_on_change_is_kept_as_written),
    cmocka_unit_test(test_hook_defaults),
    cmocka_unit_test(test_hook_errors),
    cmocka_unit_test(test_ca_file_verdict_for_every_target),
    cmocka_unit_test(test_on_change_bounds),
    cmocka_unit_test(test_defaults_apply_to_every_target),
    cmocka_unit_test(test_backoff_keys_layer_separately),
    cmocka_unit_test(test_defaults_preset_applies),
    cmocka_unit_test(test_defaults_keys_beat_the_defaults_preset),
    cmocka_unit_test(test_target_preset_beats_defaults_keys),
    cmocka_unit_test(test_target_keys_beat_the_target_preset),
    cmocka_unit_test(test_target_preset_beats_defaults_preset),
    cmocka_unit_test(test_mode_follows_send_when_unset),
    cmocka_unit_test(test_connect_with_send_and_expect),
    cmocka_unit_test(test_persistent_needs_send),
    cmocka_unit_test(test_persistent_from_defaults_is_reported_once),
    cmocka_unit_test(test_connect_with_send_needs_expect),
    cmocka_unit_test(test_timeout_may_equal_interval),
    cmocka_unit_test(test_timeout_above_interval_at_the_timeout_key),
    cmocka_unit_test(test_timeout_follows_a_shorter_interval),
    cmocka_unit_test(test_a_timeout_set_does_not_follow),
    cmocka_unit_test(test_timeout_from_defaults_is_reported_once),
    cmocka_unit_test(test_timeout_above_interval_is_fine_in_connect_mode),
    cmocka_unit_test(test_backoff_initial_must_not_exceed_max),
    cmocka_unit_test(test_backoff_follows_the_interval),
    cmocka_unit_test(test_no_follow_on_problems),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
