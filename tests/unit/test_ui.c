/* test_ui.c - the dashboard's formatting as specifications: cells,
 * durations, fitting text to columns, sparklines, escaping, the table's
 * layout at common widths, and the header and detail lines. No terminal:
 * formatting is separate from drawing. */
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
#include "dash_line.h"
#include "dash_model.h"
#include "dash_text.h"
#include "escape.h"
#include "format.h"
#include "sparkline.h"

#define UTF8 true
#define ASCII false

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
  tt_stats_init(&v->stats);
}

/* A heartbeat as the engine would record it. */
static void beat(tt_view *v, tt_class cls, uint32_t rtt_us) {
  tt_stats_heartbeat(&v->stats, cls, rtt_us);
  v->seq++;
  v->last_class = cls;
  if (cls != TT_CLASS_OK)
    v->last_failure = cls;
}

/* The text of one cell of column c, fitted to width. */
static const char *cell(tt_col_id c, const tt_view *v, unsigned width,
                        bool utf8) {
  static tt_line l;
  tt_cell_ctx ctx = {.now_ms = 100000, .utf8 = utf8};
  tt_line_clear(&l);
  tt_columns[c].format(v, &ctx, width, &l);
  assert_int_equal(l.cols, width);
  return l.buf;
}

static tt_role cell_role(tt_col_id c, const tt_view *v, unsigned width) {
  static tt_line l;
  tt_cell_ctx ctx = {.now_ms = 100000, .utf8 = true};
  tt_line_clear(&l);
  tt_columns[c].format(v, &ctx, width, &l);
  /* The first piece that is not padding. */
  for (size_t s = 0; s < l.nseg; s++)
    if (strspn(l.buf + l.seg[s].off, " ") < l.seg[s].len)
      return (tt_role)l.seg[s].role;
  return TT_ROLE_NORMAL;
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
}

static void test_utf8_names_stay_readable_but_not_in_ascii(void **state) {
  tt_target t = make_target("caf\xc3\xa9", "x:1");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  assert_memory_equal(cell(TT_COL_NAME, &v, 12, UTF8), "caf\xc3\xa9 ", 6);
  assert_memory_equal(cell(TT_COL_NAME, &v, 12, ASCII), "caf\\xc3\\xa9 ", 12);
}

static void test_c1_controls_in_names_are_escaped(void **state) {
  /* U+009B is a one-character CSI to some terminals. */
  tt_target t = make_target("a\xc2\x9b" "31mb", "x:1");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  assert_memory_equal(cell(TT_COL_NAME, &v, 20, UTF8), "a\\xc2\\x9b31mb", 13);
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

/* ---- sparklines ---- */

static tt_sample ok(uint32_t us) {
  return (tt_sample){.rtt_us = us, .cls = TT_CLASS_OK};
}

static tt_sample failed(tt_class c) {
  return (tt_sample){.cls = (uint8_t)c};
}

static tt_sample late(uint32_t us) {
  return (tt_sample){.rtt_us = us, .cls = TT_CLASS_TIMEOUT, .late = 1};
}

static const char *spark_text(const tt_sample *s, size_t n, size_t width,
                              bool utf8) {
  static tt_line l;
  tt_line_clear(&l);
  tt_spark_line(&l, s, n, width, utf8);
  assert_int_equal(l.cols, width);
  return l.buf;
}

static void test_spark_scales_between_the_rows_extremes(void **state) {
  tt_sample s[] = {ok(1000), ok(2000), ok(3000), ok(4000), ok(5000),
                   ok(6000), ok(7000), ok(8000)};
  assert_string_equal(spark_text(s, 8, 8, UTF8),
                      "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84"
                      "\xe2\x96\x85\xe2\x96\x86\xe2\x96\x87\xe2\x96\x88");
}

static void test_spark_is_scaled_per_row(void **state) {
  /* The same shape at a hundred times the RTT draws the same bars. */
  tt_sample a[] = {ok(100), ok(800), ok(100)};
  tt_sample b[] = {ok(10000), ok(80000), ok(10000)};
  char first[TT_LINE_BYTES];
  snprintf(first, sizeof(first), "%s", spark_text(a, 3, 3, UTF8));
  assert_string_equal(first, spark_text(b, 3, 3, UTF8));
  assert_string_equal(first, "\xe2\x96\x81\xe2\x96\x88\xe2\x96\x81");
}

static void test_spark_draws_a_steady_target_flat(void **state) {
  tt_sample s[] = {ok(1000), ok(1010), ok(995), ok(1005)};
  assert_string_equal(spark_text(s, 4, 4, UTF8),
                      "\xe2\x96\x81\xe2\x96\x81\xe2\x96\x81\xe2\x96\x81");
  assert_int_equal(tt_spark_level(1000, 1000, 1000), 0);
  assert_int_equal(tt_spark_level(2000, 1000, 2000), TT_SPARK_LEVELS - 1);
}

static void test_spark_marks_failures_and_late_replies(void **state) {
  tt_sample s[] = {ok(1000), failed(TT_CLASS_REFUSED), late(3000000), ok(2000)};
  tt_spark_cell c[4];
  assert_int_equal(tt_spark(s, 4, 4, UTF8, c), 4);
  assert_string_equal(c[1].glyph, "\xc3\x97");
  assert_int_equal(c[1].role, TT_ROLE_FAIL);
  assert_string_equal(c[2].glyph, "!");
  assert_int_equal(c[2].role, TT_ROLE_LATE);
  assert_int_equal(c[0].role, TT_ROLE_SPARK);
  /* A late reply's RTT does not stretch the scale of answered ones. */
  assert_string_equal(c[0].glyph, "\xe2\x96\x81");
  assert_string_equal(c[3].glyph, "\xe2\x96\x88");
}

static void test_spark_ascii_fallback(void **state) {
  tt_sample s[] = {ok(1000), ok(8000), failed(TT_CLASS_TIMEOUT), late(9000)};
  assert_string_equal(spark_text(s, 4, 4, ASCII), "_^x!");
  tt_sample all[8];
  for (int i = 0; i < 8; i++)
    all[i] = ok((uint32_t)(1000 * (i + 1)));
  const char *t = spark_text(all, 8, 8, ASCII);
  /* Monotonic: each level at least as high as the one before. */
  static const char order[] = "_.-=^";
  for (int i = 1; i < 8; i++)
    assert_true(strchr(order, t[i]) >= strchr(order, t[i - 1]));
  assert_int_equal(t[0], '_');
  assert_int_equal(t[7], '^');
}

static void test_spark_puts_the_newest_on_the_right(void **state) {
  tt_sample s[] = {ok(1000), failed(TT_CLASS_EOF)};
  assert_string_equal(spark_text(s, 2, 5, ASCII), "   _x");
  /* Narrower than the history: the newest samples are kept. */
  tt_sample t[] = {failed(TT_CLASS_EOF), ok(1000), ok(1000)};
  assert_string_equal(spark_text(t, 3, 2, ASCII), "__");
  assert_string_equal(spark_text(t, 0, 3, ASCII), "   ");
}

static void test_history_cell_uses_the_stats_ring(void **state) {
  tt_target t = make_target("a", "x:1");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  beat(&v, TT_CLASS_OK, 1000);
  beat(&v, TT_CLASS_TIMEOUT, 0);
  beat(&v, TT_CLASS_OK, 9000);
  tt_stats_late(&v.stats, 2, 1500000);
  assert_string_equal(cell(TT_COL_HISTORY, &v, 6, ASCII), "   _!^");
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
}

static void test_cells_of_a_healthy_target(void **state) {
  tt_target t = make_target("db1", "db1:5432");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  beat(&v, TT_CLASS_OK, 1000);
  beat(&v, TT_CLASS_OK, 3000);
  v.state_since_ms = 100000 - 75000;
  assert_string_equal(cell(TT_COL_RTT, &v, 6, UTF8), "3.00ms");
  assert_string_equal(cell(TT_COL_AVG, &v, 6, UTF8), "2.00ms");
  assert_string_equal(cell(TT_COL_LOSS, &v, 5, UTF8), "   0%");
  assert_string_equal(cell(TT_COL_SINCE, &v, 6, UTF8), " 1m15s");
  assert_string_equal(cell(TT_COL_ERR, &v, 8, UTF8), "-       ");
  assert_int_equal(cell_role(TT_COL_STATE, &v, 10), TT_ROLE_UP);
  assert_int_equal(cell_role(TT_COL_AVG, &v, 6), TT_ROLE_MUTED);
  assert_int_equal(cell_role(TT_COL_ADDRESS, &v, 12), TT_ROLE_MUTED);
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
}

static void test_heading_marks_the_sort_column(void **state) {
  tt_layout lay;
  tt_line l;
  tt_layout_compute(&lay, 100, 10, 15);
  tt_line_clear(&l);
  tt_heading_format(&l, &lay, TT_COL_RTT, false, ASCII);
  assert_non_null(strstr(l.buf, "RTT^"));
  assert_non_null(strstr(l.buf, "NAME"));
  assert_non_null(strstr(l.buf, "HISTORY"));
  assert_int_equal(l.cols, lay.total);
  tt_line_clear(&l);
  tt_heading_format(&l, &lay, TT_COL_RTT, true, UTF8);
  assert_non_null(strstr(l.buf, "RTT\xe2\x96\xbc"));
}

/* ---- layout ---- */

static void test_layout_at_100_columns_shows_every_column(void **state) {
  tt_layout lay;
  tt_layout_compute(&lay, 100, 14, 15);
  for (int c = 0; c < TT_COL_COUNT; c++)
    assert_true(lay.width[c] > 0);
  assert_true(lay.total <= 100);
  assert_int_equal(lay.width[TT_COL_NAME], 14);
  assert_true(lay.width[TT_COL_HISTORY] >= TT_HISTORY_MIN);
}

static void test_layout_at_80_columns_gives_up_address_and_history_first(
    void **state) {
  tt_layout lay;
  tt_layout_compute(&lay, 80, 30, 21);
  assert_true(lay.total <= 80);
  assert_true(lay.width[TT_COL_NAME] >= TT_NAME_MIN);
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
  tt_layout_compute(&lay, 110, 20, 30);
  assert_int_equal(lay.width[TT_COL_NAME], 20);
  assert_true(lay.width[TT_COL_ADDRESS] < 30);
  assert_true(lay.width[TT_COL_ADDRESS] >= TT_ADDRESS_MIN);
  assert_int_equal(lay.width[TT_COL_HISTORY], TT_HISTORY_MIN);
  assert_int_equal(lay.total, 110);
  /* Narrower, ADDRESS goes and NAME gets its width back. */
  tt_layout_compute(&lay, 96, 20, 30);
  assert_int_equal(lay.width[TT_COL_ADDRESS], 0);
  assert_int_equal(lay.width[TT_COL_NAME], 20);
  assert_int_equal(lay.width[TT_COL_ERR], tt_columns[TT_COL_ERR].width);
  assert_true(lay.total <= 96);
}

static void test_layout_name_keeps_twelve(void **state) {
  tt_layout lay;
  tt_layout_compute(&lay, 80, 3, 3);
  assert_int_equal(lay.width[TT_COL_NAME], TT_NAME_MIN);
  tt_layout_compute(&lay, 80, 100, 100);
  assert_int_equal(lay.width[TT_COL_NAME], TT_NAME_MIN);
  assert_true(lay.total <= 80);
}

static void test_layout_wide_screens_cap_the_history(void **state) {
  tt_layout lay;
  tt_layout_compute(&lay, 300, 10, 15);
  assert_int_equal(lay.width[TT_COL_HISTORY], TT_RING_LEN);
  assert_int_equal(lay.width[TT_COL_ADDRESS], 15);
}

static void test_row_is_as_wide_as_the_layout(void **state) {
  tt_target t = make_target("a-very-long-target-name-indeed", "10.0.0.1:6379");
  tt_view v;
  make_view(&v, &t, 0, TT_STATE_UP);
  beat(&v, TT_CLASS_OK, 1234);
  unsigned widths[] = {80, 100, 132, 200};
  for (size_t i = 0; i < 4; i++) {
    tt_layout lay;
    tt_line l;
    tt_cell_ctx ctx = {0, true};
    tt_layout_compute(&lay, widths[i], 30, 13);
    tt_line_clear(&l);
    tt_row_format(&l, &v, &lay, &ctx);
    assert_int_equal(l.cols, lay.total);
    assert_true(l.cols <= widths[i]);
    assert_non_null(strstr(l.buf, "1.23ms"));
  }
}

/* ---- the model: sorting, filtering, selection, keys ---- */

typedef struct fleet {
  tt_target t[5];
  tt_view v[5];
  char *tags[2];
} fleet;

static const tt_view *fleet_view(void *src, size_t i) {
  return &((fleet *)src)->v[i];
}

/* Five targets in config order: alpha up, bravo down, charlie degraded,
 * delta connecting, echo up. */
static fleet *fleet_new(void) {
  static const char *names[] = {"alpha", "bravo", "charlie", "delta", "echo"};
  static const char *addrs[] = {"10.0.0.1:80", "10.0.0.2:80", "db.example:5432",
                                "10.0.0.4:80", "10.0.0.5:6379"};
  static const tt_state states[] = {TT_STATE_UP, TT_STATE_DOWN,
                                    TT_STATE_DEGRADED, TT_STATE_CONNECTING,
                                    TT_STATE_UP};
  static const uint32_t rtts[] = {5000, 0, 9000, 0, 1000};
  fleet *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  f->tags[0] = (char *)"prod";
  f->tags[1] = (char *)"cache";
  for (size_t i = 0; i < 5; i++) {
    f->t[i] = make_target(names[i], addrs[i]);
    make_view(&f->v[i], &f->t[i], i, states[i]);
    if (rtts[i] > 0)
      beat(&f->v[i], TT_CLASS_OK, rtts[i]);
  }
  beat(&f->v[1], TT_CLASS_REFUSED, 0);
  f->t[4].tags = f->tags;
  f->t[4].ntags = 2;
  return f;
}

static void model_up(tt_dash_model *m, fleet *f) {
  assert_int_equal(tt_dash_model_init(m, 5, fleet_view, f, true), 0);
  tt_dash_set_page(m, 10);
}

static const char *row_name(const tt_dash_model *m, size_t row) {
  return tt_dash_view(m, m->rows[row])->target->name;
}

static void test_state_sorts_worst_first(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  assert_int_equal(m.sort_col, TT_COL_STATE);
  assert_string_equal(row_name(&m, 0), "bravo");   /* down */
  assert_string_equal(row_name(&m, 1), "delta");   /* connecting */
  assert_string_equal(row_name(&m, 2), "charlie"); /* degraded */
  assert_string_equal(row_name(&m, 3), "alpha");   /* up, config order */
  assert_string_equal(row_name(&m, 4), "echo");
  tt_dash_model_free(&m);
  free(f);
}

static void test_s_cycles_columns_and_S_reverses(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  unsigned fl = tt_dash_key(&m, 's');
  assert_true(fl & TT_DIRTY_ORDER);
  assert_int_equal(m.sort_col, TT_COL_RTT);
  tt_dash_refresh(&m, fl);
  /* By RTT: echo 1ms, alpha 5ms, charlie 9ms; no RTT goes last. */
  assert_string_equal(row_name(&m, 0), "echo");
  assert_string_equal(row_name(&m, 1), "alpha");
  assert_string_equal(row_name(&m, 2), "charlie");
  fl = tt_dash_key(&m, 'S');
  tt_dash_refresh(&m, fl);
  assert_true(m.reverse);
  assert_string_equal(row_name(&m, 0), "charlie");
  assert_string_equal(row_name(&m, 2), "echo");
  /* Rows without a value stay last in either direction. */
  assert_string_equal(row_name(&m, 3), "bravo");
  assert_string_equal(row_name(&m, 4), "delta");
  tt_dash_model_free(&m);
  free(f);
}

static void test_s_visits_every_sortable_column(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  bool seen[TT_COL_COUNT] = {false};
  int presses = 0;
  do {
    seen[m.sort_col] = true;
    tt_dash_refresh(&m, tt_dash_key(&m, 's'));
  } while (m.sort_col != TT_COL_STATE && ++presses < 3 * TT_COL_COUNT);
  for (int c = 0; c < TT_COL_COUNT; c++)
    assert_int_equal(seen[c], tt_columns[c].key != NULL);
  assert_int_equal(m.sort_col, TT_COL_STATE);
  tt_dash_model_free(&m);
  free(f);
}

static void test_selection_follows_its_target_when_rows_move(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_dash_key(&m, 'j');
  tt_dash_key(&m, TT_KEY_DOWN);
  assert_int_equal(m.sel_row, 2);
  assert_string_equal(f->t[m.sel].name, "charlie");
  /* charlie goes down: it moves up the table, and the selection with it. */
  f->v[2].state = TT_STATE_DOWN;
  tt_dash_refresh(&m, TT_DIRTY_DATA);
  assert_string_equal(f->t[m.sel].name, "charlie");
  assert_int_equal(m.sel_row, 1);
  assert_string_equal(row_name(&m, m.sel_row), "charlie");
  tt_dash_model_free(&m);
  free(f);
}

static void test_moving_the_selection(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_dash_set_page(&m, 2);
  tt_dash_key(&m, 'G');
  assert_int_equal(m.sel_row, 4);
  assert_int_equal(m.top, 3);
  tt_dash_key(&m, 'k');
  assert_int_equal(m.sel_row, 3);
  tt_dash_key(&m, TT_KEY_PGUP);
  assert_int_equal(m.sel_row, 1);
  assert_int_equal(m.top, 1);
  tt_dash_key(&m, 'g');
  assert_int_equal(m.sel_row, 0);
  assert_int_equal(m.top, 0);
  tt_dash_key(&m, TT_KEY_UP);
  assert_int_equal(m.sel_row, 0);
  tt_dash_key(&m, TT_KEY_PGDN);
  assert_int_equal(m.sel_row, 2);
  tt_dash_key(&m, TT_KEY_END);
  tt_dash_key(&m, TT_KEY_DOWN);
  assert_int_equal(m.sel_row, 4);
  tt_dash_key(&m, TT_KEY_HOME);
  assert_int_equal(m.sel_row, 0);
  tt_dash_model_free(&m);
  free(f);
}

static unsigned type(tt_dash_model *m, const char *s) {
  unsigned fl = 0;
  for (; *s != '\0'; s++)
    fl |= tt_dash_key(m, (unsigned char)*s);
  tt_dash_refresh(m, fl);
  return fl;
}

static void test_filter_on_name_address_or_tag(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_dash_key(&m, '/');
  assert_true(m.prompt);
  assert_true(type(&m, "CHAR") & TT_DIRTY_FILTER);
  assert_int_equal(m.nrows, 1);
  assert_string_equal(row_name(&m, 0), "charlie");
  tt_dash_refresh(&m, tt_dash_key(&m, TT_KEY_KILL_LINE));
  type(&m, "example");
  assert_int_equal(m.nrows, 1); /* charlie by its address */
  tt_dash_refresh(&m, tt_dash_key(&m, TT_KEY_KILL_LINE));
  type(&m, "cach");
  assert_int_equal(m.nrows, 1); /* echo by its tag */
  assert_string_equal(row_name(&m, 0), "echo");
  /* Enter keeps the filter, Esc in the table clears it. */
  tt_dash_key(&m, TT_KEY_ENTER);
  assert_false(m.prompt);
  assert_string_equal(m.filter, "cach");
  assert_int_equal(m.screen, TT_SCREEN_TABLE);
  tt_dash_refresh(&m, tt_dash_key(&m, TT_KEY_ESC));
  assert_string_equal(m.filter, "");
  assert_int_equal(m.nrows, 5);
  tt_dash_model_free(&m);
  free(f);
}

static void test_filter_prompt_edits_and_esc_clears(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_dash_key(&m, '/');
  type(&m, "10.0.0.x");
  assert_int_equal(m.nrows, 0);
  assert_int_equal(m.sel, SIZE_MAX);
  tt_dash_refresh(&m, tt_dash_key(&m, TT_KEY_BACKSPACE));
  tt_dash_refresh(&m, tt_dash_key(&m, TT_KEY_BACKSPACE));
  assert_string_equal(m.filter, "10.0.0");
  assert_int_equal(m.nrows, 4);
  /* Keys that are commands elsewhere are text in the prompt. */
  type(&m, "q");
  assert_string_equal(m.filter, "10.0.0q");
  tt_dash_key(&m, 0xe9); /* é */
  assert_string_equal(m.filter, "10.0.0q\xc3\xa9");
  tt_dash_key(&m, TT_KEY_BACKSPACE);
  assert_string_equal(m.filter, "10.0.0q");
  tt_dash_refresh(&m, tt_dash_key(&m, TT_KEY_ESC));
  assert_false(m.prompt);
  assert_string_equal(m.filter, "");
  assert_int_equal(m.nrows, 5);
  assert_true(m.sel != SIZE_MAX);
  tt_dash_model_free(&m);
  free(f);
}

static void test_selection_survives_a_filter_that_hides_it(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_dash_key(&m, 'G'); /* echo */
  tt_dash_key(&m, '/');
  type(&m, "alpha");
  assert_string_equal(f->t[m.sel].name, "alpha");
  tt_dash_model_free(&m);
  free(f);
}

static void test_enter_opens_detail_and_esc_enter_q_leave(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  static const int leave[] = {TT_KEY_ESC, TT_KEY_ENTER, 'q'};
  for (size_t i = 0; i < 3; i++) {
    tt_dash_key(&m, TT_KEY_ENTER);
    assert_int_equal(m.screen, TT_SCREEN_DETAIL);
    unsigned fl = tt_dash_key(&m, leave[i]);
    assert_int_equal(m.screen, TT_SCREEN_TABLE);
    assert_false(fl & TT_DO_QUIT);
  }
  /* In the table, q quits. */
  assert_true(tt_dash_key(&m, 'q') & TT_DO_QUIT);
  tt_dash_model_free(&m);
  free(f);
}

static void test_help_lists_every_key_and_any_key_leaves(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_dash_key(&m, '?');
  assert_int_equal(m.screen, TT_SCREEN_HELP);
  size_t nb;
  const tt_dash_binding *b = tt_dash_bindings(&nb);
  char all[8192] = "";
  tt_line l;
  for (size_t k = 0; tt_text_help_line(&l, &m, k, 200); k++) {
    strncat(all, l.buf, sizeof(all) - strlen(all) - 2);
    strcat(all, "\n");
  }
  for (size_t i = 0; i < nb; i++)
    if (b[i].label != NULL)
      assert_non_null(strstr(all, b[i].label));
  static const char *keys[] = {"Up k", "Down j", "PgUp", "PgDn", "g Home",
                               "G End", "s ", "S ", "/ ", "Esc", "Enter",
                               "e ", "p ", "r ", "? ", "q "};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    assert_non_null(strstr(all, keys[i]));
  /* q leaves help rather than quitting. */
  assert_false(tt_dash_key(&m, 'q') & TT_DO_QUIT);
  assert_int_equal(m.screen, TT_SCREEN_TABLE);
  tt_dash_model_free(&m);
  free(f);
}

static void test_r_asks_for_a_reconnect_of_the_selection(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  assert_true(tt_dash_key(&m, 'r') & TT_DO_RECONNECT);
  assert_string_equal(f->t[m.sel].name, "bravo");
  tt_dash_model_free(&m);
  free(f);
}

static tt_event state_event(const tt_view *v, tt_state from, tt_state to,
                            tt_class cls, const char *error) {
  tt_event ev = {.kind = TT_EVENT_STATE, .view = v, .ts_us = 1700000000000000,
                 .cls = cls, .from = from, .to = to, .error = error};
  return ev;
}

static void test_pause_freezes_the_display(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  m.now_ms = 5000;
  m.wall_us = 1700000000000000;
  tt_dash_key(&m, 'p');
  assert_true(m.paused);
  /* The engine goes on: alpha goes down and a heartbeat comes in. */
  f->v[0].state = TT_STATE_DOWN;
  beat(&f->v[0], TT_CLASS_RESET, 0);
  tt_event ev = state_event(&f->v[0], TT_STATE_UP, TT_STATE_DOWN,
                            TT_CLASS_RESET, "connection reset by peer");
  assert_int_equal(tt_dash_record(&m, &ev), 0);
  m.now_ms = 9000;
  assert_int_equal(tt_dash_view(&m, 0)->state, TT_STATE_UP);
  assert_int_equal(tt_dash_now_ms(&m), 5000);
  assert_int_equal(tt_dash_log_count(&m), 0);
  tt_line l;
  tt_text_header(&l, &m, "demo", 100);
  assert_non_null(strstr(l.buf, "PAUSED"));
  assert_non_null(strstr(l.buf, "2 up"));
  /* Resuming shows everything that happened meanwhile. */
  tt_dash_refresh(&m, tt_dash_key(&m, 'p'));
  assert_false(m.paused);
  assert_int_equal(tt_dash_view(&m, 0)->state, TT_STATE_DOWN);
  assert_int_equal(tt_dash_log_count(&m), 1);
  tt_text_header(&l, &m, "demo", 100);
  assert_null(strstr(l.buf, "PAUSED"));
  assert_non_null(strstr(l.buf, "1 up"));
  tt_dash_model_free(&m);
  free(f);
}

static void test_event_log_is_newest_first_and_bounded(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  for (int i = 0; i < TT_DASH_LOG_LEN + 10; i++) {
    tt_event ev = state_event(&f->v[i % 5], TT_STATE_UP, TT_STATE_DOWN,
                              TT_CLASS_EOF, "");
    ev.ts_us += (uint64_t)i;
    assert_true(tt_dash_record(&m, &ev) & TT_DIRTY_DRAW);
  }
  assert_int_equal(tt_dash_log_count(&m), TT_DASH_LOG_LEN);
  assert_int_equal(tt_dash_log_get(&m, 0)->ts_us,
                   1700000000000000 + TT_DASH_LOG_LEN + 9);
  assert_int_equal(tt_dash_log_get(&m, TT_DASH_LOG_LEN - 1)->ts_us,
                   1700000000000000 + 10);
  assert_null(tt_dash_log_get(&m, TT_DASH_LOG_LEN));
  /* Each target keeps its own latest few. */
  tt_dash_mini mini[TT_DASH_MINI_LEN];
  assert_int_equal(tt_dash_target_changes(&m, 0, mini, TT_DASH_MINI_LEN),
                   TT_DASH_MINI_LEN);
  assert_true(mini[0].ts_us > mini[1].ts_us);
  assert_true(tt_dash_key(&m, 'e') & TT_DIRTY_DRAW);
  assert_true(m.show_log);
  tt_dash_model_free(&m);
  free(f);
}

static void test_heartbeats_only_mark_dirty(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_event ev = {.kind = TT_EVENT_HEARTBEAT, .view = &f->v[0], .seq = 2};
  assert_int_equal(tt_dash_record(&m, &ev), TT_DIRTY_DRAW | TT_DIRTY_DATA);
  assert_int_equal(tt_dash_log_count(&m), 0);
  tt_dash_model_free(&m);
  free(f);
}

/* ---- the other lines ---- */

static void test_header_counts_targets_per_state(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_line l;
  tt_text_header(&l, &m, "examples/prod.yaml", 100);
  assert_int_equal(l.cols, 100);
  assert_non_null(strstr(l.buf, "examples/prod.yaml"));
  assert_non_null(strstr(l.buf, "2 up"));
  assert_non_null(strstr(l.buf, "1 degraded"));
  assert_non_null(strstr(l.buf, "1 connecting"));
  assert_non_null(strstr(l.buf, "1 down"));
  tt_dash_key(&m, '/');
  type(&m, "10.0");
  tt_text_header(&l, &m, "x\x1b]0;title\x07.yaml", 80);
  assert_true(l.cols <= 80);
  assert_non_null(strstr(l.buf, "filter \"10.0\" 4/5"));
  assert_null(strchr(l.buf, '\x1b'));
  tt_dash_model_free(&m);
  free(f);
}

static void test_keybar_and_prompt(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_line l;
  tt_text_keybar(&l, &m, 80);
  assert_true(l.cols <= 80);
  assert_non_null(strstr(l.buf, "q Quit"));
  assert_non_null(strstr(l.buf, "? Help"));
  tt_dash_key(&m, '/');
  type(&m, "ab\x1b");
  tt_text_keybar(&l, &m, 80);
  assert_non_null(strstr(l.buf, "Filter: "));
  assert_null(strchr(l.buf, '\x1b'));
  tt_dash_model_free(&m);
  free(f);
}

static void test_too_small_says_what_is_needed(void **state) {
  tt_line l;
  tt_text_too_small(&l, 60, 20, UTF8);
  assert_non_null(strstr(l.buf, "too small"));
  assert_non_null(strstr(l.buf, "60x20"));
  assert_non_null(strstr(l.buf, "80x24"));
  assert_true(l.cols <= 60);
  /* Centred. */
  assert_true(l.buf[0] == ' ');
}

static void test_detail_shows_settings_and_statistics(void **state) {
  fleet *f = fleet_new();
  f->t[0].send = (char *)"PING\r\n";
  f->t[0].send_len = 6;
  f->t[0].expect = (char *)"^\\+PONG";
  snprintf(f->v[0].ip, sizeof(f->v[0].ip), "10.0.0.1");
  beat(&f->v[0], TT_CLASS_TIMEOUT, 0);
  snprintf(f->v[0].last_error, sizeof(f->v[0].last_error),
           "no reply within 1s");
  tt_dash_model m;
  model_up(&m, f);
  tt_line lines[12];
  size_t n = tt_text_detail(lines, 12, &m, 0, 200);
  char all[8192] = "";
  for (size_t k = 0; k < n; k++) {
    strcat(all, lines[k].buf);
    strcat(all, "\n");
  }
  static const char *want[] = {
      "alpha", "10.0.0.1:80", "10.0.0.1", "mode persistent", "interval 1s",
      "timeout 1s", "connect timeout 2s", "miss threshold 3",
      "send \"PING\\r\\n\"", "expect \"^\\+PONG\"", "sent 2",
      "received 1", "lost 1", "loss 50%", "p99", "jitter", "flaps",
      "reconnects", "ok 1", "timeout 1", "no reply within 1s"};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    if (strstr(all, want[i]) == NULL)
      fail_msg("detail lacks \"%s\" in:\n%s", want[i], all);
  }
  tt_dash_model_free(&m);
  free(f);
}

static void test_detail_wraps_at_80_columns(void **state) {
  fleet *f = fleet_new();
  f->t[0].rtt_warn_ms = 250;
  f->t[0].send = (char *)"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
  f->t[0].send_len = strlen(f->t[0].send);
  for (uint32_t k = 0; k < 20; k++)
    beat(&f->v[0], TT_CLASS_OK, 1234 + k * 4321);
  tt_dash_model m;
  model_up(&m, f);
  tt_line lines[12];
  size_t n = tt_text_detail(lines, 12, &m, 0, 80);
  bool threshold = false, jitter = false, warn = false;
  for (size_t k = 0; k < n; k++) {
    assert_true(lines[k].cols <= 80);
    threshold |= strstr(lines[k].buf, "miss threshold 3") != NULL;
    warn |= strstr(lines[k].buf, "rtt warn 250ms") != NULL;
    jitter |= strstr(lines[k].buf, "jitter ") != NULL;
  }
  assert_true(threshold && warn && jitter);
  tt_dash_model_free(&m);
  free(f);
}

static void test_recent_events_of_a_target(void **state) {
  fleet *f = fleet_new();
  tt_dash_model m;
  model_up(&m, f);
  tt_event ev = state_event(&f->v[1], TT_STATE_UP, TT_STATE_DOWN,
                            TT_CLASS_REFUSED, "connection refused");
  tt_dash_record(&m, &ev);
  tt_line l;
  assert_true(tt_text_recent_line(&l, &m, 1, 0, 80));
  assert_non_null(strstr(l.buf, "up \xe2\x86\x92 down"));
  assert_non_null(strstr(l.buf, "refused"));
  /* Then the heartbeats, newest first. */
  assert_true(tt_text_recent_line(&l, &m, 1, 1, 80));
  assert_non_null(strstr(l.buf, "#1"));
  assert_non_null(strstr(l.buf, "refused"));
  assert_false(tt_text_recent_line(&l, &m, 1, 2, 80));
  /* And in the event log. */
  tt_text_log_line(&l, &m, tt_dash_log_get(&m, 0), 100);
  assert_non_null(strstr(l.buf, "bravo"));
  assert_non_null(strstr(l.buf, "connection refused"));
  tt_dash_model_free(&m);
  free(f);
}

static void test_histogram_covers_every_answer(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  for (uint32_t i = 0; i < 1000; i++)
    tt_stats_heartbeat(&st, TT_CLASS_OK, 100 + i * 97);
  tt_hist_row rows[10];
  size_t n = tt_histogram(&st, rows, 10);
  assert_true(n > 0 && n <= 10);
  uint64_t total = 0;
  for (size_t k = 0; k < n; k++) {
    total += rows[k].count;
    assert_true(rows[k].lo <= rows[k].hi);
    if (k > 0)
      assert_true(rows[k].lo > rows[k - 1].hi);
  }
  assert_int_equal(total, 1000);
  assert_true(rows[0].lo <= 100);
  assert_true(rows[n - 1].hi >= 100 + 999 * 97);
  tt_line l;
  tt_text_hist_line(&l, &rows[0], rows[0].count, 40, UTF8);
  assert_true(l.cols <= 40);
  tt_stats_init(&st);
  assert_int_equal(tt_histogram(&st, rows, 10), 0);
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
      cmocka_unit_test(test_loss_percentages),
      cmocka_unit_test(test_clock_is_hh_mm_ss),
      cmocka_unit_test(test_fit_pads_on_the_side_of_the_alignment),
      cmocka_unit_test(test_fit_cuts_with_an_ellipsis),
      cmocka_unit_test(test_fit_tail_keeps_the_end),
      cmocka_unit_test(test_fit_counts_columns_not_bytes),
      cmocka_unit_test(test_fit_never_splits_a_character),
      cmocka_unit_test(test_line_cut_and_pad_keep_roles),
      cmocka_unit_test(test_names_are_escaped_in_cells),
      cmocka_unit_test(test_utf8_names_stay_readable_but_not_in_ascii),
      cmocka_unit_test(test_c1_controls_in_names_are_escaped),
      cmocka_unit_test(test_escaped_details_are_not_escaped_twice),
      cmocka_unit_test(test_spark_scales_between_the_rows_extremes),
      cmocka_unit_test(test_spark_is_scaled_per_row),
      cmocka_unit_test(test_spark_draws_a_steady_target_flat),
      cmocka_unit_test(test_spark_marks_failures_and_late_replies),
      cmocka_unit_test(test_spark_ascii_fallback),
      cmocka_unit_test(test_spark_puts_the_newest_on_the_right),
      cmocka_unit_test(test_history_cell_uses_the_stats_ring),
      cmocka_unit_test(test_cells_before_any_heartbeat),
      cmocka_unit_test(test_cells_of_a_healthy_target),
      cmocka_unit_test(test_cells_of_a_failing_target),
      cmocka_unit_test(test_heading_marks_the_sort_column),
      cmocka_unit_test(test_layout_at_100_columns_shows_every_column),
      cmocka_unit_test(test_layout_at_80_columns_gives_up_address_and_history_first),
      cmocka_unit_test(test_layout_shrinks_address_before_name),
      cmocka_unit_test(test_layout_name_keeps_twelve),
      cmocka_unit_test(test_layout_wide_screens_cap_the_history),
      cmocka_unit_test(test_row_is_as_wide_as_the_layout),
      cmocka_unit_test(test_state_sorts_worst_first),
      cmocka_unit_test(test_s_cycles_columns_and_S_reverses),
      cmocka_unit_test(test_s_visits_every_sortable_column),
      cmocka_unit_test(test_selection_follows_its_target_when_rows_move),
      cmocka_unit_test(test_moving_the_selection),
      cmocka_unit_test(test_filter_on_name_address_or_tag),
      cmocka_unit_test(test_filter_prompt_edits_and_esc_clears),
      cmocka_unit_test(test_selection_survives_a_filter_that_hides_it),
      cmocka_unit_test(test_enter_opens_detail_and_esc_enter_q_leave),
      cmocka_unit_test(test_help_lists_every_key_and_any_key_leaves),
      cmocka_unit_test(test_r_asks_for_a_reconnect_of_the_selection),
      cmocka_unit_test(test_pause_freezes_the_display),
      cmocka_unit_test(test_event_log_is_newest_first_and_bounded),
      cmocka_unit_test(test_heartbeats_only_mark_dirty),
      cmocka_unit_test(test_header_counts_targets_per_state),
      cmocka_unit_test(test_keybar_and_prompt),
      cmocka_unit_test(test_too_small_says_what_is_needed),
      cmocka_unit_test(test_detail_shows_settings_and_statistics),
      cmocka_unit_test(test_detail_wraps_at_80_columns),
      cmocka_unit_test(test_recent_events_of_a_target),
      cmocka_unit_test(test_histogram_covers_every_answer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
