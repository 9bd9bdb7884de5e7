/* dash_hist.c - rings of cells on an absolute time grid: each target's
 * HISTORY at every zoom level, the shared scale, and the LOSS window.
 * A ring slot holds cell k at k % size; the newest cell written says
 * which cells the ring still holds. */
#include <math.h>
#include <string.h>

#include "dash_hist.h"

uint16_t tt_hist_code(uint32_t rtt_us) {
  if (rtt_us <= 1)
    return 1;
  double c = 1 + log2((double)rtt_us) * TT_HIST_CODE_OCTAVE + 0.5;
  return c >= TT_HCELL_RTT ? TT_HCELL_RTT : (uint16_t)c;
}

uint32_t tt_hist_decode(uint16_t code) {
  if (code <= 1)
    return code == 1 ? 1 : 0;
  double us = exp2((double)(code - 1) / TT_HIST_CODE_OCTAVE);
  return us >= 4294967295.0 ? UINT32_MAX : (uint32_t)(us + 0.5);
}

void tt_hist_init(tt_hist *h) {
  memset(h, 0, sizeof(*h));
}

void tt_hist_scale_init(tt_hist_scale *s) {
  memset(s, 0, sizeof(*s));
}

uint64_t tt_hist_span_us(uint64_t step_us, unsigned level) {
  uint64_t span = step_us > 0 ? step_us : 1;
  for (unsigned l = 0; l < level; l++)
    span *= TT_HIST_ZOOM;
  return span;
}

/* Makes cell k the newest of a ring of n cells whose newest is *last - 1
 * (cells in between are emptied); returns its slot, or -1 when k is
 * older than the ring keeps. */
static long ring_slot(uint64_t *last, void *cells, size_t cell_size,
                      size_t n, uint64_t k) {
  char *c = cells;
  if (*last == 0 || k >= *last - 1 + n) {
    memset(c, 0, n * cell_size);
    *last = k + 1;
  } else if (k + 1 > *last) {
    for (uint64_t j = *last; j <= k; j++)
      memset(c + (j % n) * cell_size, 0, cell_size);
    *last = k + 1;
  } else if (k + n < *last) {
    return -1;
  }
  return (long)(k % n);
}

void tt_hist_beat(tt_hist *h, tt_hist_scale *scale, uint64_t step_us,
                  uint64_t ts_us, tt_class cls, uint32_t rtt_us) {
  uint16_t code = cls == TT_CLASS_OK ? tt_hist_code(rtt_us) : 0;
  for (unsigned l = 0; l < TT_HIST_LEVELS; l++) {
    uint64_t k = ts_us / tt_hist_span_us(step_us, l);
    long slot = ring_slot(&h->last[l], h->c[l], sizeof(tt_hcell),
                          TT_HIST_CELLS, k);
    if (slot < 0)
      continue;
    tt_hcell *c = &h->c[l][slot];
    if (cls != TT_CLASS_OK) {
      *c |= TT_HCELL_FAIL;
      continue;
    }
    uint16_t old = *c & TT_HCELL_RTT;
    *c = (tt_hcell)((*c & ~TT_HCELL_RTT) | TT_HCELL_OK |
                    (code > old ? code : old));
    if (scale == NULL)
      continue;
    size_t pos = (size_t)(k % TT_HIST_CELLS);
    if (scale->cell[l][pos] < k + 1) {
      scale->cell[l][pos] = k + 1;
      scale->lo[l][pos] = scale->hi[l][pos] = code;
    } else if (scale->cell[l][pos] == k + 1) {
      if (code < scale->lo[l][pos])
        scale->lo[l][pos] = code;
      if (code > scale->hi[l][pos])
        scale->hi[l][pos] = code;
    }
  }
}

void tt_hist_late(tt_hist *h, uint64_t step_us, uint64_t sent_us) {
  for (unsigned l = 0; l < TT_HIST_LEVELS; l++) {
    uint64_t k = sent_us / tt_hist_span_us(step_us, l);
    long slot = ring_slot(&h->last[l], h->c[l], sizeof(tt_hcell),
                          TT_HIST_CELLS, k);
    if (slot >= 0)
      h->c[l][slot] |= TT_HCELL_LATE;
  }
}

/* Whether a ring of n cells whose newest is last - 1 still holds k. */
static bool ring_holds(uint64_t last, size_t n, uint64_t k) {
  return last > 0 && k + 1 <= last && k + n >= last;
}

/* Cell k of the window of width cells ending at now's cell, column j. */
static bool window_cell(uint64_t step_us, unsigned level, uint64_t now_us,
                        size_t width, size_t j, uint64_t *k) {
  uint64_t kn = now_us / tt_hist_span_us(step_us, level);
  uint64_t back = width - 1 - j;
  if (back > kn)
    return false;
  *k = kn - back;
  return true;
}

void tt_hist_cells(const tt_hist *h, uint64_t step_us, unsigned level,
                   uint64_t now_us, size_t width, tt_hcell *out) {
  uint64_t last = h->last[level];
  for (size_t j = 0; j < width; j++) {
    uint64_t k;
    bool kept = window_cell(step_us, level, now_us, width, j, &k) &&
                ring_holds(last, TT_HIST_CELLS, k);
    out[j] = kept ? h->c[level][k % TT_HIST_CELLS] : 0;
  }
}

bool tt_hist_scale_range(const tt_hist_scale *s, uint64_t step_us,
                         unsigned level, uint64_t now_us, size_t width,
                         uint16_t *lo, uint16_t *hi) {
  bool any = false;
  for (size_t j = 0; j < width; j++) {
    uint64_t k;
    if (!window_cell(step_us, level, now_us, width, j, &k))
      continue;
    size_t pos = (size_t)(k % TT_HIST_CELLS);
    if (s->cell[level][pos] != k + 1)
      continue;
    if (!any || s->lo[level][pos] < *lo)
      *lo = s->lo[level][pos];
    if (!any || s->hi[level][pos] > *hi)
      *hi = s->hi[level][pos];
    any = true;
  }
  return any;
}

void tt_loss_init(tt_loss *l) {
  memset(l, 0, sizeof(*l));
}

void tt_loss_beat(tt_loss *l, uint64_t ts_us, bool lost) {
  uint64_t sec = ts_us / 1000000;
  long slot = ring_slot(&l->last, l->s, sizeof(l->s[0]), TT_LOSS_WINDOW_S,
                        sec);
  if (slot < 0 || l->s[slot].sent == UINT16_MAX)
    return;
  l->s[slot].sent++;
  if (lost)
    l->s[slot].lost++;
}

void tt_loss_count(const tt_loss *l, uint64_t now_us, uint32_t *sent,
                   uint32_t *lost) {
  uint64_t now = now_us / 1000000;
  *sent = *lost = 0;
  for (uint64_t back = 0; back < TT_LOSS_WINDOW_S && back <= now; back++) {
    uint64_t sec = now - back;
    if (!ring_holds(l->last, TT_LOSS_WINDOW_S, sec))
      continue;
    *sent += l->s[sec % TT_LOSS_WINDOW_S].sent;
    *lost += l->s[sec % TT_LOSS_WINDOW_S].lost;
  }
}
