/* test_config.c - loading tether.yaml and command-line targets: the file's
 * structure, every key and value, the layers from built-in defaults to
 * command-line options, and the exact words of every problem. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* ---- helpers ---- */

typedef struct run {
  int rc;
  tt_config cfg;
  tt_diags diags;
  char *text; /* every diag's text, each followed by "\n" */
} run;

static void join_diags(run *r) {
  size_t len = 0;
  for (size_t i = 0; i < r->diags.n; i++)
    len += strlen(r->diags.v[i].text) + 1;
  r->text = malloc(len + 1);
  assert_non_null(r->text);
  r->text[0] = '\0';
  for (size_t i = 0; i < r->diags.n; i++) {
    strcat(r->text, r->diags.v[i].text);
    strcat(r->text, "\n");
  }
}

static void load_input(run *r, tt_config_input *in) {
  memset(r, 0, sizeof(*r));
  tt_diags_init(&r->diags);
  r->rc = tt_config_load(in, &r->cfg, &r->diags);
  join_diags(r);
  if (r->rc != 0) {
    /* On failure nothing is left to free. */
    assert_int_equal(r->cfg.ntargets, 0);
    assert_null(r->cfg.targets);
    assert_null(r->cfg.source);
    assert_true(r->diags.n > 0);
  } else {
    assert_int_equal(r->diags.n, 0);
  }
}

/* Loads YAML text named "t.yaml", with command-line targets and options. */
static void load_full(run *r, const char *yaml, size_t len, char *const *adhoc,
                      size_t nadhoc, const tt_settings *overrides) {
  tt_config_input in;
  memset(&in, 0, sizeof(in));
  in.buffer = yaml;
  in.buffer_len = len;
  in.buffer_name = yaml ? "t.yaml" : NULL;
  in.adhoc = adhoc;
  in.nadhoc = nadhoc;
  in.overrides = overrides;
  load_input(r, &in);
}

static void load(run *r, const char *yaml) {
  load_full(r, yaml, strlen(yaml), NULL, 0, NULL);
}

static void load_ov(run *r, const char *yaml, const tt_settings *ov) {
  load_full(r, yaml, strlen(yaml), NULL, 0, ov);
}

static void load_adhoc(run *r, const char *yaml, char *const *adhoc,
                       size_t n) {
  load_full(r, yaml, yaml ? strlen(yaml) : 0, adhoc, n, NULL);
}

static void done(run *r) {
  tt_config_free(&r->cfg);
  tt_diags_free(&r->diags);
  free(r->text);
}

/* Asserts that yaml is refused with exactly the diagnostics expected. */
static void refuses(const char *yaml, const char *expected) {
  run r;
  load(&r, yaml);
  assert_int_equal(r.rc, -1);
  assert_string_equal(r.text, expected);
  done(&r);
}

/* Loads yaml, which must be valid, and returns target i by copy of its
 * run (the caller calls done()). */
static const tt_target *accepts(run *r, const char *yaml, size_t i) {
  load(r, yaml);
  assert_string_equal(r->text, "");
  assert_int_equal(r->rc, 0);
  assert_true(i < r->cfg.ntargets);
  return &r->cfg.targets[i];
}

static void assert_bytes(const char *got, size_t got_len, const char *want,
                         size_t want_len) {
  assert_non_null(got);
  assert_int_equal(got_len, want_len);
  assert_memory_equal(got, want, want_len);
}

/* ---- a valid file ---- */

static void test_one_target_gets_the_builtin_defaults(void **state) {
  run r;
  const tt_target *t = accepts(&r, "targets:\n  - address: db1:5432\n", 0);
  assert_int_equal(r.cfg.ntargets, 1);
  assert_string_equal(r.cfg.source, "t.yaml");
  assert_string_equal(t->name, "db1:5432");
  assert_string_equal(t->address, "db1:5432");
  assert_string_equal(t->host, "db1");
  assert_int_equal(t->port, 5432);
  assert_int_equal(t->literal_family, 0);
  assert_null(t->preset);
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_int_equal(t->interval_ms, TT_DEFAULT_INTERVAL_MS);
  assert_int_equal(t->timeout_ms, TT_DEFAULT_TIMEOUT_MS);
  assert_int_equal(t->connect_timeout_ms, TT_DEFAULT_CONNECT_TIMEOUT_MS);
  assert_int_equal(t->rtt_warn_ms, 0);
  assert_int_equal(t->miss_threshold, TT_DEFAULT_MISS_THRESHOLD);
  assert_int_equal(t->max_reply, TT_DEFAULT_MAX_REPLY);
  assert_int_equal(t->family, TT_FAMILY_AUTO);
  assert_int_equal(t->backoff_initial_ms, TT_DEFAULT_BACKOFF_INITIAL_MS);
  assert_int_equal(t->backoff_max_ms, TT_DEFAULT_BACKOFF_MAX_MS);
  assert_null(t->send);
  assert_null(t->expect);
  assert_null(t->banner);
  assert_bytes(t->reply_end, t->reply_end_len, "\n", 1);
  assert_int_equal(t->ntags, 0);
  assert_int_equal(t->line, 2);
  assert_int_equal(t->col, 5);
  done(&r);
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
  run r;
  const tt_target *t = accepts(&r, yaml, 0);
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
  assert_bytes(t->reply_end, t->reply_end_len, "\r\n", 2);
  assert_int_equal(t->family, TT_FAMILY_IPV4);
  assert_int_equal(t->backoff_initial_ms, 1000);
  assert_int_equal(t->backoff_max_ms, 60000);
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len, "PING\r\n", 6);
  assert_string_equal(t->expect, "^\\+PONG");
  done(&r);
}

static void test_targets_keep_their_order(void **state) {
  run r;
  accepts(&r,
          "targets:\n  - address: c:1\n  - address: a:1\n  - address: b:1\n",
          0);
  assert_int_equal(r.cfg.ntargets, 3);
  assert_string_equal(r.cfg.targets[0].name, "c:1");
  assert_string_equal(r.cfg.targets[1].name, "a:1");
  assert_string_equal(r.cfg.targets[2].name, "b:1");
  assert_int_equal(r.cfg.targets[2].line, 4);
  done(&r);
}

static void test_flow_style_is_yaml_too(void **state) {
  run r;
  const tt_target *t = accepts(
      &r, "{targets: [{address: h:1, name: x}], defaults: {interval: 5s}}", 0);
  assert_string_equal(t->name, "x");
  assert_int_equal(t->interval_ms, 5000);
  assert_int_equal(t->line, 1);
  assert_int_equal(t->col, 12);
  done(&r);
}

static void test_send_keeps_nul_bytes(void **state) {
  run r;
  const tt_target *t = accepts(
      &r, "targets:\n  - address: h:1\n    send: \"a\\0b\"\n    expect: b\n",
      0);
  assert_bytes(t->send, t->send_len, "a\0b", 3);
  done(&r);
}

static void test_anchors_alone_are_harmless(void **state) {
  run r;
  const tt_target *t =
      accepts(&r, "targets:\n  - &first\n    address: h:1\n", 0);
  assert_string_equal(t->name, "h:1");
  done(&r);
}

static void test_document_markers_are_fine(void **state) {
  run r;
  accepts(&r, "---\ntargets:\n  - address: h:1\n...\n", 0);
  done(&r);
}

static void test_path_is_read_and_named(void **state) {
  char path[] = "/tmp/tt-config-XXXXXX";
  static const char yaml[] = "targets:\n  - address: h:1\n";
  int fd = mkstemp(path);
  tt_config_input in;
  run r;
  assert_true(fd >= 0);
  assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), sizeof(yaml) - 1);
  close(fd);
  memset(&in, 0, sizeof(in));
  in.path = path;
  load_input(&r, &in);
  unlink(path);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.cfg.source, path);
  done(&r);
}

/* ---- the file as a whole ---- */

static void test_unreadable_file(void **state) {
  tt_config_input in;
  run r;
  memset(&in, 0, sizeof(in));
  in.path = "/nonexistent/tether.yaml";
  load_input(&r, &in);
  assert_int_equal(r.rc, -1);
  assert_string_equal(r.text, "/nonexistent/tether.yaml: cannot read: No such "
                              "file or directory\n");
  assert_int_equal(r.diags.v[0].line, 0);
  done(&r);
}

static void test_directory_is_unreadable(void **state) {
  tt_config_input in;
  run r;
  memset(&in, 0, sizeof(in));
  in.path = "/";
  load_input(&r, &in);
  assert_string_equal(r.text, "/: cannot read: Is a directory\n");
  done(&r);
}

static void test_empty_file(void **state) {
  refuses("", "t.yaml:1:1: the file is empty; expected a mapping with "
              "targets: (and optionally defaults:)\n");
}

static void test_comments_only_file(void **state) {
  refuses("# nothing yet\n\n   # still nothing\n",
          "t.yaml:1:1: the file is empty; expected a mapping with targets: "
          "(and optionally defaults:)\n");
}

static void test_empty_file_even_with_command_line_targets(void **state) {
  char *adhoc[] = {"h:1"};
  run r;
  load_adhoc(&r, "", adhoc, 1);
  assert_string_equal(r.text, "t.yaml:1:1: the file is empty; expected a "
                              "mapping with targets: (and optionally "
                              "defaults:)\n");
  done(&r);
}

static void test_top_level_must_be_a_mapping(void **state) {
  refuses("- address: h:1\n",
          "t.yaml:1:1: expected a mapping with targets: (and optionally "
          "defaults:), found a list\n");
  refuses("hello\n", "t.yaml:1:1: expected a mapping with targets: (and "
                     "optionally defaults:), found 'hello'\n");
}

static void test_syntax_error_stops_loading(void **state) {
  /* The unknown key before the error is not reported: nothing is
   * checked in a file that could not be read. */
  refuses("targetz:\n  - address: h:1\n   name: x\n",
          "t.yaml:3:4: did not find expected '-' indicator while parsing a "
          "block collection that started at 2:3\n");
}

static void test_unterminated_quote(void **state) {
  refuses("targets:\n  - address: \"h:1\n  - address: h:2\n",
          "t.yaml:4:1: found unexpected end of stream while scanning a quoted "
          "scalar that started at 2:14\n");
}

static void test_tab_indentation(void **state) {
  refuses("targets:\n\t- address: h:1\n",
          "t.yaml:2:1: found character that cannot start any token while "
          "scanning for the next token\n");
}

static void test_invalid_utf8(void **state) {
  refuses("targets:\n  - name: caf\xe9\n",
          "t.yaml:2:14: incomplete UTF-8 octet sequence; the file must be "
          "UTF-8\n");
  refuses("targets:\n  - name: \xff\n",
          "t.yaml:2:11: invalid leading UTF-8 octet (0xFF); the file must be "
          "UTF-8\n");
}

static void test_alias_is_refused_where_it_stands(void **state) {
  refuses("defaults: &d\n  interval: 2s\ntargets:\n  - address: h:1\n"
          "    interval: *i\n",
          "t.yaml:5:15: aliases (*i) are not supported\n");
}

static void test_every_alias_is_reported(void **state) {
  refuses("targets:\n  - &t {address: h:1}\n  - *t\n  - *t\n",
          "t.yaml:3:5: aliases (*t) are not supported\n"
          "t.yaml:4:5: aliases (*t) are not supported\n");
}

static void test_billion_laughs_is_refused_at_once(void **state) {
  refuses("a: &a [x, x, x, x, x, x, x, x, x]\n"
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
  refuses("targets:\n  - <<: {interval: 2s}\n    address: h:1\n",
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
  refuses(yaml, "t.yaml:1:11: expected a target (a mapping such as {address: "
                "db1:5432}), found a list\n");
  free(yaml);
}

static void test_nesting_deeper_than_16_levels_is_refused(void **state) {
  char *yaml = nested(100000);
  refuses(yaml, "t.yaml:1:25: nesting is deeper than 16 levels\n");
  free(yaml);
}

static void test_one_document_only(void **state) {
  refuses("targets:\n  - address: h:1\n---\ntargets:\n  - address: h:2\n",
          "t.yaml:3:1: a second document starts here; a config is one "
          "document\n");
}

static void test_file_larger_than_16_mib(void **state) {
  size_t len = (16u << 20) + 1;
  char *yaml = malloc(len);
  run r;
  assert_non_null(yaml);
  memset(yaml, '#', len);
  load_full(&r, yaml, len, NULL, 0, NULL);
  assert_string_equal(r.text, "t.yaml: is larger than 16 MiB\n");
  done(&r);
  free(yaml);
}

static void test_file_on_disk_larger_than_16_mib(void **state) {
  char path[] = "/tmp/tt-config-XXXXXX";
  int fd = mkstemp(path);
  tt_config_input in;
  char *expected;
  run r;
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
  close(fd);
  memset(&in, 0, sizeof(in));
  in.path = path;
  load_input(&r, &in);
  unlink(path);
  assert_int_equal(asprintf(&expected, "%s: is larger than 16 MiB\n", path) > 0,
                   1);
  assert_string_equal(r.text, expected);
  free(expected);
  done(&r);
}

static void test_exactly_16_mib_is_read(void **state) {
  size_t len = 16u << 20;
  char *yaml = malloc(len);
  static const char head[] = "targets:\n  - address: h:1\n";
  run r;
  assert_non_null(yaml);
  memset(yaml, ' ', len);
  memcpy(yaml, head, sizeof(head) - 1);
  yaml[len - 1] = '\n';
  load_full(&r, yaml, len, NULL, 0, NULL);
  assert_int_equal(r.rc, 0);
  done(&r);
  free(yaml);
}

static void test_too_many_values(void **state) {
  /* A flow list of 4 million and one tiny scalars. */
  size_t n = 4000001, len = 0;
  char *yaml = malloc(n * 2 + 16);
  run r;
  assert_non_null(yaml);
  len += (size_t)sprintf(yaml, "targets: [");
  for (size_t i = 0; i < n; i++) {
    yaml[len++] = 'a';
    yaml[len++] = ',';
  }
  yaml[len - 1] = ']';
  load_full(&r, yaml, len, NULL, 0, NULL);
  assert_string_equal(
      r.text, "t.yaml:1:8000005: too many values (more than 4000000)\n");
  done(&r);
  free(yaml);
}

static void test_too_many_targets(void **state) {
  size_t n = TT_MAX_TARGETS + 1;
  char **adhoc = malloc(n * sizeof(*adhoc));
  run r;
  assert_non_null(adhoc);
  for (size_t i = 0; i < n; i++)
    adhoc[i] = "h:1";
  load_adhoc(&r, NULL, adhoc, n);
  assert_string_equal(r.text, "too many targets (more than 1000000)\n");
  done(&r);
  free(adhoc);
}

/* ---- targets: and defaults: ---- */

static void test_missing_targets(void **state) {
  refuses("defaults:\n  interval: 2s\n",
          "t.yaml:1:1: no targets: add a targets: list, or give targets on "
          "the command line\n");
}

static void test_defaults_only_file_with_command_line_targets(void **state) {
  char *adhoc[] = {"h:1"};
  run r;
  load_adhoc(&r, "defaults:\n  interval: 2s\n", adhoc, 1);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.ntargets, 1);
  assert_int_equal(r.cfg.targets[0].interval_ms, 2000);
  done(&r);
}

static void test_empty_targets_list(void **state) {
  refuses("targets: []\n", "t.yaml:1:10: targets is empty; list at least one "
                           "target, or give targets on the command line\n");
}

static void test_null_targets(void **state) {
  refuses("targets:\n", "t.yaml:1:9: targets is empty; list at least one "
                        "target, or give targets on the command line\n");
}

static void test_empty_targets_with_command_line_targets(void **state) {
  char *adhoc[] = {"h:1"};
  run r;
  load_adhoc(&r, "targets: []\n", adhoc, 1);
  assert_int_equal(r.rc, 0);
  done(&r);
}

static void test_targets_must_be_a_list(void **state) {
  refuses("targets:\n  address: h:1\n",
          "t.yaml:2:3: targets: expected a list of targets, found a mapping\n");
  refuses("targets: h:1\n",
          "t.yaml:1:10: targets: expected a list of targets, found 'h:1'\n");
}

static void test_target_must_be_a_mapping(void **state) {
  refuses("targets:\n  - db1:5432\n  -\n  - [a]\n",
          "t.yaml:2:5: expected a target (a mapping such as {address: "
          "db1:5432}), found 'db1:5432'\n"
          "t.yaml:3:4: expected a target (a mapping such as {address: "
          "db1:5432}), found nothing\n"
          "t.yaml:4:5: expected a target (a mapping such as {address: "
          "db1:5432}), found a list\n");
}

static void test_defaults_must_be_a_mapping(void **state) {
  refuses("defaults: [interval]\ntargets:\n  - address: h:1\n",
          "t.yaml:1:11: defaults: expected a mapping of settings, found a "
          "list\n");
}

static void test_empty_defaults_are_fine(void **state) {
  run r;
  accepts(&r, "defaults:\ntargets:\n  - address: h:1\n", 0);
  done(&r);
}

/* ---- keys ---- */

static void test_unknown_key_with_a_suggestion(void **state) {
  refuses("targets:\n  - address: h:1\n    intervall: 2s\n",
          "t.yaml:3:5: unknown key 'intervall'; did you mean 'interval'?\n");
}

static void test_unknown_key_suggestion_ignores_case(void **state) {
  refuses("targets:\n  - Address: h:1\n",
          "t.yaml:2:5: unknown key 'Address'; did you mean 'address'?\n");
}

static void test_unknown_key_lists_the_valid_keys(void **state) {
  refuses("targets:\n  - address: h:1\n    retries: 3\n",
          "t.yaml:3:5: unknown key 'retries'; valid keys: name, address, "
          "host, port, tags, preset, mode, send, expect, interval, timeout, "
          "connect_timeout, miss_threshold, rtt_warn, max_reply, reply_end, "
          "family, backoff\n");
}

static void test_unknown_key_in_defaults(void **state) {
  refuses("defaults:\n  retries: 3\ntargets:\n  - address: h:1\n",
          "t.yaml:2:3: unknown key 'retries'; valid keys: preset, mode, "
          "send, expect, interval, timeout, connect_timeout, miss_threshold, "
          "rtt_warn, max_reply, reply_end, family, backoff\n");
}

static void test_unknown_key_at_the_top(void **state) {
  refuses("target:\n  - address: h:1\n",
          "t.yaml:1:1: unknown key 'target'; did you mean 'targets'?\n");
  refuses("servers: []\ntargets:\n  - address: h:1\n",
          "t.yaml:1:1: unknown key 'servers'; valid keys: defaults, "
          "targets\n");
}

static void test_unknown_key_in_backoff(void **state) {
  refuses("defaults:\n  backoff: {initial: 1s, maximum: 5s}\ntargets:\n"
          "  - address: h:1\n",
          "t.yaml:2:26: unknown key 'maximum'; valid keys: initial, max\n");
  refuses("defaults:\n  backoff: {intial: 1s}\ntargets:\n  - address: h:1\n",
          "t.yaml:2:13: unknown key 'intial'; did you mean 'initial'?\n");
}

static void test_keys_in_the_wrong_place(void **state) {
  refuses("interval: 2s\ndefaults:\n  address: h:1\ntargets:\n"
          "  - address: h:1\n    defaults: {}\nname: x\n",
          "t.yaml:1:1: 'interval' belongs under defaults: or in a target\n"
          "t.yaml:3:3: 'address' belongs in a target, not in defaults:\n"
          "t.yaml:6:5: 'defaults' belongs at the top level\n"
          "t.yaml:7:1: 'name' belongs in a target, under targets:\n");
}

static void test_duplicate_key(void **state) {
  refuses("targets:\n  - address: h:1\n    interval: 1s\n    interval: 2s\n",
          "t.yaml:4:5: duplicate key 'interval' (first at 3:5)\n");
}

static void test_duplicate_key_at_the_top(void **state) {
  refuses("targets:\n  - address: h:1\ntargets:\n  - address: h:2\n",
          "t.yaml:3:1: duplicate key 'targets' (first at 1:1)\n");
}

static void test_key_must_be_a_string(void **state) {
  refuses("targets:\n  - ? [a]\n    : 1\n    address: h:1\n",
          "t.yaml:2:7: keys must be strings, found a list\n");
}

static void test_key_with_a_nul_is_unknown(void **state) {
  refuses("targets:\n  - \"name\\0\": x\n    address: h:1\n",
          "t.yaml:2:5: unknown key 'name\\x00'; valid keys: name, address, "
          "host, port, tags, preset, mode, send, expect, interval, timeout, "
          "connect_timeout, miss_threshold, rtt_warn, max_reply, reply_end, "
          "family, backoff\n");
}

/* ---- names ---- */

static void test_name_defaults_to_the_address(void **state) {
  run r;
  accepts(&r,
          "targets:\n  - address: \"[::1]:80\"\n  - host: ::1\n    port: 81\n"
          "  - host: db1\n    port: \"082\"\n",
          0);
  assert_string_equal(r.cfg.targets[0].name, "[::1]:80");
  assert_string_equal(r.cfg.targets[1].name, "[::1]:81");
  assert_string_equal(r.cfg.targets[1].address, "[::1]:81");
  assert_string_equal(r.cfg.targets[2].name, "db1:82");
  done(&r);
}

static void test_duplicate_names(void **state) {
  refuses("targets:\n  - name: a\n    address: h:1\n  - name: a\n"
          "    address: h:2\n",
          "t.yaml:4:11: duplicate target name 'a' (first at 2:5)\n");
}

static void test_duplicate_defaulted_names(void **state) {
  refuses("targets:\n  - address: h:1\n  - name: x\n    address: h:2\n"
          "  - address: h:1\n",
          "t.yaml:5:5: duplicate target name 'h:1' (first at 2:5)\n");
}

static void test_explicit_name_equal_to_a_defaulted_one(void **state) {
  refuses("targets:\n  - address: h:1\n  - name: h:1\n    address: h:2\n",
          "t.yaml:3:11: duplicate target name 'h:1' (first at 2:5)\n");
}

static void test_name_bounds(void **state) {
  char yaml[512];
  char name[128];
  run r;
  memset(name, 'n', 100);
  name[100] = '\0';
  snprintf(yaml, sizeof(yaml), "targets:\n  - name: %s\n    address: h:1\n",
           name);
  accepts(&r, yaml, 0);
  done(&r);
  snprintf(yaml, sizeof(yaml), "targets:\n  - name: %sn\n    address: h:1\n",
           name);
  refuses(yaml, "t.yaml:2:11: name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
                "nnnnnnnnnnnnnnnnnnnnnn...' is longer than 100 bytes\n");
}

static void test_name_errors(void **state) {
  refuses("targets:\n  - name: \"\"\n    address: h:1\n"
          "  - name: \"a\\tb\"\n    address: h:2\n"
          "  - name: \"a\\u0085b\"\n    address: h:3\n"
          "  - name: \"a\\0b\"\n    address: h:4\n"
          "  - name:\n    address: h:5\n"
          "  - name: [a]\n    address: h:6\n",
          "t.yaml:2:11: name is empty\n"
          "t.yaml:4:11: name 'a\\tb' must not contain control characters\n"
          "t.yaml:6:11: name 'a\\xc2\\x85b' must not contain control "
          "characters\n"
          "t.yaml:8:11: name must not contain a NUL byte\n"
          "t.yaml:10:10: name: expected a string, found nothing\n"
          "t.yaml:12:11: name: expected a string, found a list\n");
}

static void test_unicode_names_are_fine(void **state) {
  run r;
  const tt_target *t =
      accepts(&r, "targets:\n  - name: café ☕\n    address: h:1\n", 0);
  assert_string_equal(t->name, "café ☕");
  done(&r);
}

/* ---- addresses ---- */

static void test_address_errors(void **state) {
  refuses("targets:\n"
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
  refuses("targets:\n"
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
  refuses("targets:\n  - address: h:1\n    host: h\n    port: 1\n",
          "t.yaml:4:5: give either address or host and port, not both\n");
}

static void test_host_without_port(void **state) {
  refuses("targets:\n  - host: h\n",
          "t.yaml:2:5: host needs port (or write address: host:port)\n");
}

static void test_port_without_host(void **state) {
  refuses("targets:\n  - name: x\n    port: 80\n",
          "t.yaml:3:5: port needs host (or write address: host:port)\n");
}

static void test_no_address_at_all(void **state) {
  refuses("targets:\n  - name: x\n",
          "t.yaml:2:5: this target has no address; add address: host:port "
          "(or host: and port:)\n");
}

static void test_misspelt_address_is_not_also_missing(void **state) {
  refuses("targets:\n  - adress: h:1\n",
          "t.yaml:2:5: unknown key 'adress'; did you mean 'address'?\n");
}

/* ---- tags ---- */

static void test_tags(void **state) {
  run r;
  const tt_target *t =
      accepts(&r, "targets:\n  - address: h:1\n    tags:\n      - a\n"
                  "      - \"b c\"\n",
              0);
  assert_int_equal(t->ntags, 2);
  assert_string_equal(t->tags[1], "b c");
  done(&r);
}

static void test_tag_errors(void **state) {
  refuses("targets:\n  - address: h:1\n    tags: [ok, \"\", [x], \"a\\nb\", "
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

/* ---- values ---- */

static void test_duration_errors(void **state) {
  refuses("defaults:\n"
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
  run r;
  const tt_target *t = accepts(
      &r, "targets:\n  - address: h:1\n    miss_threshold: 100\n"
          "    max_reply: 1048576\n  - address: h:2\n    miss_threshold: 1\n"
          "    max_reply: 1\n",
      0);
  assert_int_equal(t->miss_threshold, 100);
  assert_int_equal(t->max_reply, 1048576);
  assert_int_equal(r.cfg.targets[1].miss_threshold, 1);
  assert_int_equal(r.cfg.targets[1].max_reply, 1);
  done(&r);
}

static void test_count_errors(void **state) {
  refuses("defaults:\n  miss_threshold: 0\n  max_reply: 1048577\n"
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
  run r;
  const tt_target *t = accepts(
      &r, "targets:\n  - address: h:1\n    reply_end: \"0123456789abcdef\"\n"
          "  - address: h:2\n    reply_end: \"\\0\"\n",
      0);
  assert_int_equal(t->reply_end_len, 16);
  assert_bytes(r.cfg.targets[1].reply_end, r.cfg.targets[1].reply_end_len,
               "\0", 1);
  done(&r);
  refuses("targets:\n  - address: h:1\n    reply_end: \"\"\n"
          "  - address: h:2\n    reply_end: \"0123456789abcdefg\"\n",
          "t.yaml:3:16: reply_end is empty\n"
          "t.yaml:5:16: reply_end '0123456789abcdefg' is longer than 16 "
          "bytes\n");
}

static void test_family_values(void **state) {
  run r;
  accepts(&r, "targets:\n  - address: h:1\n    family: auto\n"
              "  - address: h:2\n    family: ipv6\n",
          0);
  assert_int_equal(r.cfg.targets[0].family, TT_FAMILY_AUTO);
  assert_int_equal(r.cfg.targets[1].family, TT_FAMILY_IPV6);
  done(&r);
  refuses("targets:\n  - address: h:1\n    family: inet6\n",
          "t.yaml:3:13: family 'inet6' must be auto, ipv4 or ipv6\n");
}

static void test_family_must_fit_an_ip_literal(void **state) {
  refuses("defaults:\n  family: ipv4\ntargets:\n  - address: \"[::1]:80\"\n"
          "  - host: ::1\n    port: 81\n"
          "  - address: 10.0.0.1:80\n    family: ipv6\n"
          "  - address: db1:80\n    family: ipv6\n",
          "t.yaml:4:14: address '[::1]:80' is IPv6, but family is ipv4\n"
          "t.yaml:5:11: host '::1' is IPv6, but family is ipv4\n"
          "t.yaml:7:14: address '10.0.0.1:80' is IPv4, but family is ipv6\n");
}

static void test_mode_values(void **state) {
  refuses("targets:\n  - address: h:1\n    mode: persistant\n"
          "  - address: h:2\n    mode: unset\n",
          "t.yaml:3:11: mode 'persistant' must be persistent or connect\n"
          "t.yaml:5:11: mode 'unset' must be persistent or connect\n");
}

static void test_expect_must_compile(void **state) {
  refuses("targets:\n  - address: h:1\n    send: x\n    expect: \"(\"\n",
          "t.yaml:4:13: expect '(': Unmatched ( or \\(\n");
}

static void test_expect_is_compiled(void **state) {
  run r;
  const tt_target *t = accepts(
      &r,
      "targets:\n  - address: h:1\n    send: x\n    expect: \"^ok [0-9]+$\"\n",
      0);
  assert_int_equal(regexec(&t->expect_pattern->re, "ok 42", 0, NULL, 0), 0);
  assert_int_equal(regexec(&t->expect_pattern->re, "ok", 0, NULL, 0), REG_NOMATCH);
  done(&r);
}

/* Targets with the same expression share one compiled form (glibc's takes
 * kilobytes, times ten thousand targets); different ones do not. */
static void test_same_expect_is_compiled_once(void **state) {
  run r;
  load(&r, "targets:\n"
           "  - { address: \"h:1\", preset: redis }\n"
           "  - { address: \"h:2\", preset: redis }\n"
           "  - { address: \"h:3\", send: x, expect: \"^\\\\+PONG\" }\n"
           "  - { address: \"h:4\", preset: memcached }\n");
  assert_int_equal(r.rc, 0);
  const tt_target *t = r.cfg.targets;
  assert_ptr_equal(t[0].expect_pattern, t[1].expect_pattern);
  assert_ptr_equal(t[0].expect_pattern, t[2].expect_pattern);
  assert_ptr_equal(t[0].expect, t[2].expect);
  assert_ptr_not_equal(t[0].expect_pattern, t[3].expect_pattern);
  assert_string_equal(t[3].expect, "^VERSION ");
  done(&r);
}

static void test_send_bounds(void **state) {
  size_t n = 64 * 1024;
  char *yaml = malloc(n + 128);
  run r;
  assert_non_null(yaml);
  strcpy(yaml, "targets:\n  - address: h:1\n    send: ");
  memset(yaml + strlen(yaml), 'x', n);
  strcpy(yaml + 36 + n, "\n");
  accepts(&r, yaml, 0);
  assert_int_equal(r.cfg.targets[0].send_len, n);
  done(&r);
  memset(yaml + 36, 'x', n + 1);
  strcpy(yaml + 36 + n + 1, "\n");
  refuses(yaml, "t.yaml:3:11: send is longer than 64 KiB\n");
  free(yaml);
}

static void test_send_empty(void **state) {
  refuses("targets:\n  - address: h:1\n    send: \"\"\n",
          "t.yaml:3:11: send is empty\n");
}

static void test_unknown_preset(void **state) {
  refuses("targets:\n  - address: h:1\n    preset: rediss\n"
          "  - address: h:2\n    preset: postgres\n",
          "t.yaml:3:13: unknown preset 'rediss' (did you mean 'redis'?); "
          "presets: tcp, echo, redis, memcached, http, smtp, ssh\n"
          "t.yaml:5:13: unknown preset 'postgres'; presets: tcp, echo, "
          "redis, memcached, http, smtp, ssh\n");
}

static void test_wrong_kinds(void **state) {
  refuses("defaults:\n  backoff: 1s\n  send: {a: b}\n  mode:\ntargets:\n"
          "  - address: h:1\n",
          "t.yaml:2:12: backoff: expected a mapping such as {initial: 500ms, "
          "max: 30s}, found '1s'\n"
          "t.yaml:3:9: send: expected a string, found a mapping\n"
          "t.yaml:4:8: mode: expected persistent or connect, found nothing\n");
}

/* ---- layers ---- */

static void test_defaults_apply_to_every_target(void **state) {
  run r;
  accepts(&r, "defaults:\n  interval: 5s\n  timeout: 2s\n  family: ipv4\n"
              "targets:\n  - address: h:1\n  - address: h:2\n"
              "    interval: 3s\n",
          0);
  assert_int_equal(r.cfg.targets[0].interval_ms, 5000);
  assert_int_equal(r.cfg.targets[0].timeout_ms, 2000);
  assert_int_equal(r.cfg.targets[1].interval_ms, 3000);
  assert_int_equal(r.cfg.targets[1].timeout_ms, 2000);
  assert_int_equal(r.cfg.targets[1].family, TT_FAMILY_IPV4);
  done(&r);
}

static void test_backoff_keys_layer_separately(void **state) {
  run r;
  accepts(&r, "defaults:\n  backoff: {initial: 1s, max: 10s}\n"
              "targets:\n  - address: h:1\n    backoff: {max: 5s}\n",
          0);
  assert_int_equal(r.cfg.targets[0].backoff_initial_ms, 1000);
  assert_int_equal(r.cfg.targets[0].backoff_max_ms, 5000);
  done(&r);
}

static void test_defaults_preset_applies(void **state) {
  run r;
  const tt_target *t = accepts(
      &r, "defaults:\n  preset: redis\ntargets:\n  - address: h:1\n", 0);
  assert_string_equal(t->preset->name, "redis");
  assert_int_equal(t->mode, TT_MODE_PERSISTENT);
  assert_bytes(t->send, t->send_len, "PING\r\n", 6);
  done(&r);
}

static void test_defaults_keys_beat_the_defaults_preset(void **state) {
  run r;
  const tt_target *t = accepts(&r, "defaults:\n  expect: \"^PONG\"\n"
                                   "  preset: redis\ntargets:\n"
                                   "  - address: h:1\n",
                               0);
  assert_string_equal(t->expect, "^PONG");
  done(&r);
}

static void test_target_preset_beats_defaults_keys(void **state) {
  run r;
  const tt_target *t =
      accepts(&r, "defaults:\n  send: \"hello\\n\"\n  reply_end: \"\\r\\n\"\n"
                  "  expect: hi\ntargets:\n  - address: h:1\n    preset: tcp\n"
                  "  - address: h:2\n    preset: http\n",
              0);
  /* The preset sets mode, send, expect, banner and reply_end at its
   * layer, clearing what it does not use. */
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_null(t->expect);
  assert_bytes(t->reply_end, t->reply_end_len, "\n", 1);
  t = &r.cfg.targets[1];
  assert_bytes(t->reply_end, t->reply_end_len, "\r\n\r\n", 4);
  done(&r);
}

static void test_target_keys_beat_the_target_preset(void **state) {
  run r;
  const tt_target *t = accepts(&r, "targets:\n  - address: h:1\n"
                                   "    send: \"PING\\n\"\n    preset: redis\n"
                                   "    reply_end: \"\\r\\n\"\n",
                               0);
  assert_bytes(t->send, t->send_len, "PING\n", 5);
  assert_string_equal(t->expect, "^\\+PONG");
  assert_bytes(t->reply_end, t->reply_end_len, "\r\n", 2);
  done(&r);
}

static void test_target_preset_beats_defaults_preset(void **state) {
  run r;
  const tt_target *t = accepts(
      &r, "defaults:\n  preset: redis\ntargets:\n  - address: h:1\n"
          "    preset: ssh\n",
      0);
  assert_string_equal(t->preset->name, "ssh");
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  assert_null(t->send);
  assert_string_equal(t->expect, "^SSH-");
  done(&r);
}

static void test_mode_follows_send_when_unset(void **state) {
  run r;
  accepts(&r, "targets:\n  - address: h:1\n    send: x\n  - address: h:2\n",
          0);
  assert_int_equal(r.cfg.targets[0].mode, TT_MODE_PERSISTENT);
  assert_int_equal(r.cfg.targets[1].mode, TT_MODE_CONNECT);
  done(&r);
}

static void test_connect_with_send_and_expect(void **state) {
  run r;
  const tt_target *t = accepts(&r, "targets:\n  - address: h:1\n"
                                   "    mode: connect\n    send: x\n"
                                   "    expect: y\n",
                               0);
  assert_int_equal(t->mode, TT_MODE_CONNECT);
  done(&r);
}

static void test_persistent_needs_send(void **state) {
  refuses("targets:\n  - address: h:1\n    mode: persistent\n",
          "t.yaml:3:5: persistent mode needs send, or a preset that sets it\n");
}

static void test_persistent_from_defaults_is_reported_once(void **state) {
  refuses("defaults:\n  mode: persistent\ntargets:\n  - address: h:1\n"
          "  - address: h:2\n  - address: h:3\n    preset: echo\n",
          "t.yaml:2:3: persistent mode needs send, or a preset that sets it\n");
}

static void test_connect_with_send_needs_expect(void **state) {
  refuses("targets:\n  - address: h:1\n    mode: connect\n    send: x\n"
          "  - address: h:2\n    preset: tcp\n    send: y\n",
          "t.yaml:4:5: connect mode with send needs expect\n"
          "t.yaml:7:5: connect mode with send needs expect\n");
}

static void test_timeout_may_equal_interval(void **state) {
  run r;
  accepts(&r, "targets:\n  - address: h:1\n    preset: redis\n"
              "    interval: 2s\n    timeout: 2s\n",
          0);
  done(&r);
}

static void test_timeout_above_interval_at_the_timeout_key(void **state) {
  refuses("targets:\n  - address: h:1\n    preset: redis\n    interval: 1s\n"
          "    timeout: 2s\n",
          "t.yaml:5:5: timeout (2s) must not exceed interval (1s) in "
          "persistent mode\n");
}

static void test_timeout_above_interval_at_the_interval_key(void **state) {
  refuses("targets:\n  - address: h:1\n    preset: redis\n"
          "    interval: 500ms\n",
          "t.yaml:4:5: timeout (1s) must not exceed interval (500ms) in "
          "persistent mode\n");
}

static void test_timeout_from_defaults_is_reported_once(void **state) {
  refuses("defaults:\n  timeout: 1.5s\n  preset: echo\ntargets:\n"
          "  - address: h:1\n  - address: h:2\n  - address: h:3\n"
          "    interval: 2s\n",
          "t.yaml:2:3: timeout (1.5s) must not exceed interval (1s) in "
          "persistent mode\n");
}

static void test_timeout_above_interval_is_fine_in_connect_mode(void **state) {
  run r;
  accepts(&r, "targets:\n  - address: h:1\n    interval: 1s\n"
              "    timeout: 5s\n",
          0);
  done(&r);
}

static void test_backoff_initial_must_not_exceed_max(void **state) {
  refuses("targets:\n  - address: h:1\n    backoff: {initial: 1m}\n"
          "  - address: h:2\n    backoff: {max: 100ms}\n",
          "t.yaml:3:15: backoff initial (1m) must not exceed backoff max "
          "(30s)\n"
          "t.yaml:5:15: backoff initial (500ms) must not exceed backoff max "
          "(100ms)\n");
}

static void test_no_follow_on_problems(void **state) {
  /* The bad send and the misspelt mode leave nothing to combine: no
   * "persistent mode needs send" follows. */
  refuses("targets:\n  - address: h:1\n    mode: persistent\n    send: \"\"\n"
          "  - address: h:2\n    mdoe: persistent\n    timeout: 5s\n",
          "t.yaml:4:11: send is empty\n"
          "t.yaml:6:5: unknown key 'mdoe'; did you mean 'mode'?\n");
}

/* ---- command-line options ---- */

static void test_options_beat_the_file(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_INTERVAL | TT_HAS_MISS_THRESHOLD | TT_HAS_EXPECT;
  ov.interval_ms = 7000;
  ov.miss_threshold = 9;
  ov.expect = "^x";
  load_ov(&r, "defaults:\n  interval: 2s\ntargets:\n  - address: h:1\n"
              "    interval: 3s\n    miss_threshold: 4\n    preset: redis\n",
          &ov);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.targets[0].interval_ms, 7000);
  assert_int_equal(r.cfg.targets[0].miss_threshold, 9);
  assert_string_equal(r.cfg.targets[0].expect, "^x");
  done(&r);
}

static void test_option_mode_with_send(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_SEND;
  ov.send = "hi\n";
  ov.send_len = 3;
  load_ov(&r, "targets:\n  - address: h:1\n", &ov);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.targets[0].mode, TT_MODE_PERSISTENT);
  assert_bytes(r.cfg.targets[0].send, r.cfg.targets[0].send_len, "hi\n", 3);
  done(&r);
}

static void test_option_timeout_above_interval(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_TIMEOUT;
  ov.timeout_ms = 2000;
  load_ov(&r, "targets:\n  - name: x\n    address: h:1\n    preset: redis\n"
              "  - address: h:2\n",
          &ov);
  assert_string_equal(r.text, "--timeout: 2s must not exceed the interval "
                              "(1s) of target 'x' in persistent mode\n");
  assert_int_equal(r.diags.v[0].line, 0);
  done(&r);
}

static void test_option_interval_below_timeout(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_INTERVAL;
  ov.interval_ms = 500;
  load_ov(&r, "targets:\n  - name: x\n    address: h:1\n    preset: redis\n",
          &ov);
  assert_string_equal(r.text, "--interval: 500ms must not be below the "
                              "timeout (1s) of target 'x' in persistent "
                              "mode\n");
  done(&r);
}

static void test_options_timeout_and_interval_together(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_INTERVAL | TT_HAS_TIMEOUT;
  ov.interval_ms = 1000;
  ov.timeout_ms = 3000;
  load_ov(&r, "targets:\n  - address: h:1\n    preset: redis\n"
              "  - address: h:2\n    preset: echo\n",
          &ov);
  assert_string_equal(r.text, "--timeout: 3s must not exceed --interval 1s "
                              "in persistent mode\n");
  done(&r);
}

static void test_option_mode_persistent_needs_send(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_MODE;
  ov.mode = TT_MODE_PERSISTENT;
  load_ov(&r, "targets:\n  - address: h:1\n  - address: h:2\n"
              "    preset: redis\n",
          &ov);
  assert_string_equal(r.text, "--mode: persistent mode needs send, or a "
                              "preset that sets it (target 'h:1' has none)\n");
  done(&r);
}

static void test_option_send_in_connect_mode_needs_expect(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_SEND;
  ov.send = "x";
  ov.send_len = 1;
  load_ov(&r, "targets:\n  - address: h:1\n    mode: connect\n", &ov);
  assert_string_equal(r.text, "--send: connect mode with send needs expect "
                              "(target 'h:1' has none)\n");
  done(&r);
}

static void test_option_values_are_checked(void **state) {
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_INTERVAL | TT_HAS_MISS_THRESHOLD | TT_HAS_EXPECT |
           TT_HAS_SEND | TT_HAS_MODE;
  ov.interval_ms = 0;
  ov.miss_threshold = 101;
  ov.expect = "a{";
  ov.send = "";
  ov.mode = TT_MODE_UNSET;
  load_ov(&r, "targets:\n  - address: h:1\n", &ov);
  assert_string_equal(r.text,
                      "--interval: must be greater than 0\n"
                      "--miss-threshold: must be a whole number from 1 to "
                      "100\n"
                      "--mode: must be persistent or connect\n"
                      "--send: is empty\n"
                      "--expect: Unmatched \\{\n");
  done(&r);
}

/* ---- command-line targets ---- */

static void test_command_line_targets_alone(void **state) {
  char *adhoc[] = {"db1:5432", "cache=redis://10.0.0.7:6379", "[::1]:8080",
                   "web=http://web.example:80"};
  run r;
  load_adhoc(&r, NULL, adhoc, 4);
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
  done(&r);
}

static void test_command_line_targets_follow_the_file(void **state) {
  char *adhoc[] = {"b=h:2"};
  run r;
  load_adhoc(&r, "defaults:\n  interval: 4s\ntargets:\n  - name: a\n"
                 "    address: h:1\n",
             adhoc, 1);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.ntargets, 2);
  assert_string_equal(r.cfg.targets[0].name, "a");
  assert_string_equal(r.cfg.targets[1].name, "b");
  assert_int_equal(r.cfg.targets[1].interval_ms, 4000);
  done(&r);
}

static void test_name_is_what_precedes_the_first_equals(void **state) {
  char *adhoc[] = {"a=b=h:1"};
  run r;
  load_adhoc(&r, NULL, adhoc, 1);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.cfg.targets[0].name, "a");
  assert_string_equal(r.cfg.targets[0].address, "b=h:1");
  done(&r);
}

static void test_command_line_target_errors(void **state) {
  char *adhoc[] = {"=h:1",        "x=",           "rediss://h:1", "://h:2",
                   "db1",         "::1:80",       "h:0",          "a\tb=h:1",
                   "ftp://h:21"};
  run r;
  load_adhoc(&r, NULL, adhoc, 9);
  assert_string_equal(
      r.text,
      "TARGET '=h:1': name is empty\n"
      "TARGET 'x=': is empty; write host:port\n"
      "TARGET 'rediss://h:1': unknown preset 'rediss' (did you mean "
      "'redis'?); presets: tcp, echo, redis, memcached, http, smtp, ssh\n"
      "TARGET '://h:2': unknown preset ''; presets: tcp, echo, redis, "
      "memcached, http, smtp, ssh\n"
      "TARGET 'db1': needs a port: host:port\n"
      "TARGET '::1:80': looks like an IPv6 address; write it in brackets: "
      "[::1]:8080\n"
      "TARGET 'h:0': has a port that is not a number from 1 to 65535\n"
      "TARGET 'a\\tb=h:1': name 'a\\tb' must not contain control "
      "characters\n"
      "TARGET 'ftp://h:21': unknown preset 'ftp'; presets: tcp, echo, redis, "
      "memcached, http, smtp, ssh\n");
  done(&r);
}

static void test_command_line_names_must_be_unique(void **state) {
  char *adhoc[] = {"a=h:9", "h:1", "h:1"};
  run r;
  load_adhoc(&r, "targets:\n  - name: a\n    address: h:2\n", adhoc, 3);
  assert_string_equal(r.text,
                      "TARGET 'a=h:9': duplicate target name 'a' (first at "
                      "t.yaml:2:5)\n"
                      "TARGET 'h:1': duplicate target name 'h:1' (given "
                      "earlier on the command line)\n");
  done(&r);
}

static void test_command_line_target_in_persistent_mode(void **state) {
  char *adhoc[] = {"h:1"};
  run r;
  load_adhoc(&r, "defaults:\n  mode: persistent\n", adhoc, 1);
  assert_string_equal(r.text, "TARGET 'h:1': persistent mode needs send, or "
                              "a preset that sets it\n");
  done(&r);
}

static void test_command_line_family_conflict(void **state) {
  char *adhoc[] = {"[::1]:1"};
  run r;
  load_adhoc(&r, "defaults:\n  family: ipv4\n", adhoc, 1);
  assert_string_equal(
      r.text, "TARGET '[::1]:1': address is IPv6, but family is ipv4\n");
  done(&r);
}

static void test_nothing_to_load(void **state) {
  run r;
  load_adhoc(&r, NULL, NULL, 0);
  assert_string_equal(r.text, "no targets: give a config file or targets on "
                              "the command line\n");
  done(&r);
}

/* ---- many problems at once ---- */

static void test_every_problem_in_one_run_in_order(void **state) {
  char *adhoc[] = {"db1"};
  tt_settings ov;
  run r;
  memset(&ov, 0, sizeof(ov));
  ov.has = TT_HAS_CONNECT_TIMEOUT;
  ov.connect_timeout_ms = 0;
  /* The targets come first in the file but are checked after the
   * defaults: the report is still in file order. */
  static const char yaml[] =
      "targets:\n  - address: h:0\n    intervall: 2s\n  - name: \"\"\n"
      "    address: h:2\ndefaults:\n  timeout: 2\n";
  load_full(&r, yaml, sizeof(yaml) - 1, adhoc, 1, &ov);
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
  done(&r);
}

static void test_too_many_problems_are_cut(void **state) {
  size_t n = 1200;
  char *yaml = malloc(n * 20 + 16);
  size_t len;
  run r;
  assert_non_null(yaml);
  len = (size_t)sprintf(yaml, "targets:\n");
  for (size_t i = 0; i < n; i++)
    len += (size_t)sprintf(yaml + len, "  - address: h%zu\n", i);
  load_full(&r, yaml, len, NULL, 0, NULL);
  assert_int_equal(r.rc, -1);
  assert_int_equal(r.diags.n, 1001);
  assert_string_equal(r.diags.v[0].text,
                      "t.yaml:2:14: address 'h0' needs a port: host:port");
  assert_string_equal(r.diags.v[1000].text,
                      "too many problems; only the first 1000 are shown");
  done(&r);
  free(yaml);
}

/* ---- the files in tests/configs and examples ---- */

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  rewind(f);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Calls fn for each NAME.yaml in dir (relative to TT_TESTS or TT_SRC),
 * from within that directory. Returns how many it saw. */
static int each_yaml(const char *root_env, const char *dir,
                     void (*fn)(const char *name)) {
  const char *root = getenv(root_env);
  char path[4096], here[4096];
  struct dirent **list;
  int n, seen = 0;

  if (root == NULL) {
    print_message("%s is not set; run through ctest\n", root_env);
    skip();
  }
  snprintf(path, sizeof(path), "%s/%s", root, dir);
  assert_non_null(getcwd(here, sizeof(here)));
  assert_int_equal(chdir(path), 0);
  n = scandir(".", &list, NULL, alphasort);
  assert_true(n >= 0);
  for (int i = 0; i < n; i++) {
    size_t len = strlen(list[i]->d_name);
    if (len > 5 && strcmp(list[i]->d_name + len - 5, ".yaml") == 0) {
      fn(list[i]->d_name);
      seen++;
    }
    free(list[i]);
  }
  free(list);
  assert_int_equal(chdir(here), 0);
  return seen;
}

static void check_bad_file(const char *name) {
  char err[512];
  tt_config_input in;
  char *expected;
  run r;
  snprintf(err, sizeof(err), "%.*s.err", (int)(strlen(name) - 5), name);
  if (access(err, F_OK) != 0)
    return;
  expected = slurp(err);
  memset(&in, 0, sizeof(in));
  in.path = name;
  load_input(&r, &in);
  assert_int_equal(r.rc, -1);
  assert_string_equal(r.text, expected);
  free(expected);
  done(&r);
}

static void check_good_file(const char *name) {
  tt_config_input in;
  run r;
  memset(&in, 0, sizeof(in));
  in.path = name;
  load_input(&r, &in);
  if (r.rc != 0)
    print_message("%s:\n%s", name, r.text);
  assert_int_equal(r.rc, 0);
  assert_true(r.cfg.ntargets > 0);
  done(&r);
}

static void test_bad_configs_match_their_err_files(void **state) {
  assert_true(each_yaml("TT_TESTS", "configs/bad", check_bad_file) >= 20);
}

static void test_good_configs_load(void **state) {
  assert_true(each_yaml("TT_TESTS", "configs/good", check_good_file) >= 1);
}

static void test_examples_load(void **state) {
  assert_true(each_yaml("TT_SRC", "examples", check_good_file) >= 2);
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
    cmocka_unit_test(test_timeout_above_interval_at_the_interval_key),
    cmocka_unit_test(test_timeout_from_defaults_is_reported_once),
    cmocka_unit_test(test_timeout_above_interval_is_fine_in_connect_mode),
    cmocka_unit_test(test_backoff_initial_must_not_exceed_max),
    cmocka_unit_test(test_no_follow_on_problems),
    cmocka_unit_test(test_options_beat_the_file),
    cmocka_unit_test(test_option_mode_with_send),
    cmocka_unit_test(test_option_timeout_above_interval),
    cmocka_unit_test(test_option_interval_below_timeout),
    cmocka_unit_test(test_options_timeout_and_interval_together),
    cmocka_unit_test(test_option_mode_persistent_needs_send),
    cmocka_unit_test(test_option_send_in_connect_mode_needs_expect),
    cmocka_unit_test(test_option_values_are_checked),
    cmocka_unit_test(test_command_line_targets_alone),
    cmocka_unit_test(test_command_line_targets_follow_the_file),
    cmocka_unit_test(test_name_is_what_precedes_the_first_equals),
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
