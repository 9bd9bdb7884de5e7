/* phase.c - the phases of targets that join a running engine: the gaps
 * between the phases taken split, widest first; then the emptiest
 * milliseconds filled, evenly. */
#include <stdlib.h>
#include <uv.h>

#include "phase.h"

/* A gap between two neighbouring taken phases, and its joiners. */
typedef struct gap {
  uint64_t at, len;
  uint64_t joiners;
} gap;

/* Whether a's parts are longer than b's: the gap that splits next. Equal
 * parts go to the earlier gap, so that the answer never depends on the
 * heap's order. The products stay below 2^58 (a day in ms times 2^31). */
static int before(const gap *a, const gap *b) {
  uint64_t x = a->len * (b->joiners + 1), y = b->len * (a->joiners + 1);
  return x != y ? x > y : a->at < b->at;
}

static void sift_down(gap *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, top = i;
    if (l < n && before(&h[l], &h[top]))
      top = l;
    if (r < n && before(&h[r], &h[top]))
      top = r;
    if (top == i)
      return;
    gap t = h[i];
    h[i] = h[top];
    h[top] = t;
    i = top;
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The last k joiners, once every millisecond of the interval holds a
 * slot (so interval <= n + m): one more to each of the milliseconds that
 * hold the fewest, level by level, and on the last level to as many of
 * them as there are joiners left, evenly spaced. */
static int fill_levels(const uint64_t *taken, size_t n, uint64_t interval,
                       uint64_t *out, size_t placed, size_t k) {
  uint32_t *load = calloc(interval, sizeof *load);
  uint64_t *low = malloc(interval * sizeof *low);
  if (load == NULL || low == NULL) {
    free(load);
    free(low);
    return UV_ENOMEM;
  }
  for (size_t i = 0; i < n; i++)
    load[taken[i]]++;
  for (size_t i = 0; i < placed; i++)
    load[out[i]]++;
  while (k > 0) {
    uint32_t least = UINT32_MAX;
    size_t nlow = 0;
    for (uint64_t ms = 0; ms < interval; ms++) {
      if (load[ms] < least) {
        least = load[ms];
        nlow = 0;
      }
      if (load[ms] == least)
        low[nlow++] = ms;
    }
    size_t give = k < nlow ? k : nlow;
    for (size_t j = 0; j < give; j++) {
      uint64_t ms = low[(uint64_t)j * nlow / give];
      load[ms]++;
      out[placed++] = ms;
    }
    k -= give;
  }
  free(load);
  free(low);
  return 0;
}

int tt_phase_place(uint64_t *taken, size_t n, uint64_t interval,
                   uint64_t *out, size_t m) {
  if (m == 0)
    return 0;
  if (n == 0 && m <= interval) {
    for (size_t k = 0; k < m; k++)
      out[k] = interval * k / m;
    return 0;
  }
  gap *h = malloc((n ? n : 1) * sizeof *h);
  if (h == NULL)
    return UV_ENOMEM;
  qsort(taken, n, sizeof *taken, cmp_u64);
  /* Repeated phases make gaps of 0, which nobody can join. */
  size_t g = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t next = i + 1 < n ? taken[i + 1] : taken[0] + interval;
    if (next > taken[i])
      h[g++] = (gap){ taken[i], next - taken[i], 0 };
  }
  for (size_t i = g / 2; i-- > 0;)
    sift_down(h, g, i);
  /* Each joiner to the gap whose parts are the longest, while they stay
   * 1 ms or more: when the longest cannot, none can. */
  size_t k = 0;
  while (k < m && g > 0 && h[0].len >= h[0].joiners + 2) {
    h[0].joiners++;
    k++;
    sift_down(h, g, 0);
  }
  size_t placed = 0;
  for (size_t i = 0; i < g; i++)
    for (uint64_t j = 1; j <= h[i].joiners; j++)
      out[placed++] = (h[i].at + h[i].len * j / (h[i].joiners + 1)) % interval;
  free(h);
  int r = 0;
  if (placed < m)
    r = fill_levels(taken, n, interval, out, placed, m - placed);
  if (r == 0)
    qsort(out, m, sizeof *out, cmp_u64);
  return r;
}
