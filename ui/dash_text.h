/* dash_text.h - every line of the dashboard other than table rows, built
 * as text with roles from the model: header, key bar, filter prompt, event
 * log, detail view, help, the too-small notice. Pure: the screen only
 * blits these lines. */
#ifndef TETHER_DASH_TEXT_H
#define TETHER_DASH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "dash_line.h"
#include "dash_model.h"

/* The smallest terminal the dashboard draws on. */
#define TT_DASH_MIN_COLS 80
#define TT_DASH_MIN_ROWS 24

/* Header: the source, targets per state, the filter, PAUSED, the clock,
 * exactly cols columns wide. */
void tt_text_header(tt_line *out, const tt_dash_model *m, const char *source,
                    unsigned cols);

/* The bottom line: the keys of the screen in front, or the filter prompt
 * while it is open. */
void tt_text_keybar(tt_line *out, const tt_dash_model *m, unsigned cols);

/* One event log line: time, target, change, cause, detail. */
void tt_text_log_line(tt_line *out, const tt_dash_model *m,
                      const tt_dash_change *c, unsigned cols);

/* The detail view's summary lines (name, address, state, settings,
 * counters, RTTs, classes, last error) for target i; returns how many of
 * max were written. */
size_t tt_text_detail(tt_line *out, size_t max, const tt_dash_model *m,
                      size_t i, unsigned cols);

/* A histogram row: RTTs in [lo, hi] and how many fell there. */
typedef struct tt_hist_row {
  uint32_t lo, hi;
  uint64_t count;
} tt_hist_row;

/* The stats histogram from its first to its last non-empty bucket in at
 * most max rows, neighbouring buckets merged when there are more. Returns
 * the number of rows (0 when nothing was answered). */
size_t tt_histogram(const tt_stats *st, tt_hist_row *rows, size_t max);

/* A histogram line: range, bar scaled to the largest count, count. */
void tt_text_hist_line(tt_line *out, const tt_hist_row *r, uint64_t max_count,
                       unsigned cols, bool utf8);

/* Line k of the detail view's recent events of target i, newest first:
 * its state changes, then its recent heartbeats. Returns false past the
 * last line. */
bool tt_text_recent_line(tt_line *out, const tt_dash_model *m, size_t i,
                         size_t k, unsigned cols);

/* Line k of the help screen: every key and what it does, then what the
 * colours and marks mean. Returns false past the last line. */
bool tt_text_help_line(tt_line *out, const tt_dash_model *m, size_t k,
                       unsigned cols);

/* "Terminal too small: WxH, tether needs 80x24". */
void tt_text_too_small(tt_line *out, unsigned cols, unsigned rows, bool utf8);

#endif
