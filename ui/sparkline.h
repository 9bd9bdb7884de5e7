/* sparkline.h - the HISTORY column: one character per time cell, RTT bars
 * scaled per row or on one log scale shared by every row, failures and
 * late replies marked. Pure, for tests. */
#ifndef TETHER_SPARKLINE_H
#define TETHER_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "dash_hist.h"
#include "dash_line.h"

#define TT_SPARK_LEVELS 8

typedef struct tt_spark_cell {
  const char *glyph; /* a NUL-terminated character: one column */
  tt_role role;
} tt_spark_cell;

/* The bar level (0..TT_SPARK_LEVELS-1) of an RTT on a row whose answered
 * heartbeats range from lo to hi. Differences smaller than a quarter of lo
 * are drawn flat, so that a steady target does not look jumpy. */
unsigned tt_spark_level(uint32_t rtt_us, uint32_t lo, uint32_t hi);

/* The bar level of an RTT code (see tt_hist_code) on the shared scale
 * from code lo to code hi: a log scale, at least two octaves tall so that
 * jitter among fast answers stays flat. */
unsigned tt_spark_log_level(uint16_t code, uint16_t lo, uint16_t hi);

/* Fills out[0..n) from cells (oldest first). A cell with a failure is
 * U+00D7 (utf8) or 'x', or '!' when a reply came late; an answered one is
 * a bar U+2581..U+2588 (utf8) or one of "_.-=^" (ASCII), on the row's own
 * scale or (shared) the codes lo..hi; an empty one is blank. Returns how
 * many cells hold something. */
size_t tt_spark(const tt_hcell *cells, size_t n, bool shared, uint16_t lo,
                uint16_t hi, bool utf8, tt_spark_cell *out);

/* Appends width columns to a line: the n cells, right-aligned. */
void tt_spark_line(tt_line *l, const tt_hcell *cells, size_t n, size_t width,
                   bool shared, uint16_t lo, uint16_t hi, bool utf8);

#endif
