/* test_config_cli.c - command-line options and targets over the file, many
 * problems in one run, and the configs shipped in tests/ and examples/. */
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

/* ---- command-line options ---- */

static void test_options_beat_the_file(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_INTERVAL, 7000);
  tt_ov_num(&ov, TT_SET_MISS_THRESHOLD, 9);
  tt_ov_str(&ov, TT_SET_EXPECT, "^x", 2);
  tt_run_ov(&r, "defaults:\n  interval: 2s\ntargets:\n  - address: h:1\n"
              "    interval: 3s\n    miss_threshold: 4\n    preset: redis\n",
          &ov);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.targets[0].interval_ms, 7000);
  assert_int_equal(r.cfg.targets[0].miss_threshold, 9);
  assert_string_equal(r.cfg.targets[0].expect, "^x");
  tt_run_done(&r);
}

/* --on-change stands for on_change under defaults: it replaces what the
 * file's defaults say, and a target's own command still wins. */
static void test_on_change_option_is_a_default(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_str(&ov, TT_SET_ON_CHANGE, "page", 4);
  tt_run_ov(&r, "defaults:\n  on_change: mail\ntargets:\n"
              "  - { address: \"a:1\" }\n"
              "  - { address: \"b:1\", on_change: own }\n",
          &ov);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.cfg.targets[0].on_change, "page");
  assert_string_equal(r.cfg.targets[1].on_change, "own");
  tt_run_done(&r);
}

static void test_option_mode_with_send(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_str(&ov, TT_SET_SEND, "hi\n", 3);
  tt_run_ov(&r, "targets:\n  - address: h:1\n", &ov);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.targets[0].mode, TT_MODE_PERSISTENT);
  tt_assert_bytes(r.cfg.targets[0].send, r.cfg.targets[0].send_len, "hi\n", 3);
  tt_run_done(&r);
}

static void test_option_timeout_above_interval(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_TIMEOUT, 2000);
  tt_run_ov(&r, "targets:\n  - name: x\n    address: h:1\n    preset: redis\n"
              "  - address: h:2\n",
          &ov);
  assert_string_equal(r.text, "--timeout: 2s must not exceed the interval "
                              "(1s) of target 'x' in persistent mode\n");
  assert_int_equal(r.diags.v[0].line, 0);
  tt_run_done(&r);
}

static void test_option_interval_below_timeout(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_INTERVAL, 500);
  tt_run_ov(&r, "targets:\n  - name: x\n    address: h:1\n    preset: redis\n"
              "    timeout: 1s\n",
          &ov);
  assert_string_equal(r.text, "--interval: 500ms must not be below the "
                              "timeout (1s) of target 'x' in persistent "
                              "mode\n");
  tt_run_done(&r);
}

/* tether -i 200ms host:port: the timeout nobody set follows the
 * interval. */
static void test_option_interval_alone_takes_the_timeout_along(
    void **state) {
  char *adhoc[] = {"redis://h:1"};
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_INTERVAL, 200);
  tt_run_full(&r, NULL, 0, adhoc, 1, &ov);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.targets[0].interval_ms, 200);
  assert_int_equal(r.cfg.targets[0].timeout_ms, 200);
  assert_int_equal(r.cfg.targets[0].backoff_max_ms, 200);
  tt_run_done(&r);
}

static void test_options_timeout_and_interval_together(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_INTERVAL, 1000);
  tt_ov_num(&ov, TT_SET_TIMEOUT, 3000);
  tt_run_ov(&r, "targets:\n  - address: h:1\n    preset: redis\n"
              "  - address: h:2\n    preset: echo\n",
          &ov);
  assert_string_equal(r.text, "--timeout: 3s must not exceed --interval 1s "
                              "in persistent mode\n");
  tt_run_done(&r);
}

static void test_option_mode_persistent_needs_send(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_MODE, TT_MODE_PERSISTENT);
  tt_run_ov(&r, "targets:\n  - address: h:1\n  - address: h:2\n"
              "    preset: redis\n",
          &ov);
  assert_string_equal(r.text, "--mode: persistent mode needs send, or a "
                              "preset that sets it (target 'h:1' has none)\n");
  tt_run_done(&r);
}

static void test_option_send_in_connect_mode_needs_expect(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_str(&ov, TT_SET_SEND, "x", 1);
  tt_run_ov(&r, "targets:\n  - address: h:1\n    mode: connect\n", &ov);
  assert_string_equal(r.text, "--send: connect mode with send needs expect "
                              "(target 'h:1' has none)\n");
  tt_run_done(&r);
}

static void test_option_values_are_checked(void **state) {
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_INTERVAL, 0);
  tt_ov_num(&ov, TT_SET_MISS_THRESHOLD, 101);
  tt_ov_str(&ov, TT_SET_EXPECT, "a{", 2);
  tt_ov_str(&ov, TT_SET_SEND, "", 0);
  tt_ov_num(&ov, TT_SET_MODE, TT_MODE_UNSET);
  tt_run_ov(&r, "targets:\n  - address: h:1\n", &ov);
  /* In the settings table's order. */
  assert_string_equal(r.text,
                      "--mode: must be persistent or connect\n"
                      "--send: is empty\n"
                      "--expect: { must start a count such as {2}, {2,} or {2,5} (write \\{ "
      "for a literal {)\n"
                      "--interval: must be greater than 0\n"
                      "--miss-threshold: must be a whole number from 1 to "
                      "100\n");
  tt_run_done(&r);
}

/* ---- command-line targets ---- */

static void test_command_line_targets_alone(void **state) {
  char *adhoc[] = {"db1:5432", "cache=redis://10.0.0.7:6379", "[::1]:8080",
                   "web=http://web.example:80"};
  tt_cfgrun r;
  tt_run_adhoc(&r, NULL, adhoc, 4);
  assert_int_equal(r.rc, 0);
  assert_null(r.cfg.source);
  assert_int_equal(r.cfg.ntargets, 4);
  assert_string_equal(r.cfg.targets[0].name, "db1:5432");
  assert_int_equal(r.cfg.targets[0].mode, TT_MODE_CONNECT);
  assert_int_equal(r.cfg.targets[0].line, 0);
  assert_string_equal(r.cfg.targets[1].name, "cache");
  assert_string_equal(r.cfg.targets[1].address, "10.0.0.7:6379");
  assert_string_equal(r.cfg.targets[1].preset->name, "redis");
  assert_int_equal(r.cfg.targets[1].mode, TT_MODE_PERSISTENT);
  assert_string_equal(r.cfg.targets[2].name, "[::1]:8080");
  assert_string_equal(r.cfg.targets[2].host, "::1");
  assert_non_null(memmem(r.cfg.targets[3].send, r.cfg.targets[3].send_len,
                         "Host: web.example:80\r\n", 22));
  tt_run_done(&r);
}

static void test_command_line_targets_follow_the_file(void **state) {
  char *adhoc[] = {"b=h:2"};
  tt_cfgrun r;
  tt_run_adhoc(&r, "defaults:\n  interval: 4s\ntargets:\n  - name: a\n"
                 "    address: h:1\n",
             adhoc, 1);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.ntargets, 2);
  assert_string_equal(r.cfg.targets[0].name, "a");
  assert_string_equal(r.cfg.targets[1].name, "b");
  assert_int_equal(r.cfg.targets[1].interval_ms, 4000);
  tt_run_done(&r);
}

/* A host cannot hold '=': a second one is a mistake, not part of the
 * host. */
static void test_only_one_equals_sign(void **state) {
  char *adhoc[] = {"a=b=h:1", "c=redis://b=h:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, NULL, adhoc, 2);
  assert_string_equal(r.text,
                      "TARGET 'a=b=h:1': a host cannot contain '='; write "
                      "NAME=[PRESET://]HOST:PORT with a single '='\n"
                      "TARGET 'c=redis://b=h:1': a host cannot contain '='; "
                      "write NAME=[PRESET://]HOST:PORT with a single '='\n");
  tt_run_done(&r);
}

static void test_command_line_target_errors(void **state) {
  char *adhoc[] = {"=h:1",        "x=",           "rediss://h:1", "://h:2",
                   "db1",         "::1:80",       "h:0",          "a\tb=h:1",
                   "ftp://h:21"};
  tt_cfgrun r;
  tt_run_adhoc(&r, NULL, adhoc, 9);
  assert_string_equal(
      r.text,
      "TARGET '=h:1': name is empty\n"
      "TARGET 'x=': is empty; write host:port\n"
      "TARGET 'rediss://h:1': unknown preset 'rediss' (did you mean "
      "'redis'?); presets: tcp, echo, redis, memcached, http, https, tls, smtp, ssh, postgres, mysql, imap, pop3\n"
      "TARGET '://h:2': unknown preset ''; presets: tcp, echo, redis, "
      "memcached, http, https, tls, smtp, ssh, postgres, mysql, imap, pop3\n"
      "TARGET 'db1': needs a port: host:port\n"
      "TARGET '::1:80': looks like an IPv6 address; write it in brackets: "
      "[::1]:8080\n"
      "TARGET 'h:0': has a port that is not a number from 1 to 65535\n"
      "TARGET 'a\\tb=h:1': name 'a\\tb' must not contain control "
      "characters\n"
      "TARGET 'ftp://h:21': unknown preset 'ftp'; presets: tcp, echo, redis, "
      "memcached, http, https, tls, smtp, ssh, postgres, mysql, imap, pop3\n");
  tt_run_done(&r);
}

static void test_command_line_names_must_be_unique(void **state) {
  char *adhoc[] = {"a=h:9", "h:1", "h:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, "targets:\n  - name: a\n    address: h:2\n", adhoc, 3);
  assert_string_equal(r.text,
                      "TARGET 'a=h:9': duplicate target name 'a' (first at "
                      "t.yaml:2:5)\n"
                      "TARGET 'h:1': duplicate target name 'h:1' (given "
                      "earlier on the command line)\n");
  tt_run_done(&r);
}

static void test_command_line_target_in_persistent_mode(void **state) {
  char *adhoc[] = {"h:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, "defaults:\n  mode: persistent\n", adhoc, 1);
  assert_string_equal(r.text, "TARGET 'h:1': persistent mode needs send, or "
                              "a preset that sets it\n");
  tt_run_done(&r);
}

static void test_command_line_family_conflict(void **state) {
  char *adhoc[] = {"[::1]:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, "defaults:\n  family: ipv4\n", adhoc, 1);
  assert_string_equal(
      r.text, "TARGET '[::1]:1': address is IPv6, but family is ipv4\n");
  tt_run_done(&r);
}

static void test_nothing_to_load(void **state) {
  tt_cfgrun r;
  tt_run_adhoc(&r, NULL, NULL, 0);
  assert_string_equal(r.text, "no targets: give a config file or targets on "
                              "the command line\n");
  tt_run_done(&r);
}

/* ---- many problems at once ---- */

static void test_every_problem_in_one_run_in_order(void **state) {
  char *adhoc[] = {"db1"};
  tt_settings ov;
  tt_cfgrun r;
  memset(&ov, 0, sizeof(ov));
  tt_ov_num(&ov, TT_SET_CONNECT_TIMEOUT, 0);
  /* The targets come first in the file but are checked after the
   * defaults: the report is still in file order. */
  static const char yaml[] =
      "targets:\n  - address: h:0\n    intervall: 2s\n  - name: \"\"\n"
      "    address: h:2\ndefaults:\n  timeout: 2\n";
  tt_run_full(&r, yaml, sizeof(yaml) - 1, adhoc, 1, &ov);
  assert_string_equal(r.text,
                      "t.yaml:2:14: address 'h:0' has a port that is not a "
                      "number from 1 to 65535\n"
                      "t.yaml:3:5: unknown key 'intervall'; did you mean "
                      "'interval'?\n"
                      "t.yaml:4:11: name is empty\n"
                      "t.yaml:7:12: timeout '2' needs a unit: 250ms, 2s, 1m\n"
                      "--connect-timeout: must be greater than 0\n"
                      "TARGET 'db1': needs a port: host:port\n");
  assert_int_equal(r.diags.v[0].line, 2);
  assert_int_equal(r.diags.v[0].col, 14);
  assert_int_equal(r.diags.v[4].line, 0);
  tt_run_done(&r);
}

static void test_too_many_problems_are_cut(void **state) {
  size_t n = 1200;
  char *yaml = malloc(n * 20 + 16);
  size_t len;
  tt_cfgrun r;
  assert_non_null(yaml);
  len = (size_t)sprintf(yaml, "targets:\n");
  for (size_t i = 0; i < n; i++)
    len += (size_t)sprintf(yaml + len, "  - address: h%zu\n", i);
  tt_run_full(&r, yaml, len, NULL, 0, NULL);
  assert_int_equal(r.rc, -1);
  assert_int_equal(r.diags.n, 1001);
  assert_string_equal(r.diags.v[0].text,
                      "t.yaml:2:14: address 'h0' needs a port: host:port");
  assert_string_equal(r.diags.v[1000].text,
                      "too many problems; only the first 1000 are shown");
  tt_run_done(&r);
  free(yaml);
}

/* ---- the files in tests/configs and examples ---- */

static void check_bad_file(const char *name) {
  char err[512];
  tt_config_input in;
  char *expected;
  tt_cfgrun r;
  snprintf(err, sizeof(err), "%.*s.err", (int)(strlen(name) - 5), name);
  if (access(err, F_OK) != 0)
    return;
  expected = tt_slurp(err);
  memset(&in, 0, sizeof(in));
  in.path = name;
  tt_run_input(&r, &in);
  assert_int_equal(r.rc, -1);
  assert_string_equal(r.text, expected);
  free(expected);
  tt_run_done(&r);
}

static void check_good_file(const char *name) {
  tt_config_input in;
  tt_cfgrun r;
  memset(&in, 0, sizeof(in));
  in.path = name;
  tt_run_input(&r, &in);
  if (r.rc != 0)
    print_message("%s:\n%s", name, r.text);
  assert_int_equal(r.rc, 0);
  assert_true(r.cfg.ntargets > 0);
  tt_run_done(&r);
}

static void test_bad_configs_match_their_err_files(void **state) {
  assert_true(tt_each_yaml("TT_TESTS", "configs/bad", check_bad_file) >= 20);
}

static void test_good_configs_load(void **state) {
  assert_true(tt_each_yaml("TT_TESTS", "configs/good", check_good_file) >= 1);
}

static void test_examples_load(void **state) {
  assert_true(tt_each_yaml("TT_SRC", "examples", check_good_file) >= 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_options_beat_the_file),
    cmocka_unit_test(test_on_change_option_is_a_default),
    cmocka_unit_test(test_option_mode_with_send),
    cmocka_unit_test(test_option_timeout_above_interval),
    cmocka_unit_test(test_option_interval_below_timeout),
    cmocka_unit_test(test_option_interval_alone_takes_the_timeout_along),
    cmocka_unit_test(test_options_timeout_and_interval_together),
    cmocka_unit_test(test_option_mode_persistent_needs_send),
    cmocka_unit_test(test_option_send_in_connect_mode_needs_expect),
    cmocka_unit_test(test_option_values_are_checked),
    cmocka_unit_test(test_command_line_targets_alone),
    cmocka_unit_test(test_command_line_targets_follow_the_file),
    cmocka_unit_test(test_only_one_equals_sign),
    cmocka_unit_test(test_command_line_target_errors),
    cmocka_unit_test(test_command_line_names_must_be_unique),
    cmocka_unit_test(test_command_line_target_in_persistent_mode),
    cmocka_unit_test(test_command_line_family_conflict),
    cmocka_unit_test(test_nothing_to_load),
    cmocka_unit_test(test_every_problem_in_one_run_in_order),
    cmocka_unit_test(test_too_many_problems_are_cut),
    cmocka_unit_test(test_bad_configs_match_their_err_files),
    cmocka_unit_test(test_good_configs_load),
    cmocka_unit_test(test_examples_load),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
