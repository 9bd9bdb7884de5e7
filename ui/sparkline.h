/* sparkline.h - a row's recent heartbeats as one character each: RTT bars
 * scaled to the row, failures and late replies marked. Pure, for tests. */
#ifndef TETHER_SPARKLINE_H
#define TETHER_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "dash_line.h"
#include "stats.h"

#define TT_SPARK_LEVELS 8

typedef struct tt_spark_cell {
  const char *glyph; /* a NUL-terminated character: one column */
  tt_role role;
} tt_spark_cell;

/* The bar level (0..TT_SPARK_LEVELS-1) of an RTT on a row whose answered
 * heartbeats range from lo to hi. Differences smaller than a quarter of lo
 * are drawn flat, so that a steady target does not look jumpy. */
unsigned tt_spark_level(uint32_t rtt_us, uint32_t lo, uint32_t hi);

/* Fills out[0..width) from samples (oldest first): the newest sample is
 * the last column and older ones go to the left; columns without a sample
 * are blank. Answered heartbeats are bars U+2581..U+2588 (utf8) or one of
 * "_.-=^" (ASCII), a timeout whose reply came late is '!' and any other
 * failure is U+00D7 (utf8) or 'x'. Returns how many columns hold a
 * sample. */
size_t tt_spark(const tt_sample *samples, size_t n, size_t width, bool utf8,
                tt_spark_cell *out);

/* Appends a sparkline of width columns to a line. */
void tt_spark_line(tt_line *l, const tt_sample *samples, size_t n,
                   size_t width, bool utf8);

#endif
