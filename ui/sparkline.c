/* sparkline.c - the HISTORY column's glyphs: bars scaled per row or on
 * the shared log scale, with failures and late replies marked so that
 * they never read as bars. */
#include "sparkline.h"

static const char *const bars_utf8[TT_SPARK_LEVELS] = {
  "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
  "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};

/* Five ASCII heights, from the floor of the cell to its top. */
static const char *const bars_ascii[] = {"_", ".", "-", "=", "^"};
#define ASCII_LEVELS (sizeof(bars_ascii) / sizeof(bars_ascii[0]))

unsigned tt_spark_level(uint32_t rtt_us, uint32_t lo, uint32_t hi) {
  uint64_t span = hi > lo ? hi - lo : 0;
  uint64_t floor = lo / 4 + 1;

  if (span < floor)
    span = floor;
  if (rtt_us <= lo)
    return 0;
  uint64_t above = rtt_us - lo;
  if (above >= span)
    return TT_SPARK_LEVELS - 1;
  /* Rounded to the nearest level, so that hi itself reaches the top. */
  return (unsigned)((above * (TT_SPARK_LEVELS - 1) + span / 2) / span);
}

unsigned tt_spark_log_level(uint16_t code, uint16_t lo, uint16_t hi) {
  unsigned span = hi > lo ? (unsigned)(hi - lo) : 0;
  if (span < 2 * TT_HIST_CODE_OCTAVE)
    span = 2 * TT_HIST_CODE_OCTAVE;
  if (code <= lo)
    return 0;
  unsigned above = (unsigned)(code - lo);
  if (above >= span)
    return TT_SPARK_LEVELS - 1;
  return (above * (TT_SPARK_LEVELS - 1) + span / 2) / span;
}

size_t tt_spark(const tt_hcell *cells, size_t n, bool shared, uint16_t lo,
                uint16_t hi, bool utf8, tt_spark_cell *out) {
  uint32_t rlo = UINT32_MAX, rhi = 0;
  size_t used = 0;

  if (!shared) {
    for (size_t i = 0; i < n; i++) {
      if (!(cells[i] & TT_HCELL_OK))
        continue;
      uint32_t us = tt_hist_decode(cells[i] & TT_HCELL_RTT);
      if (us < rlo)
        rlo = us;
      if (us > rhi)
        rhi = us;
    }
  }
  for (size_t i = 0; i < n; i++) {
    tt_spark_cell *c = &out[i];
    tt_hcell x = cells[i];
    if (x & TT_HCELL_FAIL) {
      bool late = x & TT_HCELL_LATE;
      c->glyph = late ? "!" : utf8 ? "\xc3\x97" : "x";
      c->role = late ? TT_ROLE_LATE : TT_ROLE_FAIL;
    } else if (x & TT_HCELL_OK) {
      uint16_t code = x & TT_HCELL_RTT;
      unsigned level = shared ? tt_spark_log_level(code, lo, hi)
                              : tt_spark_level(tt_hist_decode(code), rlo, rhi);
      c->glyph = utf8 ? bars_utf8[level]
                      : bars_ascii[level * ASCII_LEVELS / TT_SPARK_LEVELS];
      c->role = TT_ROLE_SPARK;
    } else {
      *c = (tt_spark_cell){" ", TT_ROLE_NORMAL};
      continue;
    }
    used++;
  }
  return used;
}

void tt_spark_line(tt_line *l, const tt_hcell *cells, size_t n, size_t width,
                   bool shared, uint16_t lo, uint16_t hi, bool utf8) {
  tt_spark_cell out[TT_HIST_CELLS];

  if (n > TT_HIST_CELLS) {
    cells += n - TT_HIST_CELLS;
    n = TT_HIST_CELLS;
  }
  if (n > width) {
    cells += n - width;
    n = width;
  }
  if (width > n)
    tt_line_spaces(l, (unsigned)(width - n));
  tt_spark(cells, n, shared, lo, hi, utf8, out);
  for (size_t i = 0; i < n; i++)
    tt_line_puts(l, out[i].role, out[i].glyph);
}
