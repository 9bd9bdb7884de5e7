/* sparkline.c - the HISTORY column: recent RTTs as bars scaled per row,
 * with failures and late replies marked so that they never read as bars. */
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

size_t tt_spark(const tt_sample *samples, size_t n, size_t width, bool utf8,
                tt_spark_cell *out) {
  size_t shown = n < width ? n : width;
  const tt_sample *s = samples + (n - shown);
  uint32_t lo = UINT32_MAX, hi = 0;

  for (size_t i = 0; i < shown; i++) {
    if (s[i].cls != TT_CLASS_OK)
      continue;
    if (s[i].rtt_us < lo)
      lo = s[i].rtt_us;
    if (s[i].rtt_us > hi)
      hi = s[i].rtt_us;
  }
  for (size_t i = 0; i < width - shown; i++)
    out[i] = (tt_spark_cell){" ", TT_ROLE_NORMAL};
  for (size_t i = 0; i < shown; i++) {
    tt_spark_cell *c = &out[width - shown + i];
    if (s[i].cls == TT_CLASS_OK) {
      unsigned level = tt_spark_level(s[i].rtt_us, lo, hi);
      c->glyph = utf8 ? bars_utf8[level]
                      : bars_ascii[level * ASCII_LEVELS / TT_SPARK_LEVELS];
      c->role = TT_ROLE_SPARK;
    } else if (s[i].late) {
      c->glyph = "!";
      c->role = TT_ROLE_LATE;
    } else {
      c->glyph = utf8 ? "\xc3\x97" : "x";
      c->role = TT_ROLE_FAIL;
    }
  }
  return shown;
}

void tt_spark_line(tt_line *l, const tt_sample *samples, size_t n,
                   size_t width, bool utf8) {
  tt_spark_cell cells[TT_RING_LEN];

  if (width > TT_RING_LEN) {
    tt_line_spaces(l, (unsigned)(width - TT_RING_LEN));
    width = TT_RING_LEN;
  }
  tt_spark(samples, n, width, utf8, cells);
  for (size_t i = 0; i < width; i++)
    tt_line_puts(l, cells[i].role, cells[i].glyph);
}
