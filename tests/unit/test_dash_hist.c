/* test_dash_hist.c - what the dashboard remembers over time, as
 * specifications: HISTORY's cells on an absolute time grid at every zoom
 * level, late replies, the LOSS window, and the sparklines drawn from the
 * cells, per row or on the shared log scale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dash_hist.h"
#include "dash_line.h"
#include "sparkline.h"

#define UTF8 true
#define ASCII false
#define NOW 1700000000000000ull

/* ---- HISTORY: cells on a time grid ---- */

static tt_hcell okc(uint32_t us) {
  return (tt_hcell)(TT_HCELL_OK | tt_hist_code(us));
}

static const tt_hcell FAILC = TT_HCELL_FAIL;
static const tt_hcell LATEC = TT_HCELL_FAIL | TT_HCELL_LATE;

static const char *spark_text(const tt_hcell *c, size_t n, size_t width,
                              bool utf8) {
  static tt_line l;
  tt_line_clear(&l);
  tt_spark_line(&l, c, n, width, false, 0, 0, utf8);
  assert_int_equal(l.cols, width);
  return l.buf;
}

static void test_rtt_codes_are_half_a_percent_wide(void **state) {
  static const uint32_t us[] = {1, 80, 110, 1000, 200000, 134000000};
  for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
    uint32_t back = tt_hist_decode(tt_hist_code(us[i]));
    assert_true(back >= us[i] - us[i] / 200 && back <= us[i] + us[i] / 200 + 1);
  }
  assert_true(tt_hist_code(81) > tt_hist_code(80));
  /* A code difference is a ratio: an octave is TT_HIST_CODE_OCTAVE. */
  assert_int_equal(tt_hist_code(2000) - tt_hist_code(1000),
                   TT_HIST_CODE_OCTAVE);
}

static void test_history_cells_are_time_slots(void **state) {
  tt_hist h;
  tt_hcell c[6];
  tt_hist_init(&h);
  /* 1 s cells: two answers in one second, none in the next, a failure. */
  tt_hist_beat(&h, NULL, 1000000, NOW + 100000, TT_CLASS_OK, 500);
  tt_hist_beat(&h, NULL, 1000000, NOW + 900000, TT_CLASS_OK, 900);
  tt_hist_beat(&h, NULL, 1000000, NOW + 2500000, TT_CLASS_REFUSED, 0);
  tt_hist_cells(&h, 1000000, 0, NOW + 3200000, 6, c);
  /* Oldest first, the last column is the second of now. */
  assert_int_equal(c[0], 0);
  assert_int_equal(c[1], 0);
  assert_int_equal(c[2], okc(900)); /* the slowest answer of its second */
  assert_int_equal(c[3], 0);
  assert_int_equal(c[4], FAILC);
  assert_int_equal(c[5], 0);
}

static void test_history_levels_zoom_out_by_four(void **state) {
  tt_hist h;
  tt_hcell c[3];
  tt_hist_init(&h);
  assert_int_equal(tt_hist_span_us(1000000, 2), 16000000);
  uint64_t base = NOW - NOW % 16000000; /* a level 2 cell starts here */
  tt_hist_beat(&h, NULL, 1000000, base + 1000000, TT_CLASS_OK, 100);
  tt_hist_beat(&h, NULL, 1000000, base + 15000000, TT_CLASS_TIMEOUT, 0);
  tt_hist_beat(&h, NULL, 1000000, base + 17000000, TT_CLASS_OK, 300);
  tt_hist_cells(&h, 1000000, 2, base + 20000000, 3, c);
  assert_int_equal(c[0], 0);
  assert_int_equal(c[1], okc(100) | FAILC);
  assert_int_equal(c[2], okc(300));
  /* Level 1 (4 s) keeps them apart. */
  tt_hcell d[5];
  tt_hist_cells(&h, 1000000, 1, base + 20000000, 5, d);
  assert_int_equal(d[0], 0);        /* 4..8 s */
  assert_int_equal(d[2], FAILC);    /* 12..16 s */
  assert_int_equal(d[3], okc(300)); /* 16..20 s */
  assert_int_equal(d[4], 0);        /* 20..24 s, now */
  tt_hist_cells(&h, 1000000, 1, base + 4000000, 2, d);
  assert_int_equal(d[0], okc(100)); /* 0..4 s */
}

static void test_history_forgets_what_scrolled_out(void **state) {
  tt_hist h;
  tt_hcell c[TT_HIST_CELLS];
  tt_hist_init(&h);
  tt_hist_beat(&h, NULL, 1000000, NOW, TT_CLASS_OK, 100);
  tt_hist_beat(&h, NULL, 1000000, NOW + TT_HIST_CELLS * 1000000ull,
               TT_CLASS_OK, 200);
  tt_hist_cells(&h, 1000000, 0, NOW + TT_HIST_CELLS * 1000000ull,
                TT_HIST_CELLS, c);
  for (size_t k = 0; k + 1 < TT_HIST_CELLS; k++)
    assert_int_equal(c[k], 0);
  assert_int_equal(c[TT_HIST_CELLS - 1], okc(200));
  /* A result older than the ring holds is dropped. */
  tt_hist_beat(&h, NULL, 1000000, NOW, TT_CLASS_REFUSED, 0);
  tt_hist_cells(&h, 1000000, 0, NOW + TT_HIST_CELLS * 1000000ull,
                TT_HIST_CELLS, c);
  assert_int_equal(c[0], 0);
}

static void test_late_reply_marks_the_cell_it_was_sent_in(void **state) {
  tt_hist h;
  tt_hcell c[3];
  tt_hist_init(&h);
  tt_hist_beat(&h, NULL, 1000000, NOW + 1500000, TT_CLASS_TIMEOUT, 0);
  tt_hist_late(&h, 1000000, NOW + 1000000);
  tt_hist_cells(&h, 1000000, 0, NOW + 2000000, 3, c);
  assert_int_equal(c[1], LATEC);
}

static void test_loss_window_counts_the_last_minute(void **state) {
  tt_loss l;
  uint32_t sent, lost;
  tt_loss_init(&l);
  for (int s = 0; s < 30; s++) /* a bad half minute */
    tt_loss_beat(&l, NOW + s * 1000000ull, true);
  for (int s = 30; s < 60; s++) /* then fine */
    tt_loss_beat(&l, NOW + s * 1000000ull, false);
  tt_loss_count(&l, NOW + 59 * 1000000ull, &sent, &lost);
  assert_int_equal(sent, 60);
  assert_int_equal(lost, 30);
  tt_loss_count(&l, NOW + 74 * 1000000ull, &sent, &lost);
  assert_int_equal(sent, 45);
  assert_int_equal(lost, 15);
  for (int s = 60; s < 120; s++)
    tt_loss_beat(&l, NOW + s * 1000000ull, false);
  tt_loss_count(&l, NOW + 119 * 1000000ull, &sent, &lost);
  assert_int_equal(sent, 60);
  assert_int_equal(lost, 0);
  /* Nothing for a minute: nothing in the window. */
  tt_loss_count(&l, NOW + 300 * 1000000ull, &sent, &lost);
  assert_int_equal(sent, 0);
}

/* ---- sparklines ---- */

static void test_spark_scales_between_the_rows_extremes(void **state) {
  tt_hcell c[8];
  for (int i = 0; i < 8; i++)
    c[i] = okc((uint32_t)(1000 * (i + 1)));
  assert_string_equal(spark_text(c, 8, 8, UTF8),
                      "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84"
                      "\xe2\x96\x85\xe2\x96\x86\xe2\x96\x87\xe2\x96\x88");
}

static void test_spark_is_scaled_per_row(void **state) {
  /* The same shape at a hundred times the RTT draws the same bars. */
  tt_hcell a[] = {okc(100), okc(800), okc(100)};
  tt_hcell b[] = {okc(10000), okc(80000), okc(10000)};
  char first[TT_LINE_BYTES];
  snprintf(first, sizeof(first), "%s", spark_text(a, 3, 3, UTF8));
  assert_string_equal(first, spark_text(b, 3, 3, UTF8));
  assert_string_equal(first, "\xe2\x96\x81\xe2\x96\x88\xe2\x96\x81");
}

static void test_spark_draws_a_steady_target_flat(void **state) {
  tt_hcell c[] = {okc(1000), okc(1010), okc(995), okc(1005)};
  assert_string_equal(spark_text(c, 4, 4, UTF8),
                      "\xe2\x96\x81\xe2\x96\x81\xe2\x96\x81\xe2\x96\x81");
  assert_int_equal(tt_spark_level(1000, 1000, 1000), 0);
  assert_int_equal(tt_spark_level(2000, 1000, 2000), TT_SPARK_LEVELS - 1);
}

/* One log scale for every row: 30 us of jitter on a fast row is flat,
 * a 200 ms spike on another is tall, whatever each row's own range. */
static void test_shared_scale_is_one_log_scale(void **state) {
  tt_hcell fast[] = {okc(80), okc(110), okc(80)};
  tt_hcell slow[] = {okc(80), okc(200000), okc(80)};
  uint16_t lo = tt_hist_code(80), hi = tt_hist_code(200000);
  tt_spark_cell a[3], b[3];
  tt_spark(fast, 3, true, lo, hi, UTF8, a);
  tt_spark(slow, 3, true, lo, hi, UTF8, b);
  assert_string_equal(a[1].glyph, "\xe2\x96\x81");
  assert_string_equal(b[1].glyph, "\xe2\x96\x88");
  /* Per row, the jitter alone would have been a full bar. */
  tt_spark(fast, 3, false, 0, 0, UTF8, a);
  assert_string_equal(a[1].glyph, "\xe2\x96\x88");
  /* Halfway up the scale is the geometric middle. */
  uint32_t mid = 4000; /* about sqrt(80 * 200000) */
  assert_int_equal(tt_spark_log_level(tt_hist_code(mid), lo, hi), 4);
}

static void test_shared_scale_range_spans_every_row(void **state) {
  tt_hist_scale *s = malloc(sizeof(*s));
  tt_hist h1, h2;
  uint16_t lo = 0, hi = 0;
  tt_hist_scale_init(s);
  tt_hist_init(&h1);
  tt_hist_init(&h2);
  assert_false(tt_hist_scale_range(s, 1000000, 0, NOW, 10, &lo, &hi));
  tt_hist_beat(&h1, s, 1000000, NOW - 3000000, TT_CLASS_OK, 90);
  tt_hist_beat(&h2, s, 1000000, NOW - 1000000, TT_CLASS_OK, 150000);
  tt_hist_beat(&h2, s, 1000000, NOW - 50000000, TT_CLASS_OK, 900000);
  assert_true(tt_hist_scale_range(s, 1000000, 0, NOW, 10, &lo, &hi));
  assert_int_equal(lo, tt_hist_code(90));
  assert_int_equal(hi, tt_hist_code(150000)); /* 50 s ago is not in view */
  free(s);
}

static void test_spark_marks_failures_and_late_replies(void **state) {
  tt_hcell c[] = {okc(1000), FAILC, LATEC, okc(2000)};
  tt_spark_cell s[4];
  assert_int_equal(tt_spark(c, 4, false, 0, 0, UTF8, s), 4);
  assert_string_equal(s[1].glyph, "\xc3\x97");
  assert_int_equal(s[1].role, TT_ROLE_FAIL);
  assert_string_equal(s[2].glyph, "!");
  assert_int_equal(s[2].role, TT_ROLE_LATE);
  assert_int_equal(s[0].role, TT_ROLE_SPARK);
  assert_string_equal(s[0].glyph, "\xe2\x96\x81");
  assert_string_equal(s[3].glyph, "\xe2\x96\x88");
  /* A failure in a cell that also had an answer is still marked. */
  tt_hcell both = okc(1000) | FAILC;
  assert_int_equal(tt_spark(&both, 1, false, 0, 0, UTF8, s), 1);
  assert_int_equal(s[0].role, TT_ROLE_FAIL);
}

static void test_spark_ascii_fallback(void **state) {
  tt_hcell c[] = {okc(1000), okc(8000), FAILC, LATEC, 0};
  assert_string_equal(spark_text(c, 5, 5, ASCII), "_^x! ");
  tt_hcell all[8];
  for (int i = 0; i < 8; i++)
    all[i] = okc((uint32_t)(1000 * (i + 1)));
  const char *t = spark_text(all, 8, 8, ASCII);
  /* Monotonic: each level at least as high as the one before. */
  static const char order[] = "_.-=^";
  for (int i = 1; i < 8; i++)
    assert_true(strchr(order, t[i]) >= strchr(order, t[i - 1]));
  assert_int_equal(t[0], '_');
  assert_int_equal(t[7], '^');
}

static void test_spark_is_right_aligned(void **state) {
  tt_hcell c[] = {okc(1000), FAILC};
  assert_string_equal(spark_text(c, 2, 5, ASCII), "   _x");
  /* Narrower than the cells: the newest are kept. */
  tt_hcell d[] = {FAILC, okc(1000), okc(1000)};
  assert_string_equal(spark_text(d, 3, 2, ASCII), "__");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rtt_codes_are_half_a_percent_wide),
    cmocka_unit_test(test_history_cells_are_time_slots),
    cmocka_unit_test(test_history_levels_zoom_out_by_four),
    cmocka_unit_test(test_history_forgets_what_scrolled_out),
    cmocka_unit_test(test_late_reply_marks_the_cell_it_was_sent_in),
    cmocka_unit_test(test_loss_window_counts_the_last_minute),
    cmocka_unit_test(test_spark_scales_between_the_rows_extremes),
    cmocka_unit_test(test_spark_is_scaled_per_row),
    cmocka_unit_test(test_spark_draws_a_steady_target_flat),
    cmocka_unit_test(test_shared_scale_is_one_log_scale),
    cmocka_unit_test(test_shared_scale_range_spans_every_row),
    cmocka_unit_test(test_spark_marks_failures_and_late_replies),
    cmocka_unit_test(test_spark_ascii_fallback),
    cmocka_unit_test(test_spark_is_right_aligned),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
