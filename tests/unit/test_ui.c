/* test_ui.c - the dashboard's formatting as specifications: numbers,
 * fitting text to columns, escaping, HISTORY's cells and sparklines, the
 * cells of every column, and the table's layout from 40 to 300 columns.
 * No terminal: formatting is separate from drawing. The model is in
 * test_dash_model.c, the other lines in test_dash_text.c. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "columns.h"
#include "tls.h"
#include "dash_hist.h"
#include "dash_line.h"
#include "escape.h"
#include "format.h"

#define UTF8 true
#define ASCII false
#define NOW 1700000000000000ull

/* ---- a few fake targets ---- */

static char *no_tags[1];

static tt_target make_target(const char *name, const char *address) {
  tt_target t;
  memset(&t, 0, sizeof(t));
  t.name = (char *)name;
  t.address = (char *)address;
  t.mode = TT_MODE_PERSISTENT;
  t.interval_ms = 1000;
  t.timeout_ms = 1000;
  t.connect_timeout_ms = 2000;
  t.miss_threshold = 3;
  t.reply_end = (char *)"\n";
  t.reply_end_len = 1;
  t.tags = no_tags;
  return t;
}

static void make_view(tt_view *v, const tt_target *t, size_t index,
                      tt_state state) {
  memset(v, 0, sizeof(*v));
  v->target = t;
  v->index = index;
  v->state = state;
  v->state_since_us = NOW;
  tt_stats_init(&v->stats);
}

/* What is remembered of the one target these tests format. */
static tt_hist the_hist;
static tt_loss the_loss;

/* A heartbeat as the engine would record it, at ts (and remembered). */
static void beat_at(tt_view *v, uint64_t ts, tt_class cls, uint32_t rtt_us) {
  tt_stats_heartbeat(&v->stats, cls, rtt_us);
  v->seq++;
  v->last_class = cls;
  if (cls != TT_CLASS_OK)
    v->last_failure = cls;
  tt_hist_beat(&the_hist, NULL, 1000000, ts, cls, rtt_us);
  tt_loss_beat(&the_loss, ts, cls != TT_CLASS_OK);
}

static void beat(tt_view *v, tt_class cls, uint32_t rtt_us) {
  beat_at(v, NOW, cls, rtt_us);
}

static tt_cell_ctx ctx_of(const tt_view *v, bool utf8) {
  tt_cell_ctx ctx = {.now_us = NOW + 100000000, .utf8 = utf8,
                     .name = v->target->name, .target = v->target,
                     .hist = &the_hist, .loss = &the_loss,
                     .step_us = 1000000};
  return ctx;
}

/* The text of one cell of column c, fitted to width. */
static const char *cell(tt_col_id c, const tt_view *v, unsigned width,
                        bool utf8) {
  static tt_line l;
  tt_cell_ctx ctx = ctx_of(v, utf8);
  ctx.now_us = NOW + 30000000; /* LOSS's window still holds NOW */
  tt_line_clear(&l);
  tt_columns[c].format(v, &ctx, width, &l);
  assert_int_equal(l.cols, width);
  return l.buf;
}

static tt_role cell_role(tt_col_id c, const tt_view *v, unsigned width) {
  static tt_line l;
  tt_cell_ctx ctx = ctx_of(v, UTF8);
  ctx.now_us = NOW + 30000000;
  tt_line_clear(&l);
  tt_columns[c].format(v, &ctx, width, &l);
  /* The first piece that is not padding. */
  for (size_t s = 0; s < l.nseg; s++)
    if (strspn(l.buf + l.seg[s].off, " ") < l.seg[s].len)
      return (tt_role)l.seg[s].role;
  return TT_ROLE_NORMAL;
}

static int setup(void **state) {
  tt_hist_init(&the_hist);
  tt_loss_init(&the_loss);
  return 0;
}

/* ---- numbers and durations ---- */

static void test_rtt_has_three_significant_digits(void **state) {
  char b[32];
  tt_fmt_rtt(b, sizeof(b), 87);
  assert_string_equal(b, "87us");
  tt_fmt_rtt(b, sizeof(b), 1234);
  assert_string_equal(b, "1.23ms");
  tt_fmt_rtt(b, sizeof(b), 15040);
  assert_string_equal(b, "15.0ms");
  tt_fmt_rtt(b, sizeof(b), 150000);
  assert_string_equal(b, "150ms");
  tt_fmt_rtt(b, sizeof(b), 1500000);
  assert_string_equal(b, "1.50s");
}

/* Where rounding would add a digit, the next form takes over. */
static void test_rtt_rounding_edges_keep_three_digits(void **state) {
  static const struct { uint32_t us; const char *text; } cases[] = {
    { 999, "999us" },    { 9994, "9.99ms" },  { 9995, "10.0ms" },
    { 99949, "99.9ms" }, { 99950, "100ms" },  { 999499, "999ms" },
    { 999500, "1.00s" }, { 9994999, "9.99s" }, { 9995000, "10.0s" },
    { 99950000, "100s" },
  };
  char b[32];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    tt_fmt_rtt(b, sizeof(b), cases[i].us);
    assert_string_equal(b, cases[i].text);
  }
}

static void test_rtt_fits_the_rtt_columns(void **state) {
  /* Up to 999 s, far beyond any sensible timeout. */
  static const uint32_t values[] = {0,       999,     1000,     9994,
                                    99940,   999999,  1000000,  9994000,
                                    10000000, 999940000};
  char b[32];
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
    int n = tt_fmt_rtt(b, sizeof(b), values[i]);
    assert_true(n <= (int)tt_columns[TT_COL_RTT].width);
  }
}

static void test_ages_read_coarsely(void **state) {
  char b[32];
  tt_fmt_age(b, sizeof(b), 999);
  assert_string_equal(b, "0s");
  tt_fmt_age(b, sizeof(b), 45000);
  assert_string_equal(b, "45s");
  tt_fmt_age(b, sizeof(b), 723000);
  assert_string_equal(b, "12m03s");
  tt_fmt_age(b, sizeof(b), 3 * 3600000 + 5 * 60000);
  assert_string_equal(b, "3h05m");
  tt_fmt_age(b, sizeof(b), 2 * 86400000ull + 4 * 3600000);
  assert_string_equal(b, "2d04h");
}

static void test_ages_fit_the_since_column(void **state) {
  char b[32];
  int n = tt_fmt_age(b, sizeof(b), 99ull * 86400000);
  assert_true(n <= (int)tt_columns[TT_COL_SINCE].width);
  n = tt_fmt_age(b, sizeof(b), 3599999);
  assert_true(n <= (int)tt_columns[TT_COL_SINCE].width);
}

static void test_loss_percentages(void **state) {
  char b[32];
  tt_fmt_pct(b, sizeof(b), 0);
  assert_string_equal(b, "0%");
  tt_fmt_pct(b, sizeof(b), 0.25);
  assert_string_equal(b, "0.2%");
  tt_fmt_pct(b, sizeof(b), 12.4);
  assert_string_equal(b, "12%");
  tt_fmt_pct(b, sizeof(b), 100);
  assert_string_equal(b, "100%");
}

static void test_clock_is_hh_mm_ss(void **state) {
  char b[32];
  assert_int_equal(tt_fmt_clock(b, sizeof(b), 1700000000ull * 1000000), 8);
  assert_true(b[2] == ':' && b[5] == ':');
}

/* ---- fitting text to columns ---- */

static void test_fit_pads_on_the_side_of_the_alignment(void **state) {
  char b[64];
  tt_fmt_fit(b, sizeof(b), "ab", 2, 5, TT_FIT_LEFT, UTF8);
  assert_string_equal(b, "ab   ");
  tt_fmt_fit(b, sizeof(b), "ab", 2, 5, TT_FIT_RIGHT, UTF8);
  assert_string_equal(b, "   ab");
  tt_fmt_fit(b, sizeof(b), "abcde", 5, 5, TT_FIT_LEFT, UTF8);
  assert_string_equal(b, "abcde");
}

static void test_fit_cuts_with_an_ellipsis(void **state) {
  char b[64];
  tt_fmt_fit(b, sizeof(b), "connect_timeout", 15, 8, TT_FIT_LEFT, UTF8);
  assert_string_equal(b, "connect\xe2\x80\xa6");
  tt_fmt_fit(b, sizeof(b), "connect_timeout", 15, 8, TT_FIT_LEFT, ASCII);
  assert_string_equal(b, "connect~");
  tt_fmt_fit(b, sizeof(b), "abc", 3, 0, TT_FIT_LEFT, UTF8);
  assert_string_equal(b, "");
}

static void test_fit_tail_keeps_the_end(void **state) {
  char b[64];
  tt_fmt_fit(b, sizeof(b), "127.0.0.1:6379", 14, 10, TT_FIT_TAIL, UTF8);
  assert_string_equal(b, "\xe2\x80\xa6.0.1:6379");
  tt_fmt_fit(b, sizeof(b), "127.0.0.1:6379", 14, 10, TT_FIT_TAIL, ASCII);
  assert_string_equal(b, "~.0.1:6379");
  tt_fmt_fit(b, sizeof(b), "db:1", 4, 6, TT_FIT_TAIL, ASCII);
  assert_string_equal(b, "db:1  ");
  /* A double-width character that would be split is left out whole. */
  tt_fmt_fit(b, sizeof(b), "\xe6\x97\xa5\xe6\x9c\xac:1", 8, 4, TT_FIT_TAIL,
             UTF8);
  assert_string_equal(b, "\xe2\x80\xa6:1 ");
  assert_int_equal(tt_fmt_width(b, strlen(b)), 4);
}

static void test_fit_counts_columns_not_bytes(void **state) {
  char b[64];
  /* "é" is two bytes and one column; "日" three bytes and two columns. */
  assert_int_equal(tt_fmt_width("caf\xc3\xa9", 5), 4);
  assert_int_equal(tt_fmt_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);
  tt_fmt_fit(b, sizeof(b), "caf\xc3\xa9", 5, 6, TT_FIT_LEFT, UTF8);
  assert_string_equal(b, "caf\xc3\xa9  ");
  assert_int_equal(tt_fmt_width(b, strlen(b)), 6);
}

static void test_fit_never_splits_a_character(void **state) {
  char b[64];
  /* Three double-width characters into 4 columns: one fits before the
   * ellipsis, and a space makes up the column the second would split. */
  tt_fmt_fit(b, sizeof(b), "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 9, 4,
             TT_FIT_LEFT, UTF8);
  assert_string_equal(b, "\xe6\x97\xa5\xe2\x80\xa6 ");
  assert_int_equal(tt_fmt_width(b, strlen(b)), 4);
  assert_int_equal(tt_fmt_prefix("a\xc3\xa9z", 4, 2), 3);
}

static void test_line_cut_and_pad_keep_roles(void **state) {
  tt_line l;
  tt_line_clear(&l);
  tt_line_puts(&l, TT_ROLE_UP, "up");
  tt_line_puts(&l, TT_ROLE_DOWN, "down");
  assert_int_equal(l.nseg, 2);
  assert_int_equal(l.cols, 6);
  tt_line_cut(&l, 4);
  assert_string_equal(l.buf, "updo");
  assert_int_equal(l.seg[1].role, TT_ROLE_DOWN);
  tt_line_pad(&l, 7, TT_ROLE_HEADING);
  assert_string_equal(l.buf, "updo   ");
  assert_int_equal(l.cols, 7);
  assert_int_equal(l.seg[l.nseg - 1].role, TT_ROLE_HEADING);
}

/* ---- escaping what came from a config or the network ---- */

static void test_names_are_escaped_in_cells(void **state) {
  tt_target t = make_target("evil\x1b[2Jname", "h\r\n:1");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  const char *name = cell(TT_COL_NAME, &v, 20, UTF8);
  assert_null(strchr(name, '\x1b'));
  assert_memory_equal(name, "evil\\x1b[2Jname", 15);
  const char *addr = cell(TT_COL_ADDRESS, &v, 12, UTF8);
  assert_null(strchr(addr, '\r'));
  assert_memory_equal(addr, "h\\r\\n:1", 7);
  tt_stats_free(&v.stats);
}

static void test_utf8_names_stay_readable_but_not_in_ascii(void **state) {
  tt_target t = make_target("caf\xc3\xa9", "x:1");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  assert_memory_equal(cell(TT_COL_NAME, &v, 12, UTF8), "caf\xc3\xa9 ", 6);
  assert_memory_equal(cell(TT_COL_NAME, &v, 12, ASCII), "caf\\xc3\\xa9 ", 12);
  tt_stats_free(&v.stats);
}

static void test_c1_controls_in_names_are_escaped(void **state) {
  /* U+009B is a one-character CSI to some terminals. */
  tt_target t = make_target("a\xc2\x9b" "31mb", "x:1");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  assert_memory_equal(cell(TT_COL_NAME, &v, 20, UTF8), "a\\xc2\\x9b31mb", 13);
  tt_stats_free(&v.stats);
}

static void test_escaped_details_are_not_escaped_twice(void **state) {
  char b[128];
  tt_fmt_escaped(b, sizeof(b), "reply \"-ERR\\r\\n\" did not match", 0);
  assert_string_equal(b, "reply \"-ERR\\r\\n\" did not match");
  tt_fmt_escaped(b, sizeof(b), "raw\r\nbytes\x1b", 0);
  assert_string_equal(b, "raw\\r\\nbytes\\x1b");
  tt_fmt_escaped(b, sizeof(b), "caf\xc3\xa9", 0);
  assert_string_equal(b, "caf\xc3\xa9");
  tt_fmt_escaped(b, sizeof(b), "caf\xc3\xa9", TT_ESC_ASCII);
  assert_string_equal(b, "caf\\xc3\\xa9");
  tt_fmt_escaped(b, sizeof(b), "bad \xff byte", 0);
  assert_string_equal(b, "bad \\xff byte");
}

static void test_rfc3339_timestamps(void **state) {
  char b[64];
  tt_fmt_rfc3339(b, sizeof b, 1795597445123456ull);
  assert_string_equal(b, "2026-11-25T09:04:05.123456Z");
  /* Same second, other microseconds; then the next second. */
  tt_fmt_rfc3339(b, sizeof b, 1795597445000001ull);
  assert_string_equal(b, "2026-11-25T09:04:05.000001Z");
  tt_fmt_rfc3339(b, sizeof b, 1795597446999999ull);
  assert_string_equal(b, "2026-11-25T09:04:06.999999Z");
  tt_fmt_rfc3339(b, sizeof b, 0);
  assert_string_equal(b, "1970-01-01T00:00:00.000000Z");
  /* As snprintf: cut to the buffer, the whole length returned. */
  assert_int_equal(tt_fmt_rfc3339(b, 28, 1795597445000001ull), 27);
  assert_string_equal(b, "2026-11-25T09:04:05.000001Z");
  assert_int_equal(tt_fmt_rfc3339(b, 11, 1795597445000001ull), 27);
  assert_string_equal(b, "2026-11-25");
}

static void test_spans_read_finer_than_ages(void **state) {
  char b[32];
  tt_fmt_span(b, sizeof(b), 350);
  assert_string_equal(b, "350ms");
  tt_fmt_span(b, sizeof(b), 14260);
  assert_string_equal(b, "14.2s");
  tt_fmt_span(b, sizeof(b), 185000);
  assert_string_equal(b, "3m05s");
}

static void test_history_cell_reads_the_time_grid(void **state) {
  tt_target t = make_target("a", "x:1");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  uint64_t s0 = NOW - NOW % 1000000;
  beat_at(&v, s0 + 1000000, TT_CLASS_OK, 1000);
  beat_at(&v, s0 + 2000000, TT_CLASS_TIMEOUT, 0);
  beat_at(&v, s0 + 4000000, TT_CLASS_OK, 9000);
  tt_hist_late(&the_hist, 1000000, s0 + 2000000);
  tt_cell_ctx ctx = ctx_of(&v, ASCII);
  ctx.now_us = s0 + 5000000;
  tt_line l;
  tt_line_clear(&l);
  tt_columns[TT_COL_HISTORY].format(&v, &ctx, 7, &l);
  /* Seconds 0..5 then: nothing, 1 ms, late, nothing, 9 ms, now. */
  assert_string_equal(l.buf, "  _! ^ ");
  tt_stats_free(&v.stats);
}

/* ---- cells ---- */

static void test_cells_before_any_heartbeat(void **state) {
  tt_target t = make_target("db1", "db1:5432");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_CONNECTING);
  assert_string_equal(cell(TT_COL_STATE, &v, 10, UTF8), "connecting");
  assert_string_equal(cell(TT_COL_RTT, &v, 6, UTF8), "     -");
  assert_string_equal(cell(TT_COL_AVG, &v, 6, UTF8), "     -");
  assert_string_equal(cell(TT_COL_P99, &v, 6, UTF8), "     -");
  assert_string_equal(cell(TT_COL_LOSS, &v, 5, UTF8), "    -");
  assert_string_equal(cell(TT_COL_ERR, &v, 8, UTF8), "-       ");
  assert_string_equal(cell(TT_COL_TAGS, &v, 6, UTF8), "-     ");
  tt_stats_free(&v.stats);
}

static void test_cells_of_a_healthy_target(void **state) {
  tt_target t = make_target("db1", "db1:5432");
  char *tags[] = {(char *)"prod", (char *)"db"};
  t.tags = tags;
  t.ntags = 2;
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  beat(&v, TT_CLASS_OK, 1000);
  beat(&v, TT_CLASS_OK, 3000);
  v.state_since_us = NOW + 30000000 - 75000000;
  assert_string_equal(cell(TT_COL_RTT, &v, 6, UTF8), "3.00ms");
  assert_string_equal(cell(TT_COL_AVG, &v, 6, UTF8), "2.00ms");
  assert_string_equal(cell(TT_COL_LOSS, &v, 5, UTF8), "   0%");
  assert_string_equal(cell(TT_COL_SINCE, &v, 6, UTF8), " 1m15s");
  assert_string_equal(cell(TT_COL_ERR, &v, 8, UTF8), "-       ");
  assert_string_equal(cell(TT_COL_TAGS, &v, 9, UTF8), "prod,db  ");
  assert_int_equal(cell_role(TT_COL_STATE, &v, 10), TT_ROLE_UP);
  assert_int_equal(cell_role(TT_COL_AVG, &v, 6), TT_ROLE_MUTED);
  assert_int_equal(cell_role(TT_COL_ADDRESS, &v, 12), TT_ROLE_MUTED);
  tt_stats_free(&v.stats);
}

static void test_cells_of_a_failing_target(void **state) {
  tt_target t = make_target("db1", "db1:5432");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_DOWN);
  beat(&v, TT_CLASS_OK, 1000);
  beat(&v, TT_CLASS_CONNECT_TIMEOUT, 0);
  assert_string_equal(cell(TT_COL_RTT, &v, 6, UTF8), "     -");
  assert_string_equal(cell(TT_COL_AVG, &v, 6, UTF8), "1.00ms");
  assert_string_equal(cell(TT_COL_LOSS, &v, 5, UTF8), "  50%");
  assert_string_equal(cell(TT_COL_ERR, &v, 15, UTF8), "connect_timeout");
  assert_int_equal(cell_role(TT_COL_ERR, &v, 15), TT_ROLE_DOWN);
  assert_int_equal(cell_role(TT_COL_STATE, &v, 10), TT_ROLE_DOWN);
  assert_int_equal(cell_role(TT_COL_LOSS, &v, 5), TT_ROLE_DEGRADED);
  v.state = TT_STATE_DEGRADED;
  assert_int_equal(cell_role(TT_COL_STATE, &v, 10), TT_ROLE_DEGRADED);
  tt_stats_free(&v.stats);
}

/* CERT: the days the certificate shown last has left (the cell's now is
 * NOW + 30 s), in red once expired or not trusted, as degraded within
 * cert_warn, "-" before a handshake showed one. */
static void test_cert_cell(void **state) {
  tt_target t = make_target("web", "web:443");
  t.tls = true;
  t.cert_warn_ms = 14ull * 86400000;
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  assert_string_equal(cell(TT_COL_CERT, &v, 5, UTF8), "    -");
  tt_tls_info c;
  memset(&c, 0, sizeof(c));
  c.trusted = true;
  int64_t now_s = (int64_t)(NOW / 1000000) + 30;
  c.not_after = now_s + 40 * 86400 + 5;
  v.cert = &c;
  assert_string_equal(cell(TT_COL_CERT, &v, 5, UTF8), "  40d");
  assert_int_equal(cell_role(TT_COL_CERT, &v, 5), TT_ROLE_NORMAL);
  c.not_after = now_s + 5 * 86400 + 5;
  assert_string_equal(cell(TT_COL_CERT, &v, 5, UTF8), "   5d");
  assert_int_equal(cell_role(TT_COL_CERT, &v, 5), TT_ROLE_DEGRADED);
  c.not_after = now_s - 2 * 86400 - 5;
  assert_string_equal(cell(TT_COL_CERT, &v, 5, UTF8), "  -3d");
  assert_int_equal(cell_role(TT_COL_CERT, &v, 5), TT_ROLE_DOWN);
  c.not_after = now_s + 400 * 86400;
  c.trusted = false;
  assert_int_equal(cell_role(TT_COL_CERT, &v, 5), TT_ROLE_DOWN);
  tt_stats_free(&v.stats);
}

/* LOSS is over the recent window: a target that lost everything an
 * hour ago and is fine now reads 0%. */
static void test_loss_cell_is_over_the_recent_window(void **state) {
  tt_target t = make_target("db1", "db1:5432");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  for (int i = 0; i < 10; i++)
    beat_at(&v, NOW - 3600000000ull + i * 1000000ull, TT_CLASS_TIMEOUT, 0);
  for (int i = 0; i < 10; i++)
    beat_at(&v, NOW + i * 1000000ull, TT_CLASS_OK, 100);
  assert_string_equal(cell(TT_COL_LOSS, &v, 5, UTF8), "   0%");
  assert_int_equal(tt_stats_loss_pct(&v.stats), 50);
  tt_stats_free(&v.stats);
}

static void test_a_target_that_left_has_no_address(void **state) {
  tt_target t = make_target("db1", "db1:5432");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  tt_cell_ctx ctx = ctx_of(&v, UTF8);
  ctx.target = NULL;
  tt_line l;
  tt_line_clear(&l);
  tt_columns[TT_COL_ADDRESS].format(&v, &ctx, 6, &l);
  assert_string_equal(l.buf, "-     ");
  tt_stats_free(&v.stats);
}

static void test_heading_marks_the_sort_column(void **state) {
  tt_layout lay;
  tt_line l;
  unsigned want[TT_COL_COUNT] = {[TT_COL_NAME] = 10, [TT_COL_ADDRESS] = 15};
  tt_layout_compute(&lay, 120, want);
  tt_line_clear(&l);
  tt_heading_format(&l, &lay, TT_COL_RTT, false, ASCII, "HISTORY 4s");
  assert_non_null(strstr(l.buf, "RTT^"));
  assert_non_null(strstr(l.buf, "NAME"));
  assert_non_null(strstr(l.buf, "HISTORY 4s"));
  assert_int_equal(l.cols, lay.total);
  tt_line_clear(&l);
  tt_heading_format(&l, &lay, TT_COL_RTT, true, UTF8, NULL);
  assert_non_null(strstr(l.buf, "RTT\xe2\x96\xbc"));
}

/* ---- layout ---- */

static void layout(tt_layout *lay, unsigned cols, unsigned name,
                   unsigned address, unsigned tags) {
  unsigned want[TT_COL_COUNT] = {[TT_COL_NAME] = name,
                                 [TT_COL_ADDRESS] = address,
                                 [TT_COL_TAGS] = tags};
  tt_layout_compute(lay, cols, want);
  assert_true(lay->total <= cols);
}

static void test_layout_at_100_columns_shows_every_column(void **state) {
  tt_layout lay;
  layout(&lay, 100, 14, 15, 0);
  /* TAGS when asked for, CERT when a target uses TLS. */
  for (int c = 0; c < TT_COL_COUNT; c++)
    assert_int_equal(lay.width[c] > 0, c != TT_COL_TAGS && c != TT_COL_CERT);
  assert_int_equal(lay.width[TT_COL_NAME], 14);
  assert_true(lay.width[TT_COL_HISTORY] >= tt_columns[TT_COL_HISTORY].width);
}

static void test_layout_at_80_columns_gives_up_address_and_history_first(
    void **state) {
  tt_layout lay;
  layout(&lay, 80, 30, 21, 0);
  assert_true(lay.width[TT_COL_NAME] >= tt_columns[TT_COL_NAME].min);
  /* Every number and the state keep their full width. */
  for (int c = TT_COL_STATE; c <= TT_COL_LOSS; c++)
    assert_int_equal(lay.width[c], tt_columns[c].width);
  assert_int_equal(lay.width[TT_COL_SINCE], tt_columns[TT_COL_SINCE].width);
  assert_int_equal(lay.width[TT_COL_ADDRESS], 0);
  assert_true(lay.width[TT_COL_HISTORY] > 0);
  assert_true(lay.width[TT_COL_ERR] >= 8);
}

static void test_layout_shrinks_address_before_name(void **state) {
  tt_layout lay;
  layout(&lay, 110, 20, 30, 0);
  assert_int_equal(lay.width[TT_COL_NAME], 20);
  assert_true(lay.width[TT_COL_ADDRESS] < 30);
  assert_true(lay.width[TT_COL_ADDRESS] >= tt_columns[TT_COL_ADDRESS].min);
  assert_int_equal(lay.width[TT_COL_HISTORY], tt_columns[TT_COL_HISTORY].width);
  assert_int_equal(lay.total, 110);
  /* Narrower, ADDRESS goes and NAME gets its width back. */
  layout(&lay, 96, 20, 30, 0);
  assert_int_equal(lay.width[TT_COL_ADDRESS], 0);
  assert_int_equal(lay.width[TT_COL_NAME], 20);
  assert_int_equal(lay.width[TT_COL_ERR], tt_columns[TT_COL_ERR].width);
}

static void test_layout_name_keeps_its_minimum(void **state) {
  tt_layout lay;
  layout(&lay, 80, 3, 3, 0);
  assert_int_equal(lay.width[TT_COL_NAME], tt_columns[TT_COL_NAME].min);
  layout(&lay, 80, 100, 100, 0);
  assert_int_equal(lay.width[TT_COL_NAME], tt_columns[TT_COL_NAME].min);
}

/* Wide terminals are used: HISTORY takes the room, up to what is kept. */
static void test_layout_wide_screens_widen_the_history(void **state) {
  tt_layout lay;
  layout(&lay, 200, 10, 15, 0);
  assert_int_equal(lay.total, 200);
  assert_true(lay.width[TT_COL_HISTORY] > 64);
  layout(&lay, 400, 10, 15, 0);
  assert_int_equal(lay.width[TT_COL_HISTORY], TT_HIST_CELLS);
  assert_int_equal(lay.width[TT_COL_ADDRESS], 15);
}

static void test_layout_tags_column_on_request(void **state) {
  tt_layout lay;
  layout(&lay, 140, 10, 15, 9);
  assert_int_equal(lay.width[TT_COL_TAGS], 9);
  /* Asked for, it stays at 80 columns, ADDRESS giving way first. */
  layout(&lay, 80, 14, 15, 20);
  assert_true(lay.width[TT_COL_TAGS] >= tt_columns[TT_COL_TAGS].give_up[0].floor);
  assert_int_equal(lay.width[TT_COL_ADDRESS], 0);
}

/* Below 80 columns a compact table drops the secondary columns, down to
 * 40: name, state, RTT, loss and the class stay. */
static void test_layout_compact_down_to_40_columns(void **state) {
  tt_layout lay;
  layout(&lay, 60, 12, 15, 0);
  assert_int_equal(lay.width[TT_COL_HISTORY], 0);
  assert_int_equal(lay.width[TT_COL_AVG], 0);
  assert_true(lay.width[TT_COL_SINCE] > 0);
  layout(&lay, 40, 12, 15, 0);
  static const tt_col_id kept[] = {TT_COL_NAME, TT_COL_STATE, TT_COL_RTT,
                                   TT_COL_LOSS, TT_COL_ERR};
  for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++)
    assert_true(lay.width[kept[k]] >= 5);
  assert_int_equal(lay.width[TT_COL_SINCE], 0);
  assert_int_equal(lay.width[TT_COL_P99], 0);
  assert_true(lay.width[TT_COL_NAME] >= 8);
}

static void test_row_is_as_wide_as_the_layout(void **state) {
  tt_target t = make_target("a-very-long-target-name-indeed", "10.0.0.1:6379");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  beat(&v, TT_CLASS_OK, 1234);
  unsigned widths[] = {40, 60, 80, 100, 132, 200, 300};
  for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
    tt_layout lay;
    tt_line l;
    tt_cell_ctx ctx = ctx_of(&v, UTF8);
    layout(&lay, widths[i], 30, 13, 0);
    tt_line_clear(&l);
    tt_row_format(&l, &v, &lay, &ctx);
    assert_int_equal(l.cols, lay.total);
    assert_non_null(strstr(l.buf, "1.23ms"));
  }
  tt_stats_free(&v.stats);
}

int main(void) {
  /* wcwidth needs a UTF-8 character type; C.UTF-8 is always there. */
  if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
    setlocale(LC_CTYPE, "");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rfc3339_timestamps),
    cmocka_unit_test(test_rtt_has_three_significant_digits),
    cmocka_unit_test(test_rtt_rounding_edges_keep_three_digits),
    cmocka_unit_test(test_rtt_fits_the_rtt_columns),
    cmocka_unit_test(test_ages_read_coarsely),
    cmocka_unit_test(test_ages_fit_the_since_column),
    cmocka_unit_test(test_spans_read_finer_than_ages),
    cmocka_unit_test(test_loss_percentages),
    cmocka_unit_test(test_clock_is_hh_mm_ss),
    cmocka_unit_test(test_fit_pads_on_the_side_of_the_alignment),
    cmocka_unit_test(test_fit_cuts_with_an_ellipsis),
    cmocka_unit_test(test_fit_tail_keeps_the_end),
    cmocka_unit_test(test_fit_counts_columns_not_bytes),
    cmocka_unit_test(test_fit_never_splits_a_character),
    cmocka_unit_test(test_line_cut_and_pad_keep_roles),
    cmocka_unit_test_setup(test_names_are_escaped_in_cells, setup),
    cmocka_unit_test_setup(test_utf8_names_stay_readable_but_not_in_ascii,
                           setup),
    cmocka_unit_test_setup(test_c1_controls_in_names_are_escaped, setup),
    cmocka_unit_test(test_escaped_details_are_not_escaped_twice),
    cmocka_unit_test_setup(test_history_cell_reads_the_time_grid, setup),
    cmocka_unit_test_setup(test_cells_before_any_heartbeat, setup),
    cmocka_unit_test_setup(test_cells_of_a_healthy_target, setup),
    cmocka_unit_test_setup(test_cells_of_a_failing_target, setup),
    cmocka_unit_test_setup(test_cert_cell, setup),
    cmocka_unit_test_setup(test_loss_cell_is_over_the_recent_window, setup),
    cmocka_unit_test_setup(test_a_target_that_left_has_no_address, setup),
    cmocka_unit_test(test_heading_marks_the_sort_column),
    cmocka_unit_test(test_layout_at_100_columns_shows_every_column),
    cmocka_unit_test(
        test_layout_at_80_columns_gives_up_address_and_history_first),
    cmocka_unit_test(test_layout_shrinks_address_before_name),
    cmocka_unit_test(test_layout_name_keeps_its_minimum),
    cmocka_unit_test(test_layout_wide_screens_widen_the_history),
    cmocka_unit_test(test_layout_tags_column_on_request),
    cmocka_unit_test(test_layout_compact_down_to_40_columns),
    cmocka_unit_test_setup(test_row_is_as_wide_as_the_layout, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
