/* stats.c - per-target statistics in bounded memory, each heartbeat
 * folded in at constant cost so that thousands of targets stay cheap. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* The last bucket holds everything from its lower bound up. */
#define LAST_BUCKET (TT_HIST_BUCKETS - 1)

/* floor(log2(v)) for v > 0. */
static unsigned log2_floor(uint32_t v) {
#if defined(__GNUC__)
  return 31u - (unsigned)__builtin_clz(v);
#else
  unsigned e = 0;
  while (v >>= 1)
    e++;
  return e;
#endif
}

size_t tt_hist_bucket(uint32_t us) {
  if (us < TT_HIST_EXACT)
    return us;
  if (us >> TT_HIST_TOP_BIT)
    return LAST_BUCKET;
  unsigned e = log2_floor(us); /* 4 .. TT_HIST_TOP_BIT - 1 */
  unsigned sub = (us >> (e - 3)) & (TT_HIST_SUB - 1);
  return TT_HIST_EXACT + (size_t)(e - 4) * TT_HIST_SUB + sub;
}

void tt_hist_range(size_t bucket, uint32_t *lo, uint32_t *hi) {
  if (bucket < TT_HIST_EXACT) {
    *lo = *hi = (uint32_t)bucket;
    return;
  }
  if (bucket > LAST_BUCKET)
    bucket = LAST_BUCKET;
  size_t i = bucket - TT_HIST_EXACT;
  unsigned shift = (unsigned)(i / TT_HIST_SUB) + 1; /* e - 3 */
  uint32_t sub = (uint32_t)(i % TT_HIST_SUB);
  *lo = (TT_HIST_SUB + sub) << shift;
  *hi = bucket == LAST_BUCKET ? UINT32_MAX : *lo + (UINT32_C(1) << shift) - 1;
}

void tt_stats_init(tt_stats *st) {
  memset(st, 0, sizeof(*st));
}

void tt_stats_free(tt_stats *st) {
  free(st->hist);
  st->hist = NULL;
  st->hist_lo = st->hist_n = 0;
}

int tt_stats_copy(tt_stats *dst, const tt_stats *src) {
  if (dst == src)
    return 0;
  tt_stats_free(dst);
  *dst = *src;
  if (src->hist == NULL)
    return 0;
  dst->hist = malloc(src->hist_n * sizeof *dst->hist);
  if (dst->hist == NULL) {
    dst->hist_lo = dst->hist_n = 0;
    return -1;
  }
  memcpy(dst->hist, src->hist, src->hist_n * sizeof *dst->hist);
  return 0;
}

/* Spare buckets allocated past the one that widened the span, on its
 * side: an RTT a little further out then costs no allocation. */
#define HIST_SPARE 4

/* The counts of bucket b, the span widened to it if need be; NULL when
 * memory ran out. */
static uint32_t *hist_slot(tt_stats *st, size_t b) {
  size_t lo = st->hist_lo, end = lo + st->hist_n;
  if (st->hist != NULL && b >= lo && b < end)
    return &st->hist[b - lo];
  size_t nlo, nend;
  if (st->hist == NULL) {
    nlo = b > HIST_SPARE ? b - HIST_SPARE : 0;
    nend = b + 1 + HIST_SPARE;
  } else if (b < lo) {
    nlo = b > HIST_SPARE ? b - HIST_SPARE : 0;
    nend = end;
  } else {
    nlo = lo;
    nend = b + 1 + HIST_SPARE;
  }
  if (nend > TT_HIST_BUCKETS)
    nend = TT_HIST_BUCKETS;
  uint32_t *h = realloc(st->hist, (nend - nlo) * sizeof *h);
  if (h == NULL)
    return NULL;
  if (st->hist == NULL) {
    memset(h, 0, (nend - nlo) * sizeof *h);
  } else {
    /* [lo, end) moves to [lo - nlo, ...); zeros on both sides. */
    memmove(h + (lo - nlo), h, st->hist_n * sizeof *h);
    memset(h, 0, (lo - nlo) * sizeof *h);
    memset(h + (end - nlo), 0, (nend - end) * sizeof *h);
  }
  st->hist = h;
  st->hist_lo = (uint8_t)nlo;
  st->hist_n = (uint8_t)(nend - nlo);
  return &h[b - nlo];
}

int tt_stats_set_bucket(tt_stats *st, size_t b, uint32_t count) {
  if (b >= TT_HIST_BUCKETS)
    return -1;
  if (count == 0 && tt_stats_bucket(st, b) == 0)
    return 0;
  uint32_t *c = hist_slot(st, b);
  if (c == NULL)
    return -1;
  *c = count;
  return 0;
}

static uint32_t sample_rtt(uint32_t rtt_us) {
  return rtt_us > TT_SAMPLE_RTT_MAX ? TT_SAMPLE_RTT_MAX : rtt_us;
}

static void ring_push(tt_stats *st, tt_class cls, uint32_t rtt_us) {
  st->ring[st->ring_next] =
    (tt_sample){.rtt_us = sample_rtt(rtt_us), .cls = (unsigned)cls};
  st->ring_next = (st->ring_next + 1) % TT_RING_LEN;
  if (st->ring_len < TT_RING_LEN)
    st->ring_len++;
}

void tt_stats_heartbeat(tt_stats *st, tt_class cls, uint32_t rtt_us) {
  if ((unsigned)cls >= TT_CLASS_COUNT)
    cls = TT_CLASS_ERROR;
  st->sent++;
  st->classes[cls]++;
  if (cls != TT_CLASS_OK) {
    st->lost++;
    ring_push(st, cls, 0);
    return;
  }
  if (st->received == 0) {
    st->rtt_min_us = st->rtt_max_us = rtt_us;
  } else {
    /* RFC 3550, 6.4.1: the difference is taken between successive
     * answered heartbeats; losses in between do not reset it. */
    double d = fabs((double)rtt_us - (double)st->last_rtt_us);
    st->jitter_us += (d - st->jitter_us) / 16.0;
    if (rtt_us < st->rtt_min_us)
      st->rtt_min_us = rtt_us;
    if (rtt_us > st->rtt_max_us)
      st->rtt_max_us = rtt_us;
  }
  st->received++;
  st->rtt_sum_us += rtt_us;
  st->last_rtt_us = rtt_us;
  /* Out of memory, the RTT is still in every other figure; the
   * percentiles that miss it fall back to the largest RTT. */
  uint32_t *c = hist_slot(st, tt_hist_bucket(rtt_us));
  if (c != NULL && *c != UINT32_MAX)
    (*c)++;
  ring_push(st, cls, rtt_us);
}

void tt_stats_late(tt_stats *st, uint64_t seq, uint32_t rtt_us) {
  st->late++;
  if (seq == 0 || seq > st->sent || st->sent - seq >= st->ring_len)
    return;
  /* Heartbeat number sent sits just before ring_next. */
  uint32_t back = (uint32_t)(st->sent - seq) + 1;
  tt_sample *s = &st->ring[(st->ring_next + TT_RING_LEN - back) % TT_RING_LEN];
  /* An answered heartbeat cannot have a late reply; keep its RTT. */
  if (s->cls == TT_CLASS_OK)
    return;
  s->late = 1;
  s->rtt_us = sample_rtt(rtt_us);
}

uint32_t tt_stats_avg(const tt_stats *st) {
  if (st->received == 0)
    return 0;
  return (uint32_t)((st->rtt_sum_us + st->received / 2) / st->received);
}

uint32_t tt_stats_percentile(const tt_stats *st, double q) {
  if (st->received == 0)
    return 0;
  /* Nearest rank. q * received is exact for whole q, so ceil() does not
   * round a whole rank up. */
  double r = ceil(q * (double)st->received / 100.0);
  uint64_t rank;
  if (!(r >= 1.0)) /* also a NaN q */
    rank = 1;
  else if (r >= (double)st->received)
    rank = st->received;
  else
    rank = (uint64_t)r;
  if (rank == st->received)
    return st->rtt_max_us; /* the largest sample is known exactly */
  if (rank == 1)
    return st->rtt_min_us; /* and so is the smallest */

  uint64_t seen = 0;
  for (size_t b = st->hist_lo; b < (size_t)st->hist_lo + st->hist_n; b++) {
    seen += st->hist[b - st->hist_lo];
    if (seen >= rank) {
      uint32_t lo, hi;
      tt_hist_range(b, &lo, &hi);
      uint32_t mid = lo + (hi - lo) / 2;
      if (mid < st->rtt_min_us)
        return st->rtt_min_us;
      if (mid > st->rtt_max_us)
        return st->rtt_max_us;
      return mid;
    }
  }
  /* Only when a bucket saturated (or memory ran out): the rank is among
   * the largest. */
  return st->rtt_max_us;
}

double tt_stats_loss_pct(const tt_stats *st) {
  if (st->sent == 0)
    return 0.0;
  return (double)st->lost * 100.0 / (double)st->sent;
}

size_t tt_stats_recent(const tt_stats *st, tt_sample *out, size_t max) {
  size_t k = st->ring_len < max ? st->ring_len : max;
  size_t start = (st->ring_next + TT_RING_LEN - k) % TT_RING_LEN;
  for (size_t i = 0; i < k; i++)
    out[i] = st->ring[(start + i) % TT_RING_LEN];
  return k;
}
