/* stats.h - per-target statistics, updated incrementally in bounded
 * memory: counters, RTT extremes, a log-scaled histogram for percentiles,
 * RFC 3550 jitter and a ring of recent results for sparklines. */
#ifndef TETHER_STATS_H
#define TETHER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tether.h"

/* Histogram: values below 16 us have a bucket each; above, every power of
 * two is split into 8 buckets (about 6% wide), up to 2^27 us (134 s), the
 * last bucket taking everything larger. */
#define TT_HIST_EXACT 16
#define TT_HIST_SUB 8
#define TT_HIST_TOP_BIT 27
#define TT_HIST_BUCKETS (TT_HIST_EXACT + (TT_HIST_TOP_BIT - 4) * TT_HIST_SUB)

/* Recent results kept for the sparkline and the detail view. */
#define TT_RING_LEN 64

/* One recent result, packed in 32 bits (thousands of targets keep 64 of
 * them): a class, whether a late reply came, and the RTT (of the reply, or
 * of the late reply) in microseconds, saturating at TT_SAMPLE_RTT_MAX. */
#define TT_SAMPLE_RTT_MAX ((UINT32_C(1) << 27) - 1) /* 134 s */
typedef struct tt_sample {
  uint32_t rtt_us : 27; /* 0 when there was no reply */
  uint32_t cls : 4;     /* tt_class */
  uint32_t late : 1;    /* 1: timed out, but the reply came later */
} tt_sample;

typedef struct tt_stats {
  uint64_t sent;      /* heartbeats: every probe or connect attempt */
  uint64_t received;  /* heartbeats with class ok */
  uint64_t lost;      /* heartbeats with any other class */
  uint64_t late;      /* late replies (their heartbeats stay lost) */
  uint64_t classes[TT_CLASS_COUNT];
  uint64_t rtt_sum_us;
  uint32_t rtt_min_us;
  uint32_t rtt_max_us;
  uint32_t last_rtt_us;
  double jitter_us;   /* RFC 3550: J += (|D| - J) / 16 over successive RTTs */
  uint32_t flaps;     /* times the target went from up or degraded to down */
  uint32_t changes;   /* state changes of every kind */
  uint32_t reconnects; /* persistent connections rebuilt without a
                          failure: closed by the peer between heartbeats
                          (reconnect events), or on request */
  uint64_t skipped;    /* probe slots that passed without a probe */
  uint64_t discarded_bytes; /* bytes that came with no ping outstanding */
  /* The histogram: the counts of buckets [hist_lo, hist_lo + hist_n),
   * the span the RTTs have reached (NULL until the first answered
   * heartbeat). A target's RTTs span a few octaves, seldom all 200
   * buckets: 800 bytes each for 10 000 targets would be most of their
   * memory. Read with tt_stats_bucket(). */
  uint32_t *hist;
  uint8_t hist_lo, hist_n;
  tt_sample ring[TT_RING_LEN];
  uint32_t ring_next; /* where the next sample goes */
  uint32_t ring_len;
} tt_stats;

void tt_stats_init(tt_stats *st);

/* Frees the histogram's counts (the rest needs nothing freed); st is then
 * as tt_stats_init left it, but for its counters. */
void tt_stats_free(tt_stats *st);

/* dst becomes a copy of src with a histogram of its own; dst's own is
 * freed first. Returns 0, or -1 when memory ran out (dst then has no
 * histogram: its percentiles fall back to the largest RTT). */
int tt_stats_copy(tt_stats *dst, const tt_stats *src);

/* The count of histogram bucket b (0 outside the span in use). */
static inline uint32_t tt_stats_bucket(const tt_stats *st, size_t b) {
  return b >= st->hist_lo && b - st->hist_lo < st->hist_n
           ? st->hist[b - st->hist_lo]
           : 0;
}

/* Sets the count of bucket b (a snapshot read back). Returns 0, or -1
 * when memory ran out. */
int tt_stats_set_bucket(tt_stats *st, size_t b, uint32_t count);

/* Records one heartbeat result; rtt_us is used when cls is ok. */
void tt_stats_heartbeat(tt_stats *st, tt_class cls, uint32_t rtt_us);

/* Records that the reply to heartbeat number seq (1-based, as counted by
 * sent) came late, after rtt_us. It stays lost; the ring entry of that
 * heartbeat, while still kept, is marked. */
void tt_stats_late(tt_stats *st, uint64_t seq, uint32_t rtt_us);

/* Average RTT of ok heartbeats, 0 when none. */
uint32_t tt_stats_avg(const tt_stats *st);

/* The q-th percentile (0 < q <= 100, nearest rank) of ok RTTs, from the
 * histogram: the middle of the bucket holding it, clamped to [min, max];
 * the first and last ranks are min and max exactly; 0 when none. */
uint32_t tt_stats_percentile(const tt_stats *st, double q);

/* lost / sent * 100, 0 when nothing was sent. */
double tt_stats_loss_pct(const tt_stats *st);

/* Copies up to max of the most recent samples, oldest first; returns how
 * many. */
size_t tt_stats_recent(const tt_stats *st, tt_sample *out, size_t max);

/* The histogram bucket of a value and the range [lo, hi] of a bucket,
 * exposed for the detail view's RTT histogram and for tests. */
size_t tt_hist_bucket(uint32_t us);
void tt_hist_range(size_t bucket, uint32_t *lo, uint32_t *hi);

#endif
