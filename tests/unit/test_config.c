/* test_config.c - loading tether.yaml: the file as a whole, its keys, and
 * who each target is (names, addresses, tags), with the exact words of
 * every problem. */
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

/* ---- a valid file ---- */

static void test_one_target_gets_the_builtin_defaults(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(&r, "targets:\n  - address: db1:5432\n", 0);
  assert_int_equal(r.cfg.ntargets, 1);
  assert_string_equal(r.cfg.source, "t.yaml");
  assert_string_equal(t->name, "db1:5432");
  assert_string_equal(t->address, "db1:5432");
  assert_string_equal(t->host, "db1");
  assert_int_equal(t->port, 5432);
  assert_int_equal(t->literal_family, 0);
  assert_null(t->preset);
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_int_equal(t->interval_ms, 1000);
  assert_int_equal(t->timeout_ms, 1000);
  assert_int_equal(t->connect_timeout_ms, 2000);
  assert_int_equal(t->rtt_warn_ms, 0);
  assert_int_equal(t->miss_threshold, 3);
  assert_int_equal(t->max_reply, 4096);
  assert_int_equal(t->family, TT_FAMILY_AUTO);
  assert_int_equal(t->backoff_initial_ms, 500);
  /* While down, a retry at least once per interval: the backoff's max
   * follows the interval (30s only for intervals of 30s or more). */
  assert_int_equal(t->backoff_max_ms, 1000);
  assert_int_equal(t->followed, TT_BIT(TT_SET_BACKOFF_MAX));
  assert_null(t->send);
  assert_null(t->expect);
  tt_assert_bytes(t->reply_end, t->reply_end_len, "\n", 1);
  assert_int_equal(t->ntags, 0);
  assert_int_equal(t->line, 2);
  assert_int_equal(t->col, 5);
  tt_run_done(&r);
}

static void test_every_key_is_read(void **state) {
  static const char yaml[] = "targets:\n"
                             "  - name: cache-1\n"
                             "    address: 10.0.0.7:6379\n"
                             "    tags: [cache, prod]\n"
                             "    interval: 2s\n"
                             "    timeout: 1500ms\n"
                             "    connect_timeout: 3s\n"
                             "    miss_threshold: 5\n"
                             "    rtt_warn: 200ms\n"
                             "    max_reply: 512\n"
                             "    reply_end: \"\\r\\n\"\n"
                             "    family: ipv4\n"
                             "    backoff: {initial: 1s, max: 1m}\n"
                             "    mode: persistent\n"
                             "    send: \"PING\\r\\n\"\n"
                             "    expect: \"^\\\\+PONG\"\n";
  tt_cfgrun r;
  const tt_target *t = tt_accepts(&r, yaml, 0);
  assert_string_equal(t->name, "cache-1");
  assert_string_equal(t->host, "10.0.0.7");
  assert_int_equal(t->literal_family, 4);
  assert_int_equal(t->ntags, 2);
  assert_string_equal(t->tags[0], "cache");
  assert_string_equal(t->tags[1], "prod");
  assert_int_equal(t->interval_ms, 2000);
  assert_int_equal(t->timeout_ms, 1500);
  assert_int_equal(t->connect_timeout_ms, 3000);
  assert_int_equal(t->miss_threshold, 5);
  assert_int_equal(t->rtt_warn_ms, 200);
  assert_int_equal(t->max_reply, 512);
  tt_assert_bytes(t->reply_end, t->reply_end_len, "\r\n", 2);
  assert_int_equal(t->family, TT_FAMILY_IPV4);
  assert_int_equal(t->backoff_initial_ms, 1000);
  assert_int_equal(t->backoff_max_ms, 60000);
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  tt_assert_bytes(t->send, t->send_len, "PING\r\n", 6);
  assert_string_equal(t->expect, "^\\+PONG");
  tt_run_done(&r);
}

static void test_targets_keep_their_order(void **state) {
  tt_cfgrun r;
  tt_accepts(&r,
          "targets:\n  - address: c:1\n  - address: a:1\n  - address: b:1\n",
          0);
  assert_int_equal(r.cfg.ntargets, 3);
  assert_string_equal(r.cfg.targets[0].name, "c:1");
  assert_string_equal(r.cfg.targets[1].name, "a:1");
  assert_string_equal(r.cfg.targets[2].name, "b:1");
  assert_int_equal(r.cfg.targets[2].line, 4);
  tt_run_done(&r);
}

static void test_flow_style_is_yaml_too(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "{targets: [{address: h:1, name: x}], defaults: {interval: 5s}}", 0);
  assert_string_equal(t->name, "x");
  assert_int_equal(t->interval_ms, 5000);
  assert_int_equal(t->line, 1);
  assert_int_equal(t->col, 12);
  tt_run_done(&r);
}

static void test_send_keeps_nul_bytes(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "targets:\n  - address: h:1\n    send: \"a\\0b\"\n    expect: b\n",
      0);
  tt_assert_bytes(t->send, t->send_len, "a\0b", 3);
  tt_run_done(&r);
}

static void test_anchors_alone_are_harmless(void **state) {
  tt_cfgrun r;
  const tt_target *t =
      tt_accepts(&r, "targets:\n  - &first\n    address: h:1\n", 0);
  assert_string_equal(t->name, "h:1");
  tt_run_done(&r);
}

static void test_document_markers_are_fine(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "---\ntargets:\n  - address: h:1\n...\n", 0);
  tt_run_done(&r);
}

static void test_path_is_read_and_named(void **state) {
  char path[] = "/tmp/tt-config-XXXXXX";
  static const char yaml[] = "targets:\n  - address: h:1\n";
  int fd = mkstemp(path);
  tt_config_input in;
  tt_cfgrun r;
  assert_true(fd >= 0);
  assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), sizeof(yaml) - 1);
  close(fd);
  memset(&in, 0, sizeof(in));
  in.path = path;
  tt_run_input(&r, &in);
  unlink(path);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.cfg.source, path);
  tt_run_done(&r);
}

/* ---- the file as a whole ---- */

static void test_unreadable_file(void **state) {
  tt_config_input in;
  tt_cfgrun r;
  memset(&in, 0, sizeof(in));
  in.path = "/nonexistent/tether.yaml";
  tt_run_input(&r, &in);
  assert_int_equal(r.rc, -1);
  assert_string_equal(r.text, "/nonexistent/tether.yaml: cannot read: No such "
                              "file or directory\n");
  assert_int_equal(r.diags.v[0].line, 0);
  tt_run_done(&r);
}

static void test_directory_is_unreadable(void **state) {
  tt_config_input in;
  tt_cfgrun r;
  memset(&in, 0, sizeof(in));
  in.path = "/";
  tt_run_input(&r, &in);
  assert_string_equal(r.text, "/: cannot read: Is a directory\n");
  tt_run_done(&r);
}

static void test_empty_file(void **state) {
  tt_refuses("", "t.yaml:1:1: the file is empty; expected a mapping with "
              "targets: (and optionally defaults:)\n");
}

static void test_comments_only_file(void **state) {
  tt_refuses("# nothing yet\n\n   # still nothing\n",
          "t.yaml:1:1: the file is empty; expected a mapping with targets: "
          "(and optionally defaults:)\n");
}

static void test_empty_file_even_with_command_line_targets(void **state) {
  char *adhoc[] = {"h:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, "", adhoc, 1);
  assert_string_equal(r.text, "t.yaml:1:1: the file is empty; expected a "
                              "mapping with targets: (and optionally "
                              "defaults:)\n");
  tt_run_done(&r);
}

static void test_top_level_must_be_a_mapping(void **state) {
  tt_refuses("- address: h:1\n",
          "t.yaml:1:1: expected a mapping with targets: (and optionally "
          "defaults:), found a list\n");
  tt_refuses("hello\n", "t.yaml:1:1: expected a mapping with targets: (and "
                     "optionally defaults:), found 'hello'\n");
}

static void test_syntax_error_stops_loading(void **state) {
  /* The unknown key before the error is not reported: nothing is
   * checked in a file that could not be read. */
  tt_refuses("targetz:\n  - address: h:1\n   name: x\n",
          "t.yaml:3:4: did not find expected '-' indicator while parsing a "
          "block collection that started at 2:3\n");
}

static void test_unterminated_quote(void **state) {
  tt_refuses("targets:\n  - address: \"h:1\n  - address: h:2\n",
          "t.yaml:4:1: found unexpected end of stream while scanning a quoted "
          "scalar that started at 2:14\n");
}

static void test_tab_indentation(void **state) {
  tt_refuses("targets:\n\t- address: h:1\n",
          "t.yaml:2:1: found character that cannot start any token while "
          "scanning for the next token\n");
}

static void test_invalid_utf8(void **state) {
  tt_refuses("targets:\n  - name: caf\xe9\n",
          "t.yaml:2:14: incomplete UTF-8 octet sequence; the file must be "
          "UTF-8\n");
  tt_refuses("targets:\n  - name: \xff\n",
          "t.yaml:2:11: invalid leading UTF-8 octet (0xFF); the file must be "
          "UTF-8\n");
}

static void test_alias_is_refused_where_it_stands(void **state) {
  tt_refuses("defaults: &d\n  interval: 2s\ntargets:\n  - address: h:1\n"
          "    interval: *i\n",
          "t.yaml:5:15: aliases (*i) are not supported\n");
}

static void test_every_alias_is_reported(void **state) {
  tt_refuses("targets:\n  - &t {address: h:1}\n  - *t\n  - *t\n",
          "t.yaml:3:5: aliases (*t) are not supported\n"
          "t.yaml:4:5: aliases (*t) are not supported\n");
}

static void test_billion_laughs_is_refused_at_once(void **state) {
  tt_refuses("a: &a [x, x, x, x, x, x, x, x, x]\n"
          "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
          "targets: [*b]\n",
          "t.yaml:2:8: aliases (*a) are not supported\n"
          "t.yaml:2:12: aliases (*a) are not supported\n"
          "t.yaml:2:16: aliases (*a) are not supported\n"
          "t.yaml:2:20: aliases (*a) are not supported\n"
          "t.yaml:2:24: aliases (*a) are not supported\n"
          "t.yaml:2:28: aliases (*a) are not supported\n"
          "t.yaml:2:32: aliases (*a) are not supported\n"
          "t.yaml:2:36: aliases (*a) are not supported\n"
          "t.yaml:2:40: aliases (*a) are not supported\n"
          "t.yaml:3:11: aliases (*b) are not supported\n");
}

static void test_merge_key_is_refused(void **state) {
  tt_refuses("targets:\n  - <<: {interval: 2s}\n    address: h:1\n",
          "t.yaml:2:5: merge keys (<<) are not supported\n");
}

/* Nesting of depth levels: the top mapping and depth - 1 lists. */
static char *nested(int depth) {
  char *s = malloc((size_t)depth * 2 + 32);
  size_t n = 0;
  assert_non_null(s);
  n += (size_t)sprintf(s, "targets: ");
  for (int i = 1; i < depth; i++)
    s[n++] = '[';
  for (int i = 1; i < depth; i++)
    s[n++] = ']';
  s[n++] = '\n';
  s[n] = '\0';
  return s;
}

static void test_nesting_of_16_levels_is_read(void **state) {
  char *yaml = nested(16);
  /* Read, then refused for what it holds, not for its depth. */
  tt_refuses(yaml, "t.yaml:1:11: expected a target (a mapping such as {address: "
                "db1:5432}), found a list\n");
  free(yaml);
}

static void test_nesting_deeper_than_16_levels_is_refused(void **state) {
  char *yaml = nested(100000);
  tt_refuses(yaml, "t.yaml:1:25: nesting is deeper than 16 levels\n");
  free(yaml);
}

static void test_one_document_only(void **state) {
  tt_refuses("targets:\n  - address: h:1\n---\ntargets:\n  - address: h:2\n",
          "t.yaml:3:1: a second document starts here; a config is one "
          "document\n");
}

static void test_file_larger_than_16_mib(void **state) {
  size_t len = (16u << 20) + 1;
  char *yaml = malloc(len);
  tt_cfgrun r;
  assert_non_null(yaml);
  memset(yaml, '#', len);
  tt_run_full(&r, yaml, len, NULL, 0, NULL);
  assert_string_equal(r.text, "t.yaml: is larger than 16 MiB\n");
  tt_run_done(&r);
  free(yaml);
}

static void test_file_on_disk_larger_than_16_mib(void **state) {
  char path[] = "/tmp/tt-config-XXXXXX";
  int fd = mkstemp(path);
  tt_config_input in;
  char *expected;
  tt_cfgrun r;
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
  close(fd);
  memset(&in, 0, sizeof(in));
  in.path = path;
  tt_run_input(&r, &in);
  unlink(path);
  assert_int_equal(asprintf(&expected, "%s: is larger than 16 MiB\n", path) > 0,
                   1);
  assert_string_equal(r.text, expected);
  free(expected);
  tt_run_done(&r);
}

static void test_exactly_16_mib_is_read(void **state) {
  size_t len = 16u << 20;
  char *yaml = malloc(len);
  static const char head[] = "targets:\n  - address: h:1\n";
  tt_cfgrun r;
  assert_non_null(yaml);
  memset(yaml, ' ', len);
  memcpy(yaml, head, sizeof(head) - 1);
  yaml[len - 1] = '\n';
  tt_run_full(&r, yaml, len, NULL, 0, NULL);
  assert_int_equal(r.rc, 0);
  tt_run_done(&r);
  free(yaml);
}

static void test_too_many_values(void **state) {
  /* A flow list of 4 million and one tiny scalars. */
  size_t n = 4000001, len = 0;
  char *yaml = malloc(n * 2 + 16);
  tt_cfgrun r;
  assert_non_null(yaml);
  len += (size_t)sprintf(yaml, "targets: [");
  for (size_t i = 0; i < n; i++) {
    yaml[len++] = 'a';
    yaml[len++] = ',';
  }
  yaml[len - 1] = ']';
  tt_run_full(&r, yaml, len, NULL, 0, NULL);
  assert_string_equal(
      r.text, "t.yaml:1:8000005: too many values (more than 4000000)\n");
  tt_run_done(&r);
  free(yaml);
}

static void test_too_many_targets(void **state) {
  size_t n = TT_MAX_TARGETS + 1;
  char **adhoc = malloc(n * sizeof(*adhoc));
  tt_cfgrun r;
  assert_non_null(adhoc);
  for (size_t i = 0; i < n; i++)
    adhoc[i] = "h:1";
  tt_run_adhoc(&r, NULL, adhoc, n);
  assert_string_equal(r.text, "too many targets (more than 1000000)\n");
  tt_run_done(&r);
  free(adhoc);
}

/* ---- targets: and defaults: ---- */

static void test_missing_targets(void **state) {
  tt_refuses("defaults:\n  interval: 2s\n",
          "t.yaml:1:1: no targets: add a targets: list, or give targets on "
          "the command line\n");
}

static void test_defaults_only_file_with_command_line_targets(void **state) {
  char *adhoc[] = {"h:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, "defaults:\n  interval: 2s\n", adhoc, 1);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.ntargets, 1);
  assert_int_equal(r.cfg.targets[0].interval_ms, 2000);
  tt_run_done(&r);
}

static void test_empty_targets_list(void **state) {
  tt_refuses("targets: []\n", "t.yaml:1:10: targets is empty; list at least one "
                           "target, or give targets on the command line\n");
}

static void test_null_targets(void **state) {
  tt_refuses("targets:\n", "t.yaml:1:9: targets is empty; list at least one "
                        "target, or give targets on the command line\n");
}

static void test_empty_targets_with_command_line_targets(void **state) {
  char *adhoc[] = {"h:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, "targets: []\n", adhoc, 1);
  assert_int_equal(r.rc, 0);
  tt_run_done(&r);
}

static void test_targets_must_be_a_list(void **state) {
  tt_refuses("targets:\n  address: h:1\n",
          "t.yaml:2:3: targets: expected a list of targets, found a mapping\n");
  tt_refuses("targets: h:1\n",
          "t.yaml:1:10: targets: expected a list of targets, found 'h:1'\n");
}

static void test_target_must_be_a_mapping(void **state) {
  tt_refuses("targets:\n  - db1:5432\n  -\n  - [a]\n",
          "t.yaml:2:5: expected a target (a mapping such as {address: "
          "db1:5432}), found 'db1:5432'\n"
          "t.yaml:3:4: expected a target (a mapping such as {address: "
          "db1:5432}), found nothing\n"
          "t.yaml:4:5: expected a target (a mapping such as {address: "
          "db1:5432}), found a list\n");
}

static void test_defaults_must_be_a_mapping(void **state) {
  tt_refuses("defaults: [interval]\ntargets:\n  - address: h:1\n",
          "t.yaml:1:11: defaults: expected a mapping of settings, found a "
          "list\n");
}

static void test_empty_defaults_are_fine(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "defaults:\ntargets:\n  - address: h:1\n", 0);
  tt_run_done(&r);
}

/* ---- keys ---- */

static void test_unknown_key_with_a_suggestion(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    intervall: 2s\n",
          "t.yaml:3:5: unknown key 'intervall'; did you mean 'interval'?\n");
}

static void test_unknown_key_suggestion_ignores_case(void **state) {
  tt_refuses("targets:\n  - Address: h:1\n",
          "t.yaml:2:5: unknown key 'Address'; did you mean 'address'?\n");
}

static void test_unknown_key_lists_the_valid_keys(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    retries: 3\n",
          "t.yaml:3:5: unknown key 'retries'; valid keys: name, address, "
          "host, port, tags, preset, mode, send, expect, interval, timeout, "
          "connect_timeout, miss_threshold, rtt_warn, max_reply, reply_end, "
          "reply_bytes, path, status, family, backoff, addresses, resolve_every, tls, server_name, ca_file, insecure, cert_warn, "
          "on_change, hook_timeout\n");
}

static void test_unknown_key_in_defaults(void **state) {
  tt_refuses("defaults:\n  retries: 3\ntargets:\n  - address: h:1\n",
          "t.yaml:2:3: unknown key 'retries'; valid keys: preset, mode, "
          "send, expect, interval, timeout, connect_timeout, miss_threshold, "
          "rtt_warn, max_reply, reply_end, reply_bytes, path, status, "
          "family, backoff, addresses, resolve_every, tls, server_name, ca_file, insecure, cert_warn, "
          "on_change, hook_timeout, hook_limit\n");
}

static void test_unknown_key_at_the_top(void **state) {
  tt_refuses("target:\n  - address: h:1\n",
          "t.yaml:1:1: unknown key 'target'; did you mean 'targets'?\n");
  tt_refuses("servers: []\ntargets:\n  - address: h:1\n",
          "t.yaml:1:1: unknown key 'servers'; valid keys: defaults, "
          "targets\n");
}

static void test_unknown_key_in_backoff(void **state) {
  tt_refuses("defaults:\n  backoff: {initial: 1s, maximum: 5s}\ntargets:\n"
          "  - address: h:1\n",
          "t.yaml:2:26: unknown key 'maximum'; valid keys: initial, max\n");
  tt_refuses("defaults:\n  backoff: {intial: 1s}\ntargets:\n  - address: h:1\n",
          "t.yaml:2:13: unknown key 'intial'; did you mean 'initial'?\n");
}

static void test_keys_in_the_wrong_place(void **state) {
  tt_refuses("interval: 2s\ndefaults:\n  address: h:1\ntargets:\n"
          "  - address: h:1\n    defaults: {}\nname: x\n",
          "t.yaml:1:1: 'interval' belongs under defaults: or in a target\n"
          "t.yaml:3:3: 'address' belongs in a target, not in defaults:\n"
          "t.yaml:6:5: 'defaults' belongs at the top level\n"
          "t.yaml:7:1: 'name' belongs in a target, under targets:\n");
}

static void test_duplicate_key(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    interval: 1s\n    interval: 2s\n",
          "t.yaml:4:5: duplicate key 'interval' (first at 3:5)\n");
}

static void test_duplicate_key_at_the_top(void **state) {
  tt_refuses("targets:\n  - address: h:1\ntargets:\n  - address: h:2\n",
          "t.yaml:3:1: duplicate key 'targets' (first at 1:1)\n");
}

static void test_key_must_be_a_string(void **state) {
  tt_refuses("targets:\n  - ? [a]\n    : 1\n    address: h:1\n",
          "t.yaml:2:7: keys must be strings, found a list\n");
}

static void test_key_with_a_nul_is_unknown(void **state) {
  tt_refuses("targets:\n  - \"name\\0\": x\n    address: h:1\n",
          "t.yaml:2:5: unknown key 'name\\x00'; valid keys: name, address, "
          "host, port, tags, preset, mode, send, expect, interval, timeout, "
          "connect_timeout, miss_threshold, rtt_warn, max_reply, reply_end, "
          "reply_bytes, path, status, family, backoff, addresses, resolve_every, tls, server_name, ca_file, insecure, cert_warn, "
          "on_change, hook_timeout\n");
}

/* ---- names ---- */

static void test_name_defaults_to_the_address(void **state) {
  tt_cfgrun r;
  tt_accepts(&r,
          "targets:\n  - address: \"[::1]:80\"\n  - host: ::1\n    port: 81\n"
          "  - host: db1\n    port: \"082\"\n",
          0);
  assert_string_equal(r.cfg.targets[0].name, "[::1]:80");
  assert_string_equal(r.cfg.targets[1].name, "[::1]:81");
  assert_string_equal(r.cfg.targets[1].address, "[::1]:81");
  assert_string_equal(r.cfg.targets[2].name, "db1:82");
  tt_run_done(&r);
}

static void test_duplicate_names(void **state) {
  tt_refuses("targets:\n  - name: a\n    address: h:1\n  - name: a\n"
          "    address: h:2\n",
          "t.yaml:4:11: duplicate target name 'a' (first at 2:5)\n");
}

static void test_duplicate_defaulted_names(void **state) {
  tt_refuses("targets:\n  - address: h:1\n  - name: x\n    address: h:2\n"
          "  - address: h:1\n",
          "t.yaml:5:5: duplicate target name 'h:1' (first at 2:5)\n");
}

static void test_explicit_name_equal_to_a_defaulted_one(void **state) {
  tt_refuses("targets:\n  - address: h:1\n  - name: h:1\n    address: h:2\n",
          "t.yaml:3:11: duplicate target name 'h:1' (first at 2:5)\n");
}

static void test_name_bounds(void **state) {
  char yaml[512];
  char name[128];
  tt_cfgrun r;
  memset(name, 'n', 100);
  name[100] = '\0';
  snprintf(yaml, sizeof(yaml), "targets:\n  - name: %s\n    address: h:1\n",
           name);
  tt_accepts(&r, yaml, 0);
  tt_run_done(&r);
  snprintf(yaml, sizeof(yaml), "targets:\n  - name: %sn\n    address: h:1\n",
           name);
  tt_refuses(yaml, "t.yaml:2:11: name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
                "nnnnnnnnnnnnnnnnnnnnnn...' is longer than 100 bytes\n");
}

static void test_name_errors(void **state) {
  tt_refuses("targets:\n  - name: \"\"\n    address: h:1\n"
          "  - name: \"a\\tb\"\n    address: h:2\n"
          "  - name: \"a\\u0085b\"\n    address: h:3\n"
          "  - name: \"a\\0b\"\n    address: h:4\n"
          "  - name:\n    address: h:5\n"
          "  - name: [a]\n    address: h:6\n",
          "t.yaml:2:11: name is empty\n"
          "t.yaml:4:11: name 'a\\tb' must not contain control characters\n"
          "t.yaml:6:11: name 'a\\xc2\\x85b' must not contain U+0085 NEXT "
          "LINE\n"
          "t.yaml:8:11: name must not contain a NUL byte\n"
          "t.yaml:10:10: name: expected a string, found nothing\n"
          "t.yaml:12:11: name: expected a string, found a list\n");
}

static void test_unicode_names_are_fine(void **state) {
  tt_cfgrun r;
  const tt_target *t =
      tt_accepts(&r, "targets:\n  - name: café ☕\n    address: h:1\n", 0);
  assert_string_equal(t->name, "café ☕");
  tt_run_done(&r);
}

/* ---- addresses ---- */

static void test_address_errors(void **state) {
  tt_refuses("targets:\n"
          "  - address: ::1:80\n"
          "  - address: db1\n"
          "  - address: db1:0\n"
          "  - address: db1:65536\n"
          "  - address: db1:abc\n"
          "  - address: \"\"\n"
          "  - address: \"db 1:80\"\n"
          "  - address: http://db1:80\n"
          "  - address: [db1]\n",
          "t.yaml:2:14: address '::1:80' looks like an IPv6 address; write it "
          "in brackets: [::1]:8080\n"
          "t.yaml:3:14: address 'db1' needs a port: host:port\n"
          "t.yaml:4:14: address 'db1:0' has a port that is not a number from "
          "1 to 65535\n"
          "t.yaml:5:14: address 'db1:65536' has a port that is not a number "
          "from 1 to 65535\n"
          "t.yaml:6:14: address 'db1:abc' has a port that is not a number "
          "from 1 to 65535\n"
          "t.yaml:7:14: address '' is empty; write host:port\n"
          "t.yaml:8:14: address 'db 1:80' must not contain spaces or control "
          "characters\n"
          "t.yaml:9:14: address 'http://db1:80' is a URL; write host:port "
          "(and choose the protocol with a preset)\n"
          "t.yaml:10:14: address: expected host:port, found a list\n");
}

static void test_host_and_port_errors(void **state) {
  tt_refuses("targets:\n"
          "  - host: \"db 1\"\n    port: 0\n"
          "  - host: db1:80\n    port: 80\n"
          "  - host: db1\n    port: \"+1\"\n",
          "t.yaml:2:11: host 'db 1' must not contain spaces or control "
          "characters\n"
          "t.yaml:3:11: port '0' must be from 1 to 65535\n"
          "t.yaml:4:11: host 'db1:80' is neither a host name nor an IPv6 "
          "address (a port goes in port:)\n"
          "t.yaml:7:11: port '+1' must be a number from 1 to 65535\n");
}

static void test_address_and_host_together(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    host: h\n    port: 1\n",
          "t.yaml:4:5: give either address or host and port, not both\n");
}

static void test_host_without_port(void **state) {
  tt_refuses("targets:\n  - host: h\n",
          "t.yaml:2:5: host needs port (or write address: host:port)\n");
}

static void test_port_without_host(void **state) {
  tt_refuses("targets:\n  - name: x\n    port: 80\n",
          "t.yaml:3:5: port needs host (or write address: host:port)\n");
}

static void test_no_address_at_all(void **state) {
  tt_refuses("targets:\n  - name: x\n",
          "t.yaml:2:5: this target has no address; add address: host:port "
          "(or host: and port:)\n");
}

static void test_misspelt_address_is_not_also_missing(void **state) {
  tt_refuses("targets:\n  - adress: h:1\n",
          "t.yaml:2:5: unknown key 'adress'; did you mean 'address'?\n");
}

/* ---- tags ---- */

static void test_tags(void **state) {
  tt_cfgrun r;
  const tt_target *t =
      tt_accepts(&r, "targets:\n  - address: h:1\n    tags:\n      - a\n"
                  "      - \"b c\"\n",
              0);
  assert_int_equal(t->ntags, 2);
  assert_string_equal(t->tags[1], "b c");
  tt_run_done(&r);
}

static void test_tag_errors(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    tags: [ok, \"\", [x], \"a\\nb\", "
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
          "  - address: h:2\n    tags: prod\n",
          "t.yaml:3:16: tag is empty\n"
          "t.yaml:3:20: tag: expected a string, found a list\n"
          "t.yaml:3:25: tag 'a\\nb' must not contain control characters\n"
          "t.yaml:3:33: tag 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaa...' is longer than 64 bytes\n"
          "t.yaml:5:11: tags: expected a list of strings such as [cache, "
          "prod], found 'prod'\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_one_target_gets_the_builtin_defaults),
    cmocka_unit_test(test_every_key_is_read),
    cmocka_unit_test(test_targets_keep_their_order),
    cmocka_unit_test(test_flow_style_is_yaml_too),
    cmocka_unit_test(test_send_keeps_nul_bytes),
    cmocka_unit_test(test_anchors_alone_are_harmless),
    cmocka_unit_test(test_document_markers_are_fine),
    cmocka_unit_test(test_path_is_read_and_named),
    cmocka_unit_test(test_unreadable_file),
    cmocka_unit_test(test_directory_is_unreadable),
    cmocka_unit_test(test_empty_file),
    cmocka_unit_test(test_comments_only_file),
    cmocka_unit_test(test_empty_file_even_with_command_line_targets),
    cmocka_unit_test(test_top_level_must_be_a_mapping),
    cmocka_unit_test(test_syntax_error_stops_loading),
    cmocka_unit_test(test_unterminated_quote),
    cmocka_unit_test(test_tab_indentation),
    cmocka_unit_test(test_invalid_utf8),
    cmocka_unit_test(test_alias_is_refused_where_it_stands),
    cmocka_unit_test(test_every_alias_is_reported),
    cmocka_unit_test(test_billion_laughs_is_refused_at_once),
    cmocka_unit_test(test_merge_key_is_refused),
    cmocka_unit_test(test_nesting_of_16_levels_is_read),
    cmocka_unit_test(test_nesting_deeper_than_16_levels_is_refused),
    cmocka_unit_test(test_one_document_only),
    cmocka_unit_test(test_file_larger_than_16_mib),
    cmocka_unit_test(test_file_on_disk_larger_than_16_mib),
    cmocka_unit_test(test_exactly_16_mib_is_read),
    cmocka_unit_test(test_too_many_values),
    cmocka_unit_test(test_too_many_targets),
    cmocka_unit_test(test_missing_targets),
    cmocka_unit_test(test_defaults_only_file_with_command_line_targets),
    cmocka_unit_test(test_empty_targets_list),
    cmocka_unit_test(test_null_targets),
    cmocka_unit_test(test_empty_targets_with_command_line_targets),
    cmocka_unit_test(test_targets_must_be_a_list),
    cmocka_unit_test(test_target_must_be_a_mapping),
    cmocka_unit_test(test_defaults_must_be_a_mapping),
    cmocka_unit_test(test_empty_defaults_are_fine),
    cmocka_unit_test(test_unknown_key_with_a_suggestion),
    cmocka_unit_test(test_unknown_key_suggestion_ignores_case),
    cmocka_unit_test(test_unknown_key_lists_the_valid_keys),
    cmocka_unit_test(test_unknown_key_in_defaults),
    cmocka_unit_test(test_unknown_key_at_the_top),
    cmocka_unit_test(test_unknown_key_in_backoff),
    cmocka_unit_test(test_keys_in_the_wrong_place),
    cmocka_unit_test(test_duplicate_key),
    cmocka_unit_test(test_duplicate_key_at_the_top),
    cmocka_unit_test(test_key_must_be_a_string),
    cmocka_unit_test(test_key_with_a_nul_is_unknown),
    cmocka_unit_test(test_name_defaults_to_the_address),
    cmocka_unit_test(test_duplicate_names),
    cmocka_unit_test(test_duplicate_defaulted_names),
    cmocka_unit_test(test_explicit_name_equal_to_a_defaulted_one),
    cmocka_unit_test(test_name_bounds),
    cmocka_unit_test(test_name_errors),
    cmocka_unit_test(test_unicode_names_are_fine),
    cmocka_unit_test(test_address_errors),
    cmocka_unit_test(test_host_and_port_errors),
    cmocka_unit_test(test_address_and_host_together),
    cmocka_unit_test(test_host_without_port),
    cmocka_unit_test(test_port_without_host),
    cmocka_unit_test(test_no_address_at_all),
    cmocka_unit_test(test_misspelt_address_is_not_also_missing),
    cmocka_unit_test(test_tags),
    cmocka_unit_test(test_tag_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
