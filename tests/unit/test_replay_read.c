/* test_replay_read.c - reading one line of a recorded log: every event
 * tether writes reads back as it was written, strings are decoded and
 * what is shown is escaped, and every kind of damage is refused with
 * words, within bounds, without recursion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"
#include "preset.h"
#include "replay_read.h"
#include "view.h"

#define TS "\"ts\":\"2026-11-29T03:12:40.123456Z\""
#define TS_US 1795921960123456ull /* that time */

static int parse(const char *line, tt_rp_event *ev, char *why) {
  return tt_rp_parse(line, strlen(line), ev, why, 160);
}

static void assert_damage(const char *line, const char *words) {
  tt_rp_event ev;
  char why[160];
  if (parse(line, &ev, why) != -1)
    fail_msg("read as an event: %.200s", line);
  if (words != NULL && strstr(why, words) == NULL)
    fail_msg("'%s' does not say '%s'", why, words);
}

/* ---- what tether writes --------------------------------------------- */

typedef struct fixture {
  tt_target t;
  char *tags[2];
  tt_view v;
  tt_sink k;
} fixture;

static void fixture_init(fixture *f) {
  tt_target_defaults(&f->t);
  f->t.name = "db-1";
  f->t.address = "db.internal:6379";
  f->t.preset = tt_preset_find("redis");
  f->t.mode = TT_MODE_PERSISTENT;
  f->t.interval_ms = 250;
  f->t.timeout_ms = 100;
  f->tags[0] = "prod";
  f->tags[1] = "a \"b\"";
  f->t.tags = f->tags;
  f->t.ntags = 2;
  tt_view_init(&f->v, &f->t, 0);
  snprintf(f->v.ip, sizeof f->v.ip, "10.0.0.7");
  tt_sink_init_fd(&f->k, -1);
}

/* The one line the writer wrote since the last call, read back. */
static void read_back(fixture *f, tt_rp_event *ev) {
  char why[160];
  assert_true(f->k.open > 0 && f->k.buf[f->k.open - 1] == '\n');
  int rc = tt_rp_parse(f->k.buf, f->k.open - 1, ev, why, sizeof why);
  if (rc != 1)
    fail_msg("%s: %.*s", why, (int)f->k.open, f->k.buf);
  f->k.open = f->k.len = 0;
}

static void test_every_event_tether_writes_reads_back(void **unused) {
  fixture f;
  tt_rp_event ev;
  fixture_init(&f);

  tt_json_target(&f.k, &f.v, TS_US);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_TARGET);
  assert_int_equal(ev.ts_us, TS_US);
  assert_string_equal(ev.target, "db-1");
  assert_string_equal(ev.address, "db.internal:6379");
  assert_string_equal(ev.ip, "10.0.0.7");
  assert_true(ev.has_settings);
  assert_int_equal(ev.mode, TT_MODE_PERSISTENT);
  assert_string_equal(ev.preset, "redis");
  assert_int_equal(ev.interval_ms, 250);
  assert_int_equal(ev.timeout_ms, 100);
  assert_int_equal(ev.ntags, 2);
  assert_string_equal(ev.tags, "prod");
  assert_string_equal(ev.tags + 5, "a \"b\"");

  tt_event e = { .kind = TT_EVENT_HEARTBEAT, .view = &f.v, .ts_us = TS_US,
                 .seq = 7, .cls = TT_CLASS_OK, .has_rtt = true,
                 .rtt_us = 1234, .error = "" };
  tt_json_event(&f.k, &e);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_HEARTBEAT);
  assert_int_equal(ev.seq, 7);
  assert_int_equal(ev.cls, TT_CLASS_OK);
  assert_true(ev.has_rtt);
  assert_int_equal(ev.rtt_us, 1234);
  assert_string_equal(ev.error, "");

  e.cls = TT_CLASS_TIMEOUT;
  e.error = "no reply within 100 ms";
  tt_json_event(&f.k, &e);
  read_back(&f, &ev);
  assert_int_equal(ev.cls, TT_CLASS_TIMEOUT);
  assert_false(ev.has_rtt);
  assert_string_equal(ev.error, "no reply within 100 ms");

  e = (tt_event){ .kind = TT_EVENT_LATE, .view = &f.v, .ts_us = TS_US,
                  .seq = 3, .rtt_us = 900, .error = "" };
  tt_json_event(&f.k, &e);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_LATE);
  assert_int_equal(ev.seq, 3);
  assert_int_equal(ev.rtt_us, 900);

  e = (tt_event){ .kind = TT_EVENT_STATE, .view = &f.v, .ts_us = TS_US,
                  .cls = TT_CLASS_REFUSED, .from = TT_STATE_DEGRADED,
                  .to = TT_STATE_DOWN, .error = "connection refused" };
  tt_json_event(&f.k, &e);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_STATE);
  assert_int_equal(ev.from, TT_STATE_DEGRADED);
  assert_int_equal(ev.to, TT_STATE_DOWN);
  assert_int_equal(ev.cls, TT_CLASS_REFUSED);
  assert_string_equal(ev.error, "connection refused");

  e = (tt_event){ .kind = TT_EVENT_RECONNECT, .view = &f.v, .ts_us = TS_US,
                  .cls = TT_CLASS_EOF, .error = "peer closed the connection" };
  tt_json_event(&f.k, &e);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_RECONNECT);
  assert_int_equal(ev.cls, TT_CLASS_EOF);

  e = (tt_event){ .kind = TT_EVENT_ADDED, .view = &f.v, .ts_us = TS_US,
                  .error = "" };
  tt_json_event(&f.k, &e);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_ADDED);
  assert_int_equal(ev.interval_ms, 250);
  assert_int_equal(ev.ntags, 2);

  e.kind = TT_EVENT_REMOVED;
  tt_json_event(&f.k, &e);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_REMOVED);

  /* The summary's "classes" object is passed over. */
  tt_stats_heartbeat(&f.v.stats, TT_CLASS_OK, 100);
  tt_json_summary(&f.k, &f.v, TS_US);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_SUMMARY);
  assert_string_equal(ev.target, "db-1");

  tt_json_notice(&f.k, 12, NULL);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_DROPPED);
  assert_int_equal(ev.count, 12);
  assert_false(ev.has_target);

  char *names[] = { "a", "b" };
  tt_reload_report rep = { .added = names, .nadded = 2 };
  tt_json_reload(&f.k, NULL, &rep);
  read_back(&f, &ev);
  assert_int_equal(ev.kind, TT_RP_OTHER);
  tt_view_free(&f.v);
  tt_sink_close(&f.k);
}

/* ---- strings ------------------------------------------------------------- */

static void test_strings_are_decoded_and_details_escaped(void **unused) {
  tt_rp_event ev;
  char why[160];
  assert_int_equal(
    parse("{" TS ",\"event\":\"heartbeat\",\"target\":\"caf\\u00e9 "
          "\\ud83d\\ude00\",\"address\":\"a\\/b:1\",\"seq\":1,"
          "\"class\":\"eof\",\"error\":\"\\u001b[31mred\\\\x\"}",
          &ev, why),
    1);
  assert_string_equal(ev.target, "caf\xc3\xa9 \xf0\x9f\x98\x80");
  assert_string_equal(ev.address, "a/b:1");
  /* The escape character is made text; a backslash that was text stays
   * as it is (the engine's details are already escaped). */
  assert_string_equal(ev.error, "\\x1b[31mred\\x");
}

static void test_an_ip_that_is_not_one_is_escaped(void **unused) {
  tt_rp_event ev;
  char why[160];
  assert_int_equal(
    parse("{" TS ",\"event\":\"reconnect\",\"target\":\"a\","
          "\"ip\":\"::1\\u001b]0;x\"}", &ev, why),
    1);
  assert_null(strchr(ev.ip, 0x1b));
  assert_non_null(strstr(ev.ip, "\\x1b"));
}

static void test_a_nul_or_a_lone_surrogate_is_damage(void **unused) {
  assert_damage("{" TS ",\"event\":\"removed\",\"target\":\"a\\u0000b\"}",
                "NUL");
  assert_damage("{" TS ",\"event\":\"removed\",\"target\":\"\\ud83d\"}",
                "surrogate");
  assert_damage("{" TS ",\"event\":\"removed\",\"target\":\"\\ude00x\"}",
                "surrogate");
  assert_damage("{" TS ",\"event\":\"removed\",\"target\":\"\\u12\"}",
                "hex");
  assert_damage("{" TS ",\"event\":\"removed\",\"target\":\"\\q\"}",
                "unknown escape");
  assert_damage("{" TS ",\"event\":\"removed\",\"target\":\"a\tb\"}",
                "control character");
}

/* ---- bounds --------------------------------------------------------------- */

static void test_lengths_are_bounded(void **unused) {
  char line[8192], big[4096];
  tt_rp_event ev;
  char why[160];

  memset(big, 'n', 101);
  big[101] = '\0';
  snprintf(line, sizeof line, "{" TS ",\"event\":\"added\",\"target\":\"%s\"}",
           big);
  assert_damage(line, "longer than 100 bytes");
  big[100] = '\0';
  snprintf(line, sizeof line, "{" TS ",\"event\":\"added\",\"target\":\"%s\"}",
           big);
  assert_int_equal(parse(line, &ev, why), 1);

  /* A detail is cut to what a view keeps. */
  memset(big, 'e', 3000);
  big[3000] = '\0';
  snprintf(line, sizeof line,
           "{" TS ",\"event\":\"reconnect\",\"target\":\"a\",\"error\":\"%s\"}",
           big);
  assert_int_equal(parse(line, &ev, why), 1);
  assert_int_equal(strlen(ev.error), TT_ERROR_MAX - 1);

  /* Keys of any length are passed over. */
  snprintf(line, sizeof line,
           "{" TS ",\"event\":\"removed\",\"target\":\"a\",\"%s\":[1]}", big);
  assert_int_equal(parse(line, &ev, why), 1);
}

/* A removed event with a value of depth containers under "x". */
static void nested(char *line, int depth) {
  int n = sprintf(line, "{" TS ",\"event\":\"removed\",\"target\":\"a\","
                        "\"x\":");
  for (int i = 0; i < depth; i++)
    n += sprintf(line + n, i % 2 ? "[" : "{\"k\":");
  line[n++] = '1';
  for (int i = depth - 1; i >= 0; i--)
    line[n++] = i % 2 ? ']' : '}';
  strcpy(line + n, "}");
}

static void test_nesting_is_bounded_without_recursion(void **unused) {
  enum { DEEP = 200000 };
  char *line = malloc(DEEP + 1000);
  tt_rp_event ev;
  char why[160];
  assert_non_null(line);
  nested(line, 64);
  assert_int_equal(parse(line, &ev, why), 1);
  nested(line, 65);
  assert_damage(line, "nested too deep");
  int n = sprintf(line, "{" TS ",\"x\":");
  memset(line + n, '[', DEEP);
  line[n + DEEP] = '\0';
  assert_damage(line, "nested too deep");
  free(line);
}

/* ---- damage ---------------------------------------------------------------- */

static void test_what_is_not_an_event_is_damage(void **unused) {
  static const struct {
    const char *line, *words;
  } cases[] = {
    { "{", "expected a string" },
    { "not json", "not an object" },
    { "\x01\x02\xff\xfe garbage", "not an object" },
    { "{}", "no \"ts\"" },
    { "{\"event\":\"state\"}", "no \"ts\"" },
    { "{" TS "}", "no \"event\"" },
    { "{\"ts\":\"yesterday\",\"event\":\"heartbeat\"}", "RFC 3339" },
    { "{\"ts\":\"2026-02-30T00:00:00Z\",\"event\":\"late\"}", "RFC 3339" },
    { "{" TS ",\"event\":\"heartbeat\",\"target\":\"a\",\"seq\":1}",
      "without \"seq\" or \"class\"" },
    { "{" TS ",\"event\":\"heartbeat\",\"target\":\"a\",\"seq\":1,"
      "\"class\":\"ok\"}", "without \"rtt_us\"" },
    { "{" TS ",\"event\":\"state\",\"target\":\"a\",\"from\":\"up\"}",
      "without \"from\" or \"to\"" },
    { "{" TS ",\"event\":\"state\",\"target\":\"a\",\"from\":\"up\","
      "\"to\":\"sideways\"}", "not a state" },
    { "{" TS ",\"event\":\"heartbeat\"}", "without \"target\"" },
    { "{" TS ",\"event\":\"dropped\"}", "without \"count\"" },
    { "{" TS ",\"event\":\"late\",\"target\":\"a\",\"seq\":-1,"
      "\"rtt_us\":1}", "whole number" },
    { "{" TS ",\"event\":\"late\",\"target\":\"a\",\"seq\":1.5,"
      "\"rtt_us\":1}", "whole number" },
    { "{" TS ",\"event\":\"late\",\"target\":\"a\",\"seq\":"
      "99999999999999999999,\"rtt_us\":1}", "whole number" },
    { "{" TS ",\"event\":\"late\",\"target\":\"a\",\"seq\":1,"
      "\"rtt_us\":4294967296}", "whole number" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a\"} x", "more after" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a\"", "expected ','" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a", "not closed" },
    { "{" TS ",\"event\":\"removed\" \"target\":\"a\"}", "expected ','" },
    { "{" TS ",\"event\":\"removed\",\"target\" \"a\"}", "expected ':'" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a\",\"x\":tru}",
      "expected a value" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a\",\"x\":1.}",
      "after '.'" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a\",\"x\":[1,}",
      "expected a value" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a\",\"x\":{\"y\"}}",
      "expected ':'" },
    { "{" TS ",\"event\":\"removed\",\"target\":\"a\",\"x\":[1}", "or ']'" },
    { "{" TS ",\"event\":\"target\",\"target\":\"a\",\"tags\":[1]}",
      "expected a string" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_damage(cases[i].line, cases[i].words);
}

static void test_other_events_and_keys_pass(void **unused) {
  tt_rp_event ev;
  char why[160];
  assert_int_equal(parse("", &ev, why), 0);
  assert_int_equal(parse("  \r", &ev, why), 0);
  assert_int_equal(parse("{" TS ",\"event\":\"hook\",\"outcome\":\"failed\"}",
                         &ev, why), 1);
  assert_int_equal(ev.kind, TT_RP_OTHER);
  assert_int_equal(
    parse(" { " TS " , \"event\" : \"heartbeat\" , \"target\":\"a\","
          "\"seq\":2,\"class\":\"a class of tomorrow\",\"new\":{\"k\":[true,"
          "false,null,-1.5e3,\"s\"]},\"error\":\"?\" } \r", &ev, why),
    1);
  assert_int_equal(ev.cls, TT_CLASS_ERROR);
}

static void test_rfc3339(void **unused) {
  static const struct {
    const char *s;
    uint64_t us;
  } good[] = {
    { "1970-01-01T00:00:00Z", 0 },
    { "2026-11-29T03:12:40.123456Z", TS_US },
    { "2026-11-29t03:12:40.123456789z", TS_US },
    { "2026-11-29 03:12:40.1234Z", TS_US - 56 },
    { "2026-11-29T04:12:40.123456+01:00", TS_US },
    { "2026-11-29T01:42:40.123456-01:30", TS_US },
    { "2024-02-29T00:00:00Z", 1709164800000000ull },
  };
  static const char *const bad[] = {
    "2026-11-29", "2026-11-29T03:12:40", "2026-13-01T00:00:00Z",
    "2025-02-29T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T03:12:40.Z",
    "2026-11-29T03:12:40+0100", "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00+00:01", "2026-11-29T03:12:40Zjunk",
  };
  uint64_t us;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    if (tt_rp_parse_rfc3339(good[i].s, strlen(good[i].s), &us) != 0)
      fail_msg("%s was refused", good[i].s);
    if (us != good[i].us)
      fail_msg("%s is %llu, not %llu", good[i].s, (unsigned long long)us,
               (unsigned long long)good[i].us);
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (tt_rp_parse_rfc3339(bad[i], strlen(bad[i]), &us) == 0)
      fail_msg("%s was taken", bad[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_event_tether_writes_reads_back),
    cmocka_unit_test(test_strings_are_decoded_and_details_escaped),
    cmocka_unit_test(test_an_ip_that_is_not_one_is_escaped),
    cmocka_unit_test(test_a_nul_or_a_lone_surrogate_is_damage),
    cmocka_unit_test(test_lengths_are_bounded),
    cmocka_unit_test(test_nesting_is_bounded_without_recursion),
    cmocka_unit_test(test_what_is_not_an_event_is_damage),
    cmocka_unit_test(test_other_events_and_keys_pass),
    cmocka_unit_test(test_rfc3339),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
