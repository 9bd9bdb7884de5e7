/* test_settings.c - the settings table: its rows hold together, values are
 * read and shown by type, reload's diff names what changed, and the man
 * pages list exactly the keys and options the table has. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "configrun.h"
#include "settings.h"

static const tt_setting *row(tt_setting_id id) {
  return tt_setting_get(id);
}

/* ---- the table holds together ---- */

static void test_rows_are_complete_and_unique(void **state) {
  for (int i = 0; i < TT_SET_COUNT; i++) {
    const tt_setting *a = row((tt_setting_id)i);
    assert_non_null(a->key);
    assert_non_null(a->help);
    assert_true(a->layers != 0);
    assert_int_equal(tt_setting_id_of(a), i);
    assert_ptr_equal(tt_setting_find(a->key, strlen(a->key)), a);
    for (int j = i + 1; j < TT_SET_COUNT; j++) {
      const tt_setting *b = row((tt_setting_id)j);
      assert_string_not_equal(a->key, b->key);
      if (a->option != NULL && b->option != NULL)
        assert_string_not_equal(a->option, b->option);
      if (a->short_opt != 0)
        assert_int_not_equal(a->short_opt, b->short_opt);
    }
  }
  assert_null(tt_setting_get(TT_SET_COUNT));
  assert_null(tt_setting_find("intervall", 9));
}

/* A row says it may be set on the command line exactly when it has an
 * option to be set with. */
static void test_options_and_the_command_line_layer_agree(void **state) {
  for (int i = 0; i < TT_SET_COUNT; i++) {
    const tt_setting *s = row((tt_setting_id)i);
    bool has_option = s->option != NULL || s->short_opt != 0 ||
                      s->shorthands[0].opt != 0;
    assert_int_equal(has_option, (s->layers & TT_IN_OPTIONS) != 0);
    if (s->option != NULL) {
      assert_memory_equal(s->option, "--", 2);
      assert_non_null(s->metavar);
    }
    if (s->short_opt != 0)
      assert_non_null(s->option);
  }
}

/* A setting that follows another takes its value as a cap: both are
 * numbers of the same kind, and the one followed has a default. */
static void test_follows_are_between_durations(void **state) {
  int n = 0;
  for (int i = 0; i < TT_SET_COUNT; i++) {
    const tt_setting *s = row((tt_setting_id)i);
    if (s->follows == 0)
      continue;
    n++;
    assert_int_equal(s->type, TT_STYPE_DURATION);
    assert_int_equal(row(s->follows)->type, TT_STYPE_DURATION);
    assert_true(row(s->follows)->has_default);
    assert_true(s->has_default);
  }
  assert_int_equal(n, 3); /* timeout, backoff.initial, backoff.max */
}

/* What PRODUCT.md's command line lists, from the table. */
static void test_the_options_of_the_contract(void **state) {
  static const char *const options[] = {
      "--interval", "--timeout", "--connect-timeout", "--mode", "--send",
      "--expect", "--miss-threshold", "--rtt-warn", "--on-change"};
  size_t n = 0;
  for (int i = 0; i < TT_SET_COUNT; i++)
    if (row((tt_setting_id)i)->option != NULL)
      n++;
  assert_int_equal(n, sizeof(options) / sizeof(options[0]));
  for (size_t k = 0; k < n; k++) {
    bool found = false;
    for (int i = 0; i < TT_SET_COUNT; i++)
      if (row((tt_setting_id)i)->option != NULL &&
          strcmp(row((tt_setting_id)i)->option, options[k]) == 0)
        found = true;
    assert_true(found);
  }
  assert_int_equal(row(TT_SET_INTERVAL)->short_opt, 'i');
  assert_int_equal(row(TT_SET_TIMEOUT)->short_opt, 't');
  assert_int_equal(row(TT_SET_MODE)->short_opt, 'm');
  assert_int_equal(row(TT_SET_FAMILY)->shorthands[0].opt, '4');
  assert_int_equal(row(TT_SET_FAMILY)->shorthands[0].value, TT_FAMILY_IPV4);
  assert_int_equal(row(TT_SET_FAMILY)->shorthands[1].opt, '6');
  assert_int_equal(row(TT_SET_FAMILY)->shorthands[1].value, TT_FAMILY_IPV6);
}

/* ---- values by type ---- */

static void assert_reads(tt_setting_id id, const char *text, uint64_t num) {
  tt_setting_value v;
  char why[320];
  assert_int_equal(tt_setting_read(row(id), text, strlen(text), &v, why,
                                   sizeof(why)),
                   0);
  assert_int_equal(v.num, num);
}

static void assert_refuses(tt_setting_id id, const char *text,
                           const char *expected) {
  tt_setting_value v;
  char why[320];
  assert_int_equal(tt_setting_read(row(id), text, strlen(text), &v, why,
                                   sizeof(why)),
                   -1);
  assert_string_equal(why, expected);
}

static void test_values_are_read_by_type(void **state) {
  tt_setting_value v;
  char why[320];

  assert_reads(TT_SET_INTERVAL, "1.5s", 1500);
  assert_refuses(TT_SET_INTERVAL, "5", "needs a unit: 250ms, 2s, 1m");
  assert_refuses(TT_SET_RTT_WARN, "0ms", "must be greater than 0");
  assert_reads(TT_SET_MISS_THRESHOLD, "100", 100);
  assert_refuses(TT_SET_MISS_THRESHOLD, "101",
                 "must be a whole number from 1 to 100");
  assert_refuses(TT_SET_REPLY_BYTES, "0",
                 "must be a whole number of bytes from 1 to 1048576");
  assert_reads(TT_SET_MODE, "connect", TT_MODE_CONNECT);
  assert_refuses(TT_SET_MODE, "unset", "must be persistent or connect");
  assert_reads(TT_SET_FAMILY, "ipv6", TT_FAMILY_IPV6);
  assert_refuses(TT_SET_FAMILY, "inet", "must be auto, ipv4 or ipv6");
  assert_refuses(TT_SET_SEND, "", "is empty");
  assert_refuses(TT_SET_REPLY_END, "12345678901234567",
                 "is longer than 16 bytes");
  assert_refuses(TT_SET_EXPECT, "(", "unmatched ( (write \\( for a literal ()");
  assert_refuses(TT_SET_PATH, "health", "must start with /");
  assert_refuses(TT_SET_PATH, "/a b",
                 "must hold only visible ASCII characters (percent-encode "
                 "the rest, as in /a%20b)");
  assert_refuses(TT_SET_PRESET, "rediss",
                 "unknown preset 'rediss' (did you mean 'redis'?); presets: "
                 "tcp, echo, redis, memcached, http, https, tls, smtp, ssh, postgres, mysql, "
                 "imap, pop3");
  /* A preset's name may be the head of a longer text ("redis://..."). */
  assert_int_equal(tt_setting_read(row(TT_SET_PRESET), "redis://h:1", 5, &v,
                                   why, sizeof(why)),
                   0);
  assert_string_equal(v.preset->name, "redis");
  /* Bytes keep their NULs. */
  assert_int_equal(tt_setting_read(row(TT_SET_SEND), "a\0b", 3, &v, why,
                                   sizeof(why)),
                   0);
  assert_int_equal(v.str.len, 3);
}

static void test_values_given_through_the_api_are_checked(void **state) {
  tt_setting_value v;
  char why[160];
  memset(&v, 0, sizeof(v));
  v.num = TT_DURATION_MAX_MS + 1;
  assert_int_equal(tt_setting_check(row(TT_SET_TIMEOUT), &v, why,
                                    sizeof(why)),
                   -1);
  assert_string_equal(why, "is longer than 24h");
  v.num = 0;
  assert_int_equal(tt_setting_check(row(TT_SET_PRESET), &v, why,
                                    sizeof(why)),
                   -1);
  assert_string_equal(why, "is not a preset");
  v.str.p = "x";
  v.str.len = TT_MAX_SEND + 1;
  assert_int_equal(tt_setting_check(row(TT_SET_SEND), &v, why, sizeof(why)),
                   -1);
  assert_string_equal(why, "is longer than 64 KiB");
}

static void test_status_codes_and_ranges(void **state) {
  tt_status_range r;
  const char *why;
  assert_int_equal(tt_status_read("204", &r, &why), 0);
  assert_int_equal(r.lo, 204);
  assert_int_equal(r.hi, 204);
  assert_int_equal(tt_status_read("301-308", &r, &why), 0);
  assert_int_equal(r.lo, 301);
  assert_int_equal(r.hi, 308);
  assert_int_equal(tt_status_read("100-599", &r, &why), 0);
  assert_int_equal(tt_status_read("99", &r, &why), -1);
  assert_string_equal(why, "must be HTTP statuses from 100 to 599");
  assert_int_equal(tt_status_read("200-600", &r, &why), -1);
  assert_int_equal(tt_status_read("399-200", &r, &why), -1);
  assert_string_equal(why, "is a range that ends before it starts");
  for (size_t i = 0; i < 5; i++) {
    static const char *const bad[] = {"", "2xx", "200-", "-200", "200 - 299"};
    assert_int_equal(tt_status_read(bad[i], &r, &why), -1);
    assert_string_equal(why, "must be an HTTP status such as 200, or a "
                             "range such as 200-399");
  }
}

static void test_defaults_as_people_write_them(void **state) {
  char buf[64];
  tt_setting_default_text(row(TT_SET_INTERVAL), buf, sizeof(buf));
  assert_string_equal(buf, "1s");
  tt_setting_default_text(row(TT_SET_BACKOFF_MAX), buf, sizeof(buf));
  assert_string_equal(buf, "30s");
  tt_setting_default_text(row(TT_SET_REPLY_END), buf, sizeof(buf));
  assert_string_equal(buf, "\"\\n\"");
  tt_setting_default_text(row(TT_SET_STATUS), buf, sizeof(buf));
  assert_string_equal(buf, "200-399");
  tt_setting_default_text(row(TT_SET_PATH), buf, sizeof(buf));
  assert_string_equal(buf, "/");
  tt_setting_default_text(row(TT_SET_FAMILY), buf, sizeof(buf));
  assert_string_equal(buf, "auto");
  tt_setting_default_text(row(TT_SET_RTT_WARN), buf, sizeof(buf));
  assert_string_equal(buf, "none");
}

/* ---- resolved values, as --check and the detail view show them ---- */

static const char *shown(const tt_target *t, tt_setting_id id) {
  static char buf[600];
  tt_setting_format(row(id), t, 0, buf, sizeof(buf));
  return buf;
}

static void test_resolved_values_read_as_written(void **state) {
  tt_cfgrun r;
  const tt_target *t =
      tt_accepts(&r, "targets:\n  - name: w\n    address: \"[::1]:80\"\n"
                     "    preset: http\n    interval: 300ms\n"
                     "    status: [200, 301-308]\n    tags: [a, b]\n"
                     "    rtt_warn: 50ms\n",
                 0);
  assert_string_equal(shown(t, TT_SET_ADDRESS), "[::1]:80");
  assert_string_equal(shown(t, TT_SET_TAGS), "a, b");
  assert_string_equal(shown(t, TT_SET_PRESET), "http");
  assert_string_equal(shown(t, TT_SET_MODE), "persistent");
  assert_string_equal(shown(t, TT_SET_EXPECT), "\"^HTTP/1\\.[01] [0-9]{3}\"");
  assert_string_equal(shown(t, TT_SET_INTERVAL), "300ms");
  assert_string_equal(shown(t, TT_SET_TIMEOUT), "300ms");
  assert_true(tt_setting_followed(row(TT_SET_TIMEOUT), t));
  assert_false(tt_setting_followed(row(TT_SET_INTERVAL), t));
  assert_string_equal(shown(t, TT_SET_MAX_REPLY), "4096 bytes");
  assert_string_equal(shown(t, TT_SET_REPLY_END), "\"\\r\\n\\r\\n\"");
  assert_string_equal(shown(t, TT_SET_REPLY_BYTES), "none");
  assert_string_equal(shown(t, TT_SET_RTT_WARN), "50ms");
  assert_string_equal(shown(t, TT_SET_PATH), "/");
  assert_string_equal(shown(t, TT_SET_STATUS), "200, 301-308");
  assert_string_equal(shown(t, TT_SET_FAMILY), "auto");
  tt_run_done(&r);
}

static void test_what_check_shows_depends_on_the_target(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n  - address: h:1\n    preset: http\n"
                 "  - address: h:2\n    reply_bytes: 8\n    send: x\n",
             0);
  const tt_target *http = &r.cfg.targets[0], *bin = &r.cfg.targets[1];
  assert_true(row(TT_SET_STATUS)->shown(http));
  assert_false(row(TT_SET_STATUS)->shown(bin));
  assert_true(row(TT_SET_REPLY_END)->shown(http));
  assert_false(row(TT_SET_REPLY_END)->shown(bin));
  assert_true(row(TT_SET_REPLY_BYTES)->shown(bin));
  assert_false(row(TT_SET_RTT_WARN)->shown(bin));
  assert_false(row(TT_SET_HOST)->shown(bin));
  tt_run_done(&r);
}

/* ---- reload's diff ---- */

/* Loads two versions of one target and returns the keys that differ. */
static const char *diff(const char *before, const char *after) {
  static char keys[400];
  tt_cfgrun a, b;
  tt_accepts(&a, before, 0);
  tt_accepts(&b, after, 0);
  tt_setting_list(tt_target_diff(&a.cfg.targets[0], &b.cfg.targets[0]), keys,
                  sizeof(keys));
  assert_int_equal(tt_target_diff(&a.cfg.targets[0], &b.cfg.targets[0]),
                   tt_target_diff(&b.cfg.targets[0], &a.cfg.targets[0]));
  tt_run_done(&a);
  tt_run_done(&b);
  return keys;
}

static void test_diff_of_the_same_target_is_empty(void **state) {
  static const char yaml[] =
      "targets:\n  - name: a\n    address: h:1\n    preset: http\n"
      "    tags: [x]\n    status: [200, 204]\n";
  assert_string_equal(diff(yaml, yaml), "");
  /* Written another way, resolved the same. */
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1, interval: 1s}\n",
           "defaults:\n  interval: 1000ms\n  timeout: 1s\n"
           "targets:\n  - {name: a, host: h, port: 1}\n"),
      "");
}

static void test_diff_names_each_setting_that_changed(void **state) {
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1, preset: redis}\n",
           "targets:\n  - {name: a, address: h:2, preset: redis, "
           "interval: 2s, tags: [t]}\n"),
      "address, tags, interval, backoff.max");
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1, tags: [x, y]}\n",
           "targets:\n  - {name: a, address: h:1, tags: [x, z]}\n"),
      "tags");
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1, preset: redis}\n",
           "targets:\n  - {name: a, address: h:1, preset: memcached}\n"),
      "preset, send, expect");
  /* A shorter interval takes the timeout and backoff with it. */
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1}\n",
           "targets:\n  - {name: a, address: h:1, interval: 100ms}\n"),
      "interval, timeout, backoff.initial, backoff.max");
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1, preset: http}\n",
           "targets:\n  - {name: a, address: h:1, preset: http, "
           "path: /x, status: 200}\n"),
      "send, path, status");
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1, send: \"a\\0b\"}\n",
           "targets:\n  - {name: a, address: h:1, send: \"a\\0c\", "
           "family: ipv4}\n"),
      "send, family");
  assert_string_equal(
      diff("targets:\n  - {name: a, address: h:1, send: x, reply_end: "
           "\"\\n\"}\n",
           "targets:\n  - {name: a, address: h:1, send: x, reply_bytes: 4, "
           "rtt_warn: 1s, miss_threshold: 4}\n"),
      "miss_threshold, rtt_warn, reply_bytes");
}

static void test_diff_ignores_the_name(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n  - {name: a, address: h:1}\n"
                 "  - {name: b, address: h:1}\n",
             0);
  assert_int_equal(tt_target_diff(&r.cfg.targets[0], &r.cfg.targets[1]), 0);
  tt_run_done(&r);
}

/* ---- the man pages list exactly what the table has ---- */

/* The words set in bold by a man(7) line such as ".B key" or
 * ".BR host \" and \" port": the odd arguments of .BR, all of .B. */
static size_t bold_words(const char *line, char words[][64], size_t max) {
  bool br = strncmp(line, ".BR ", 4) == 0;
  const char *p = line + (br ? 4 : 3);
  size_t n = 0, arg = 0;

  if (!br && strncmp(line, ".B ", 3) != 0)
    return 0;
  while (*p != '\0' && *p != '\n' && n < max) {
    char w[64];
    size_t len = 0;
    while (*p == ' ')
      p++;
    if (*p == '"') {
      for (p++; *p != '"' && *p != '\0'; p++)
        if (len + 1 < sizeof(w))
          w[len++] = *p;
      if (*p == '"')
        p++;
    } else {
      for (; *p != ' ' && *p != '\0' && *p != '\n'; p++)
        if (len + 1 < sizeof(w))
          w[len++] = *p;
    }
    w[len] = '\0';
    if (len > 0 && (!br || arg % 2 == 0))
      strcpy(words[n++], w);
    arg++;
  }
  return n;
}

static char *man_page(const char *name) {
  const char *src = getenv("TT_SRC");
  char path[4096];
  if (src == NULL) {
    print_message("TT_SRC is not set; run through ctest\n");
    skip();
  }
  snprintf(path, sizeof(path), "%s/man/%s", src, name);
  return tt_slurp(path);
}

/* The key a table row is listed under: its group for "backoff.max". */
static void listed_as(const tt_setting *s, char *buf, size_t n) {
  const char *dot = strchr(s->key, '.');
  size_t len = dot ? (size_t)(dot - s->key) : strlen(s->key);
  snprintf(buf, n, "%.*s", (int)len, s->key);
}

static void test_man_page_lists_every_key_and_no_other(void **state) {
  char *man = man_page("tether.yaml.5");
  char words[8][64], key[64];
  bool listed[TT_SET_COUNT] = {false};
  const char *section = "";
  size_t entries = 0;
  int nested = 0; /* within .RS/.RE: a key's own list, such as presets */

  /* Every .TP entry in TARGET KEYS and SETTINGS names keys of the table
   * (a group such as backoff standing for its rows). */
  for (char *line = strtok(man, "\n"); line != NULL;
       line = strtok(NULL, "\n")) {
    if (strncmp(line, ".SH ", 4) == 0) {
      section = line + 4;
      continue;
    }
    if (strcmp(section, "TARGET KEYS") != 0 && strcmp(section, "SETTINGS") != 0)
      continue;
    if (strcmp(line, ".RS") == 0 || strncmp(line, ".RS ", 4) == 0)
      nested++;
    else if (strcmp(line, ".RE") == 0)
      nested--;
    if (nested > 0 || strcmp(line, ".TP") != 0)
      continue;
    line = strtok(NULL, "\n");
    assert_non_null(line);
    size_t n = bold_words(line, words, 8);
    for (size_t w = 0; w < n; w++) {
      bool known = false;
      for (int id = 0; id < TT_SET_COUNT; id++) {
        listed_as(row((tt_setting_id)id), key, sizeof(key));
        if (strcmp(key, words[w]) == 0) {
          listed[id] = true;
          known = true;
        }
      }
      if (!known)
        print_message("tether.yaml(5) lists '%s', which is no key\n",
                      words[w]);
      assert_true(known);
      entries++;
    }
  }
  for (int id = 0; id < TT_SET_COUNT; id++) {
    if (!listed[id])
      print_message("tether.yaml(5) does not list '%s'\n",
                    row((tt_setting_id)id)->key);
    assert_true(listed[id]);
  }
  assert_true(entries >= 18);
  free(man);
}

/* "--rtt-warn" as man(7) writes it: "\-\-rtt\-warn". */
static void man_escaped(const char *opt, char *buf, size_t n) {
  size_t w = 0;
  for (; *opt != '\0' && w + 3 < n; opt++) {
    if (*opt == '-')
      buf[w++] = '\\';
    buf[w++] = *opt;
  }
  buf[w] = '\0';
}

static void test_tether_1_documents_every_option(void **state) {
  char *man = man_page("tether.1");
  char opt[64];
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *s = row((tt_setting_id)id);
    if (s->option != NULL) {
      man_escaped(s->option, opt, sizeof(opt));
      if (strstr(man, opt) == NULL)
        print_message("tether(1) does not document %s\n", s->option);
      assert_non_null(strstr(man, opt));
    }
    for (size_t i = 0; i < 2; i++) {
      if (s->shorthands[i].opt == 0)
        continue;
      snprintf(opt, sizeof(opt), ".B \\-%c", s->shorthands[i].opt);
      assert_non_null(strstr(man, opt));
    }
  }
  /* Options that do not exist are not documented either. */
  assert_null(strstr(man, "\\-\\-max\\-reply"));
  assert_null(strstr(man, "\\-\\-backoff"));
  free(man);
}

/* The complete configuration in tether.yaml(5)'s EXAMPLES is valid. */
static void test_man_page_example_loads(void **state) {
  char *man = man_page("tether.yaml.5");
  char *ex = strstr(man, ".SH EXAMPLES"), *start, *end, *yaml, *w;
  tt_cfgrun r;

  assert_non_null(ex);
  start = strstr(ex, ".EX\n");
  assert_non_null(start);
  start += 4;
  end = strstr(start, ".EE\n");
  assert_non_null(end);
  yaml = w = calloc(1, (size_t)(end - start) + 1);
  assert_non_null(yaml);
  /* man(7)'s escapes back to plain text. */
  for (const char *p = start; p < end;) {
    if (strncmp(p, "\\e", 2) == 0) {
      *w++ = '\\';
      p += 2;
    } else if (strncmp(p, "\\-", 2) == 0) {
      *w++ = '-';
      p += 2;
    } else if (strncmp(p, "\\(aq", 4) == 0) {
      *w++ = '\'';
      p += 4;
    } else {
      *w++ = *p++;
    }
  }
  tt_run_yaml(&r, yaml);
  if (r.rc != 0)
    print_message("%s", r.text);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.cfg.ntargets, 8);
  assert_int_equal(r.cfg.targets[7].reply_bytes, 1);
  tt_assert_bytes(r.cfg.targets[7].send, r.cfg.targets[7].send_len,
                  "\0\0\0\x08\x04\xd2\x16\x2f", 8);
  tt_run_done(&r);
  free(yaml);
  free(man);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rows_are_complete_and_unique),
    cmocka_unit_test(test_options_and_the_command_line_layer_agree),
    cmocka_unit_test(test_follows_are_between_durations),
    cmocka_unit_test(test_the_options_of_the_contract),
    cmocka_unit_test(test_values_are_read_by_type),
    cmocka_unit_test(test_values_given_through_the_api_are_checked),
    cmocka_unit_test(test_status_codes_and_ranges),
    cmocka_unit_test(test_defaults_as_people_write_them),
    cmocka_unit_test(test_resolved_values_read_as_written),
    cmocka_unit_test(test_what_check_shows_depends_on_the_target),
    cmocka_unit_test(test_diff_of_the_same_target_is_empty),
    cmocka_unit_test(test_diff_names_each_setting_that_changed),
    cmocka_unit_test(test_diff_ignores_the_name),
    cmocka_unit_test(test_man_page_lists_every_key_and_no_other),
    cmocka_unit_test(test_tether_1_documents_every_option),
    cmocka_unit_test(test_man_page_example_loads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
