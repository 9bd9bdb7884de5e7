/* test_dash_hist.c - what the dashboard remembers over time, as
 * specifications: HISTORY's cells on an absolute time grid at every zoom
 * level, late replies, and the LOSS window. */
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

#define UTF8 true
#define ASCII false
#define NOW 1700000000000000ull

/* ---- HISTORY: cells on a time grid ---- */

static tt_hcell okc(uint32_t us) {
  return (tt_hcell)(TT_HCELL_OK | tt_hist_code(us));
}

static const tt_hcell FAILC = TT_HCELL_FAIL;
static const tt_hcell LATEC = TT_HCELL_FAIL | TT_HCELL_LATE;


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

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rtt_codes_are_half_a_percent_wide),
    cmocka_unit_test(test_history_cells_are_time_slots),
    cmocka_unit_test(test_history_levels_zoom_out_by_four),
    cmocka_unit_test(test_history_forgets_what_scrolled_out),
    cmocka_unit_test(test_late_reply_marks_the_cell_it_was_sent_in),
    cmocka_unit_test(test_loss_window_counts_the_last_minute),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
