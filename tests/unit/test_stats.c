/* test_stats.c - counters, RTT summaries, the histogram behind the
 * percentiles, jitter and the ring of recent results. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

static void feed_ok(tt_stats *st, const uint32_t *rtts, size_t n) {
  for (size_t i = 0; i < n; i++)
    tt_stats_heartbeat(st, TT_CLASS_OK, rtts[i]);
}

/* ---- the histogram ---- */

static void test_hist_has_200_buckets(void **state) {
  assert_int_equal(TT_HIST_BUCKETS, 200);
}

static void test_hist_small_values_have_a_bucket_each(void **state) {
  for (uint32_t v = 0; v < 16; v++) {
    uint32_t lo, hi;
    assert_int_equal(tt_hist_bucket(v), v);
    tt_hist_range(v, &lo, &hi);
    assert_int_equal(lo, v);
    assert_int_equal(hi, v);
  }
}

static void test_hist_bucket_follows_the_formula(void **state) {
  /* e = floor(log2 v), sub = the three bits below the top one. */
  assert_int_equal(tt_hist_bucket(16), 16);
  assert_int_equal(tt_hist_bucket(17), 16);
  assert_int_equal(tt_hist_bucket(18), 17);
  assert_int_equal(tt_hist_bucket(31), 23);
  assert_int_equal(tt_hist_bucket(32), 24);
  assert_int_equal(tt_hist_bucket(1000), 16 + (9 - 4) * 8 + 7);
  assert_int_equal(tt_hist_bucket(1024), 16 + (10 - 4) * 8);
  assert_int_equal(tt_hist_bucket((1u << 27) - 1), 199);
}

static void test_hist_top_bucket_takes_everything_larger(void **state) {
  uint32_t lo, hi;
  assert_int_equal(tt_hist_bucket(1u << 27), 199);
  assert_int_equal(tt_hist_bucket(UINT32_MAX), 199);
  tt_hist_range(199, &lo, &hi);
  assert_int_equal(lo, 15u << 23);
  assert_int_equal(hi, UINT32_MAX);
}

static void test_hist_ranges_tile_every_value(void **state) {
  uint32_t prev_hi = 0;
  for (size_t b = 0; b < TT_HIST_BUCKETS; b++) {
    uint32_t lo, hi;
    tt_hist_range(b, &lo, &hi);
    assert_true(lo <= hi);
    if (b == 0)
      assert_int_equal(lo, 0);
    else
      assert_int_equal(lo, prev_hi + 1);
    assert_int_equal(tt_hist_bucket(lo), b);
    assert_int_equal(tt_hist_bucket(hi), b);
    /* About 6% wide: never more than an eighth of the lower bound. */
    if (b >= 16 && b < TT_HIST_BUCKETS - 1)
      assert_true((uint64_t)(hi - lo + 1) * 8 <= lo);
    prev_hi = hi;
  }
  assert_int_equal(prev_hi, UINT32_MAX);
}

/* ---- the histogram's span ---- */

/* A dense histogram of the same RTTs, the way it was kept before. */
static void dense_add(uint32_t *dense, uint32_t rtt_us) {
  dense[tt_hist_bucket(rtt_us)]++;
}

static void assert_buckets_are(const tt_stats *st, const uint32_t *dense) {
  for (size_t b = 0; b < TT_HIST_BUCKETS; b++)
    if (tt_stats_bucket(st, b) != dense[b])
      fail_msg("bucket %zu: %u, expected %u", b, tt_stats_bucket(st, b),
               dense[b]);
}

static void test_hist_span_widens_both_ways_and_keeps_counts(void **state) {
  static const uint32_t rtts[] = {1000, 1100, 10, 1000, 100000, 12, 3000000};
  uint32_t dense[TT_HIST_BUCKETS] = {0};
  tt_stats st;
  tt_stats_init(&st);
  assert_null(st.hist);
  for (size_t i = 0; i < 7; i++) {
    tt_stats_heartbeat(&st, TT_CLASS_OK, rtts[i]);
    dense_add(dense, rtts[i]);
    assert_buckets_are(&st, dense);
  }
  /* Only the span reached, not all 200 buckets. */
  assert_true(st.hist_lo <= tt_hist_bucket(10));
  assert_true(st.hist_lo + st.hist_n > tt_hist_bucket(3000000));
  assert_true(st.hist_n < TT_HIST_BUCKETS);
  tt_stats_free(&st);
  assert_null(st.hist);
  assert_int_equal(tt_stats_bucket(&st, tt_hist_bucket(1000)), 0);
}

static void test_hist_of_one_octave_is_small(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  for (uint32_t us = 200; us < 400; us++)
    tt_stats_heartbeat(&st, TT_CLASS_OK, us);
  /* 200-399 us: one octave, 8 buckets, and the spare ones around them. */
  assert_true(st.hist_n <= 8 + 2 * 4);
  tt_stats_free(&st);
}

static void test_hist_random_rtts_match_a_dense_histogram(void **state) {
  static uint32_t dense[TT_HIST_BUCKETS];
  memset(dense, 0, sizeof dense);
  tt_stats st;
  tt_stats_init(&st);
  uint64_t x = 88172645463325252u;
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    /* Every scale: a random number of bits, then a random value. */
    uint32_t rtt = (uint32_t)(x >> 32) >> (x % 32);
    tt_stats_heartbeat(&st, TT_CLASS_OK, rtt);
    dense_add(dense, rtt);
  }
  assert_buckets_are(&st, dense);
  tt_stats_free(&st);
}

static void test_hist_copy_is_its_own(void **state) {
  tt_stats a, b;
  tt_stats_init(&a);
  tt_stats_init(&b);
  tt_stats_heartbeat(&b, TT_CLASS_OK, 5); /* freed by the copy */
  tt_stats_heartbeat(&a, TT_CLASS_OK, 500);
  tt_stats_heartbeat(&a, TT_CLASS_OK, 700);
  assert_int_equal(tt_stats_copy(&b, &a), 0);
  assert_ptr_not_equal(a.hist, b.hist);
  assert_int_equal(b.received, 2);
  assert_int_equal(tt_stats_bucket(&b, tt_hist_bucket(500)), 1);
  assert_int_equal(tt_stats_bucket(&b, tt_hist_bucket(5)), 0);
  tt_stats_heartbeat(&a, TT_CLASS_OK, 500);
  tt_stats_heartbeat(&a, TT_CLASS_OK, 90000000);
  assert_int_equal(tt_stats_bucket(&b, tt_hist_bucket(500)), 1);
  assert_int_equal(tt_stats_bucket(&b, tt_hist_bucket(90000000)), 0);
  assert_int_equal(tt_stats_percentile(&b, 50), 500);
  tt_stats_free(&a);
  assert_int_equal(tt_stats_bucket(&b, tt_hist_bucket(700)), 1);
  tt_stats_free(&b);
}

static void test_hist_set_bucket(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  assert_int_equal(tt_stats_set_bucket(&st, 3, 0), 0);
  assert_null(st.hist); /* a zero needs no span */
  assert_int_equal(tt_stats_set_bucket(&st, 150, 7), 0);
  assert_int_equal(tt_stats_set_bucket(&st, 20, 9), 0);
  assert_int_equal(tt_stats_bucket(&st, 150), 7);
  assert_int_equal(tt_stats_bucket(&st, 20), 9);
  assert_int_equal(tt_stats_bucket(&st, 100), 0);
  assert_int_equal(tt_stats_set_bucket(&st, TT_HIST_BUCKETS, 1), -1);
  tt_stats_free(&st);
}

/* ---- counters and summaries ---- */

static void test_init_is_all_zero(void **state) {
  tt_stats st;
  memset(&st, 0xff, sizeof(st));
  tt_stats_init(&st);
  assert_int_equal(st.sent, 0);
  assert_int_equal(st.ring_len, 0);
  assert_int_equal(tt_stats_avg(&st), 0);
  assert_int_equal(tt_stats_percentile(&st, 50), 0);
  assert_true(tt_stats_loss_pct(&st) == 0.0);
  assert_true(st.jitter_us == 0.0);
  tt_stats_free(&st);
}

static void test_counters_count_every_heartbeat(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 100);
  tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 0);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 200);
  tt_stats_heartbeat(&st, TT_CLASS_REFUSED, 0);
  tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 0);
  assert_int_equal(st.sent, 5);
  assert_int_equal(st.received, 2);
  assert_int_equal(st.lost, 3);
  assert_int_equal(st.late, 0);
  assert_int_equal(st.classes[TT_CLASS_OK], 2);
  assert_int_equal(st.classes[TT_CLASS_TIMEOUT], 2);
  assert_int_equal(st.classes[TT_CLASS_REFUSED], 1);
  assert_int_equal(st.classes[TT_CLASS_DNS], 0);
  tt_stats_free(&st);
}

static void test_failures_leave_rtt_alone(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 100);
  tt_stats_heartbeat(&st, TT_CLASS_RESET, 5);
  tt_stats_heartbeat(&st, TT_CLASS_PROTOCOL, 999999);
  assert_int_equal(st.rtt_min_us, 100);
  assert_int_equal(st.rtt_max_us, 100);
  assert_int_equal(st.last_rtt_us, 100);
  assert_int_equal(st.rtt_sum_us, 100);
  assert_int_equal(tt_stats_percentile(&st, 99), 100);
  tt_stats_free(&st);
}

static void test_min_max_last_avg(void **state) {
  static const uint32_t rtts[] = {300, 100, 250, 400, 101};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 5);
  assert_int_equal(st.rtt_min_us, 100);
  assert_int_equal(st.rtt_max_us, 400);
  assert_int_equal(st.last_rtt_us, 101);
  assert_int_equal(st.rtt_sum_us, 1151);
  assert_int_equal(tt_stats_avg(&st), 230); /* 230.2 */
  tt_stats_free(&st);
}

static void test_avg_rounds_to_nearest(void **state) {
  static const uint32_t rtts[] = {1, 2};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 2);
  assert_int_equal(tt_stats_avg(&st), 2); /* 1.5 */
  tt_stats_free(&st);
}

static void test_min_of_zero_rtt_is_kept(void **state) {
  static const uint32_t rtts[] = {50, 0, 70};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 3);
  assert_int_equal(st.rtt_min_us, 0);
  assert_int_equal(st.rtt_max_us, 70);
  tt_stats_free(&st);
}

static void test_loss_pct(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 10);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 10);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 10);
  tt_stats_heartbeat(&st, TT_CLASS_EOF, 0);
  assert_true(tt_stats_loss_pct(&st) == 25.0);
  tt_stats_late(&st, 4, 5000);
  assert_true(tt_stats_loss_pct(&st) == 25.0); /* a late reply stays lost */
  tt_stats_free(&st);
}

static void test_out_of_range_class_counts_as_error(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, (tt_class)TT_CLASS_COUNT, 0);
  assert_int_equal(st.classes[TT_CLASS_ERROR], 1);
  assert_int_equal(st.lost, 1);
  tt_stats_free(&st);
}

/* ---- percentiles ---- */

static void test_percentile_of_one_sample_is_that_sample(void **state) {
  static const double qs[] = {0.1, 1, 50, 90, 99, 99.9, 100};
  tt_stats st;
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 12345);
  for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
    assert_int_equal(tt_stats_percentile(&st, qs[i]), 12345);
  tt_stats_free(&st);
}

static void test_percentile_exact_for_small_values(void **state) {
  static const uint32_t rtts[] = {7, 3, 10, 1, 5, 9, 2, 8, 6, 4};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 10);
  assert_int_equal(tt_stats_percentile(&st, 10), 1);
  assert_int_equal(tt_stats_percentile(&st, 11), 2);
  assert_int_equal(tt_stats_percentile(&st, 50), 5);
  assert_int_equal(tt_stats_percentile(&st, 51), 6);
  assert_int_equal(tt_stats_percentile(&st, 90), 9);
  assert_int_equal(tt_stats_percentile(&st, 99), 10);
  tt_stats_free(&st);
}

static void test_percentile_100_is_max(void **state) {
  /* 127 shares the bucket [120, 127] with 121, whose middle is 123. */
  static const uint32_t rtts[] = {121, 127};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 2);
  assert_int_equal(tt_stats_percentile(&st, 100), 127);
  tt_stats_free(&st);
}

static void test_percentile_lowest_rank_is_min(void **state) {
  static const uint32_t rtts[] = {121, 127, 126, 125};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 4);
  assert_int_equal(tt_stats_percentile(&st, 1), 121);
  tt_stats_free(&st);
}

static void test_percentile_clamped_up_to_min(void **state) {
  /* All in [960, 1023], middle 991: below every sample. */
  static const uint32_t rtts[] = {1000, 1010, 1020};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 3);
  assert_int_equal(tt_stats_percentile(&st, 50), 1000);
  tt_stats_free(&st);
}

static void test_percentile_clamped_down_to_max(void **state) {
  static const uint32_t rtts[] = {960, 961, 962};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 3);
  assert_int_equal(tt_stats_percentile(&st, 50), 962);
  tt_stats_free(&st);
}

static void test_percentile_is_a_bucket_middle(void **state) {
  /* Ranks 2 and 3 of four fall in [1024, 1151] (middle 1087). */
  static const uint32_t rtts[] = {100, 1030, 1100, 5000};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 4);
  assert_int_equal(tt_stats_percentile(&st, 50), 1087);
  assert_int_equal(tt_stats_percentile(&st, 75), 1087);
  tt_stats_free(&st);
}

static void test_percentile_above_100_is_max_and_below_0_is_min(void **state) {
  static const uint32_t rtts[] = {40, 50, 60};
  tt_stats st;
  tt_stats_init(&st);
  feed_ok(&st, rtts, 3);
  assert_int_equal(tt_stats_percentile(&st, 250), 60);
  assert_int_equal(tt_stats_percentile(&st, 0), 40);
  assert_int_equal(tt_stats_percentile(&st, -5), 40);
  assert_int_equal(tt_stats_percentile(&st, NAN), 40);
  tt_stats_free(&st);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static uint32_t bucket_width(uint32_t v) {
  uint32_t lo, hi;
  tt_hist_range(tt_hist_bucket(v), &lo, &hi);
  return hi - lo + 1;
}

/* Against the exact nearest-rank percentile of the sorted samples, the
 * estimate is off by less than the width of the true value's bucket. */
static void test_percentile_matches_sorted_reference(void **state) {
  static const double qs[] = {1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};
  static const size_t sizes[] = {2, 3, 7, 100, 1000, 20000};
  uint64_t seed = 42;

  for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
    size_t n = sizes[si];
    uint32_t *v = malloc(n * sizeof(*v));
    tt_stats *st = malloc(sizeof(*st));
    assert_non_null(v);
    assert_non_null(st);
    tt_stats_init(st);
    for (size_t i = 0; i < n; i++) {
      /* Log-uniform from 1 us to about 2^30 us, across every bucket. */
      seed = seed * 6364136223846793005u + 1442695040888963407u;
      unsigned bits = 1 + (unsigned)(seed >> 59); /* 1..32 */
      if (bits > 30)
        bits = 30;
      v[i] = (uint32_t)(seed >> 20) & ((1u << bits) - 1);
      tt_stats_heartbeat(st, TT_CLASS_OK, v[i]);
    }
    qsort(v, n, sizeof(*v), cmp_u32);
    for (size_t qi = 0; qi < sizeof(qs) / sizeof(qs[0]); qi++) {
      size_t rank = (size_t)ceil(qs[qi] * (double)n / 100.0);
      if (rank < 1)
        rank = 1;
      uint32_t want = v[rank - 1];
      uint32_t got = tt_stats_percentile(st, qs[qi]);
      uint32_t diff = got > want ? got - want : want - got;
      assert_true(diff < bucket_width(want));
      assert_true(got >= v[0] && got <= v[n - 1]);
    }
    free(v);
    tt_stats_free(st);
    free(st);
  }
}

/* ---- jitter ---- */

static void test_jitter_follows_rfc3550(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 100);
  assert_true(st.jitter_us == 0.0); /* nothing to differ from yet */
  tt_stats_heartbeat(&st, TT_CLASS_OK, 120); /* |D| = 20 */
  assert_true(st.jitter_us == 1.25);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 110); /* |D| = 10 */
  assert_true(st.jitter_us == 1.796875);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 110); /* |D| = 0 */
  assert_true(st.jitter_us == 1.6845703125);
  /* A loss neither updates nor resets it... */
  tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 0);
  assert_true(st.jitter_us == 1.6845703125);
  /* ...and the next answer differs from the previous answer, 110. */
  tt_stats_heartbeat(&st, TT_CLASS_OK, 150); /* |D| = 40 */
  assert_true(st.jitter_us == 4.07928466796875);
  tt_stats_free(&st);
}

static void test_jitter_of_steady_rtt_is_zero(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  for (int i = 0; i < 50; i++)
    tt_stats_heartbeat(&st, TT_CLASS_OK, 777);
  assert_true(st.jitter_us == 0.0);
  tt_stats_free(&st);
}

/* ---- the ring of recent results ---- */

static void test_recent_is_oldest_first(void **state) {
  tt_stats st;
  tt_sample out[TT_RING_LEN];
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 10);
  tt_stats_heartbeat(&st, TT_CLASS_REFUSED, 0);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 30);
  assert_int_equal(tt_stats_recent(&st, out, TT_RING_LEN), 3);
  assert_int_equal(out[0].cls, TT_CLASS_OK);
  assert_int_equal(out[0].rtt_us, 10);
  assert_int_equal(out[1].cls, TT_CLASS_REFUSED);
  assert_int_equal(out[1].rtt_us, 0);
  assert_int_equal(out[1].late, 0);
  assert_int_equal(out[2].rtt_us, 30);
  tt_stats_free(&st);
}

static void test_failure_rtt_is_zero_in_ring(void **state) {
  tt_stats st;
  tt_sample out[1];
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 4242);
  assert_int_equal(tt_stats_recent(&st, out, 1), 1);
  assert_int_equal(out[0].cls, TT_CLASS_TIMEOUT);
  assert_int_equal(out[0].rtt_us, 0);
  tt_stats_free(&st);
}

static void test_recent_wraps_around(void **state) {
  tt_stats st;
  tt_sample out[TT_RING_LEN + 8];
  tt_stats_init(&st);
  for (uint32_t i = 1; i <= TT_RING_LEN + 10; i++)
    tt_stats_heartbeat(&st, TT_CLASS_OK, i);
  assert_int_equal(st.ring_len, TT_RING_LEN);
  assert_int_equal(tt_stats_recent(&st, out, TT_RING_LEN + 8), TT_RING_LEN);
  for (uint32_t i = 0; i < TT_RING_LEN; i++)
    assert_int_equal(out[i].rtt_us, 11 + i);
  tt_stats_free(&st);
}

static void test_recent_gives_the_newest_when_max_is_small(void **state) {
  tt_stats st;
  tt_sample out[5];
  tt_stats_init(&st);
  for (uint32_t i = 1; i <= 100; i++)
    tt_stats_heartbeat(&st, TT_CLASS_OK, i);
  assert_int_equal(tt_stats_recent(&st, out, 5), 5);
  for (uint32_t i = 0; i < 5; i++)
    assert_int_equal(out[i].rtt_us, 96 + i);
  assert_int_equal(tt_stats_recent(&st, out, 0), 0);
  tt_stats_free(&st);
}

/* ---- late replies ---- */

static void test_late_marks_its_heartbeat_in_the_ring(void **state) {
  tt_stats st;
  tt_sample out[4];
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 100);      /* #1 */
  tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 0);   /* #2 */
  tt_stats_heartbeat(&st, TT_CLASS_OK, 120);      /* #3 */
  tt_stats_late(&st, 2, 1500);
  assert_int_equal(st.late, 1);
  assert_int_equal(st.lost, 1);
  assert_int_equal(st.received, 2);
  assert_int_equal(st.classes[TT_CLASS_TIMEOUT], 1);
  assert_int_equal(st.rtt_max_us, 120);
  assert_int_equal(tt_stats_recent(&st, out, 4), 3);
  assert_int_equal(out[1].cls, TT_CLASS_TIMEOUT);
  assert_int_equal(out[1].late, 1);
  assert_int_equal(out[1].rtt_us, 1500);
  assert_int_equal(out[0].late, 0);
  assert_int_equal(out[2].late, 0);
  assert_int_equal(out[2].rtt_us, 120);
  tt_stats_free(&st);
}

static void test_late_marks_the_right_slot_after_wrapping(void **state) {
  tt_stats st;
  tt_sample out[TT_RING_LEN];
  tt_stats_init(&st);
  for (int i = 0; i < 100; i++)
    tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 0);
  tt_stats_late(&st, 37, 2000); /* the oldest kept: 100 - 64 + 1 */
  tt_stats_late(&st, 100, 3000); /* the newest */
  assert_int_equal(tt_stats_recent(&st, out, TT_RING_LEN), TT_RING_LEN);
  assert_int_equal(out[0].late, 1);
  assert_int_equal(out[0].rtt_us, 2000);
  assert_int_equal(out[TT_RING_LEN - 1].late, 1);
  assert_int_equal(out[TT_RING_LEN - 1].rtt_us, 3000);
  for (int i = 1; i < TT_RING_LEN - 1; i++)
    assert_int_equal(out[i].late, 0);
  tt_stats_free(&st);
}

static void test_late_outside_the_ring_only_counts(void **state) {
  tt_stats st;
  tt_sample out[TT_RING_LEN];
  tt_stats_init(&st);
  for (int i = 0; i < 100; i++)
    tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 0);
  tt_stats_late(&st, 36, 2000); /* one before the oldest kept */
  tt_stats_late(&st, 0, 2000);  /* there is no heartbeat 0 */
  tt_stats_late(&st, 101, 2000); /* nor one not yet sent */
  assert_int_equal(st.late, 3);
  assert_int_equal(st.lost, 100);
  tt_stats_recent(&st, out, TT_RING_LEN);
  for (int i = 0; i < TT_RING_LEN; i++) {
    assert_int_equal(out[i].late, 0);
    assert_int_equal(out[i].rtt_us, 0);
  }
  tt_stats_free(&st);
}

static void test_late_never_rewrites_an_answered_heartbeat(void **state) {
  tt_stats st;
  tt_sample out[1];
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 100);
  tt_stats_late(&st, 1, 9000);
  tt_stats_recent(&st, out, 1);
  assert_int_equal(out[0].late, 0);
  assert_int_equal(out[0].rtt_us, 100);
  tt_stats_free(&st);
}

/* Samples are 32 bits each; an RTT beyond what they hold saturates. */
static void test_sample_is_packed_and_saturates(void **state) {
  tt_stats st;
  assert_int_equal(sizeof(tt_sample), 4);
  tt_stats_init(&st);
  tt_stats_heartbeat(&st, TT_CLASS_OK, 200000000u); /* 200 s */
  tt_stats_heartbeat(&st, TT_CLASS_TIMEOUT, 0);
  tt_stats_late(&st, 2, 150000000u);
  tt_sample s[2];
  assert_int_equal(tt_stats_recent(&st, s, 2), 2);
  assert_int_equal(s[0].rtt_us, TT_SAMPLE_RTT_MAX);
  assert_int_equal(s[0].cls, TT_CLASS_OK);
  assert_int_equal(s[1].rtt_us, TT_SAMPLE_RTT_MAX);
  assert_int_equal(s[1].cls, TT_CLASS_TIMEOUT);
  assert_int_equal(s[1].late, 1);
  /* The statistics themselves keep the full value. */
  assert_int_equal(st.rtt_max_us, 200000000u);
  tt_stats_free(&st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sample_is_packed_and_saturates),
    cmocka_unit_test(test_hist_has_200_buckets),
      cmocka_unit_test(test_hist_small_values_have_a_bucket_each),
      cmocka_unit_test(test_hist_bucket_follows_the_formula),
      cmocka_unit_test(test_hist_top_bucket_takes_everything_larger),
      cmocka_unit_test(test_hist_ranges_tile_every_value),
      cmocka_unit_test(test_hist_span_widens_both_ways_and_keeps_counts),
      cmocka_unit_test(test_hist_of_one_octave_is_small),
      cmocka_unit_test(test_hist_random_rtts_match_a_dense_histogram),
      cmocka_unit_test(test_hist_copy_is_its_own),
      cmocka_unit_test(test_hist_set_bucket),
      cmocka_unit_test(test_init_is_all_zero),
      cmocka_unit_test(test_counters_count_every_heartbeat),
      cmocka_unit_test(test_failures_leave_rtt_alone),
      cmocka_unit_test(test_min_max_last_avg),
      cmocka_unit_test(test_avg_rounds_to_nearest),
      cmocka_unit_test(test_min_of_zero_rtt_is_kept),
      cmocka_unit_test(test_loss_pct),
      cmocka_unit_test(test_out_of_range_class_counts_as_error),
      cmocka_unit_test(test_percentile_of_one_sample_is_that_sample),
      cmocka_unit_test(test_percentile_exact_for_small_values),
      cmocka_unit_test(test_percentile_100_is_max),
      cmocka_unit_test(test_percentile_lowest_rank_is_min),
      cmocka_unit_test(test_percentile_clamped_up_to_min),
      cmocka_unit_test(test_percentile_clamped_down_to_max),
      cmocka_unit_test(test_percentile_is_a_bucket_middle),
      cmocka_unit_test(test_percentile_above_100_is_max_and_below_0_is_min),
      cmocka_unit_test(test_percentile_matches_sorted_reference),
      cmocka_unit_test(test_jitter_follows_rfc3550),
      cmocka_unit_test(test_jitter_of_steady_rtt_is_zero),
      cmocka_unit_test(test_recent_is_oldest_first),
      cmocka_unit_test(test_failure_rtt_is_zero_in_ring),
      cmocka_unit_test(test_recent_wraps_around),
      cmocka_unit_test(test_recent_gives_the_newest_when_max_is_small),
      cmocka_unit_test(test_late_marks_its_heartbeat_in_the_ring),
      cmocka_unit_test(test_late_marks_the_right_slot_after_wrapping),
      cmocka_unit_test(test_late_outside_the_ring_only_counts),
      cmocka_unit_test(test_late_never_rewrites_an_answered_heartbeat),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
