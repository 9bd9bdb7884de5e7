/* test_phase.c - where targets that join a running engine put their
 * slots (tt_phase_place): the widest gaps first, each split evenly, never
 * a slot on another's while there is room, and the emptiest 1 ms slots
 * filled evenly once there is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phase.h"

#define MAX 20000

static uint64_t taken[MAX], out[MAX];

/* Places m joiners among the n phases given, which are copied first. */
static void place(const uint64_t *phases, size_t n, uint64_t interval,
                  size_t m) {
  if (n > 0)
    memcpy(taken, phases, n * sizeof *taken);
  memset(out, 0xff, sizeof out);
  assert_int_equal(tt_phase_place(taken, n, interval, out, m), 0);
  for (size_t k = 0; k < m; k++) {
    assert_true(out[k] < interval);
    if (k > 0)
      assert_true(out[k - 1] <= out[k]); /* in increasing order */
  }
}

static void assert_placed(const uint64_t *want, size_t m) {
  for (size_t k = 0; k < m; k++)
    if (out[k] != want[k])
      fail_msg("joiner %zu at %llu, not %llu", k, (unsigned long long)out[k],
               (unsigned long long)want[k]);
}

/* With nothing running, joiners spread over the interval from 0, as a
 * start spreads its targets. */
static void test_alone_they_spread_from_zero(void **unused) {
  place(NULL, 0, 1000, 4);
  assert_placed((uint64_t[]){ 0, 250, 500, 750 }, 4);
  place(NULL, 0, 1000, 1);
  assert_placed((uint64_t[]){ 0 }, 1);
}

/* One joiner takes the middle of the widest gap. */
static void test_one_takes_the_middle_of_the_widest_gap(void **unused) {
  place((uint64_t[]){ 200, 0, 100 }, 3, 1000, 1);
  assert_placed((uint64_t[]){ 600 }, 1);
  /* Equal gaps: the earliest. */
  place((uint64_t[]){ 0, 250, 500, 750 }, 4, 1000, 1);
  assert_placed((uint64_t[]){ 125 }, 1);
}

/* The gap that wraps round the end of the interval is a gap like the
 * others. */
static void test_the_gap_round_the_end_counts(void **unused) {
  place((uint64_t[]){ 900 }, 1, 1000, 1);
  assert_placed((uint64_t[]){ 400 }, 1);
  place((uint64_t[]){ 300, 400 }, 2, 1000, 2);
  assert_placed((uint64_t[]){ 0, 700 }, 2);
}

/* The joiners of one gap split it into equal parts (halving it would put
 * two of three parts at a quarter). */
static void test_a_gap_is_split_evenly(void **unused) {
  place((uint64_t[]){ 0 }, 1, 900, 2);
  assert_placed((uint64_t[]){ 300, 600 }, 2);
  place((uint64_t[]){ 0 }, 1, 1000, 3);
  assert_placed((uint64_t[]){ 250, 500, 750 }, 3);
}

/* The gap whose parts are the longest splits next: a gap of 600 gets a
 * second joiner only once the gap of 400 has its first. */
static void test_the_longest_parts_split_first(void **unused) {
  place((uint64_t[]){ 0, 400 }, 2, 1000, 3);
  assert_placed((uint64_t[]){ 200, 600, 800 }, 3);
}

/* A gap of 3 ms takes two joiners, one a millisecond, and no third:
 * that one shares a millisecond that holds one slot, like every other. */
static void test_a_gap_never_gives_two_the_same_ms(void **unused) {
  place((uint64_t[]){ 0, 3 }, 2, 4, 2);
  assert_placed((uint64_t[]){ 1, 2 }, 2);
  place((uint64_t[]){ 0, 3 }, 2, 4, 3);
  assert_placed((uint64_t[]){ 0, 1, 2 }, 3);
  /* Widest first: 5 ms, then 3, then 5 again (parts 2.5, 1.5, 1.67). */
  place((uint64_t[]){ 0, 3, 5 }, 3, 10, 3);
  assert_placed((uint64_t[]){ 1, 6, 8 }, 3);
}

/* Once every millisecond holds a slot, the joiners go to those that hold
 * the fewest, spread over them: 3 of 9 at 1 each (ms 3 holds 3). */
static void test_then_the_emptiest_ms_spread(void **unused) {
  place((uint64_t[]){ 0, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9 }, 12, 10, 3);
  assert_placed((uint64_t[]){ 0, 4, 7 }, 3);
  /* 12 more: one to each but ms 3, then ms 0, 4 and 7 hold 3 like it. */
  place((uint64_t[]){ 0, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9 }, 12, 10, 12);
  static unsigned want[10] = { 3, 2, 2, 3, 3, 2, 2, 3, 2, 2 };
  unsigned count[10] = { 0 };
  for (size_t i = 0; i < 12; i++)
    count[taken[i]]++;
  for (size_t k = 0; k < 12; k++)
    count[out[k]]++;
  for (size_t i = 0; i < 10; i++)
    assert_int_equal(count[i], want[i]);
}

/* Repeated phases make no gap; all on one phase leave one gap, the whole
 * interval. */
static void test_repeated_phases(void **unused) {
  place((uint64_t[]){ 500, 500, 500 }, 3, 1000, 1);
  assert_placed((uint64_t[]){ 0 }, 1);
  place((uint64_t[]){ 500, 500, 0, 0 }, 4, 1000, 2);
  assert_placed((uint64_t[]){ 250, 750 }, 2);
}

/* Counts per 1 ms slot of the taken phases and the joiners together. */
static void slot_counts(size_t n, size_t m, uint64_t interval,
                        unsigned *count) {
  memset(count, 0, interval * sizeof *count);
  for (size_t i = 0; i < n; i++)
    count[taken[i]]++;
  for (size_t k = 0; k < m; k++)
    count[out[k]]++;
}

/* 10 000 targets on a 1 s interval take 10 to a 1 ms slot: 1 000 more get
 * one each (before, every one of them went to the same slot). */
static void test_full_slots_each_get_one_more(void **unused) {
  static uint64_t ph[10000];
  static unsigned count[1000];
  for (size_t i = 0; i < 10000; i++)
    ph[i] = 1000 * i / 10000;
  place(ph, 10000, 1000, 1000);
  slot_counts(10000, 1000, 1000, count);
  for (size_t i = 0; i < 1000; i++)
    if (count[i] != 11)
      fail_msg("slot %zu holds %u", i, count[i]);
}

/* What a reload that replaces 10 000 targets does: 200 stay, 5 ms apart,
 * and 10 000 join; the 1 ms slots end up even (10 or 11 each). */
static void test_many_join_few_evenly(void **unused) {
  static uint64_t ph[200];
  static unsigned count[1000];
  for (size_t i = 0; i < 200; i++)
    ph[i] = 1000 * i / 200;
  place(ph, 200, 1000, 10000);
  slot_counts(200, 10000, 1000, count);
  for (size_t i = 0; i < 1000; i++)
    if (count[i] < 10 || count[i] > 11)
      fail_msg("slot %zu holds %u", i, count[i]);
}

/* 1 000 join where 1 000 left a hole of 100 ms among 9 000 (10 to a 1 ms
 * slot): they fill the hole, 10 a slot, and nothing else moves. */
static void test_joiners_fill_a_hole(void **unused) {
  static uint64_t ph[9000];
  static unsigned count[1000];
  size_t n = 0;
  for (size_t i = 0; i < 10000; i++)
    if (i < 8800 || i >= 9800)
      ph[n++] = 1000 * i / 10000;
  place(ph, n, 1000, 1000);
  slot_counts(n, 1000, 1000, count);
  for (size_t i = 0; i < 1000; i++)
    if (count[i] != 10)
      fail_msg("slot %zu holds %u", i, count[i]);
  for (size_t k = 0; k < 1000; k++)
    if (out[k] < 880 || out[k] > 979)
      fail_msg("joiner %zu at %llu, outside the hole", k,
               (unsigned long long)out[k]);
}

/* Long intervals: a day, with 2^20 joiners, stays exact. */
static void test_long_interval(void **unused) {
  static uint64_t *big;
  uint64_t day = 24ull * 3600 * 1000;
  size_t m = 1u << 20;
  big = malloc(m * sizeof *big);
  assert_non_null(big);
  uint64_t t[1] = { 0 };
  assert_int_equal(tt_phase_place(t, 1, day, big, m), 0);
  for (size_t k = 0; k < m; k++)
    assert_int_equal(big[k], day * (k + 1) / (m + 1));
  free(big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_alone_they_spread_from_zero),
    cmocka_unit_test(test_one_takes_the_middle_of_the_widest_gap),
    cmocka_unit_test(test_the_gap_round_the_end_counts),
    cmocka_unit_test(test_a_gap_is_split_evenly),
    cmocka_unit_test(test_the_longest_parts_split_first),
    cmocka_unit_test(test_a_gap_never_gives_two_the_same_ms),
    cmocka_unit_test(test_then_the_emptiest_ms_spread),
    cmocka_unit_test(test_repeated_phases),
    cmocka_unit_test(test_full_slots_each_get_one_more),
    cmocka_unit_test(test_many_join_few_evenly),
    cmocka_unit_test(test_joiners_fill_a_hole),
    cmocka_unit_test(test_long_interval),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
