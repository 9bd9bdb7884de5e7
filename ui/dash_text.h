/* dash_text.h - every line of the dashboard other than table rows, built
 * as text with roles from the model: header, key bar, filter prompt,
 * roll-up lines, event log, detail view, help, the too-small notice.
 * Pure: the screen only blits these lines. */
#ifndef TETHER_DASH_TEXT_H
#define TETHER_DASH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "dash_line.h"
#include "dash_model.h"

/* The smallest terminal the dashboard draws on (a compact table below
 * 80x24), and the size the help screen is laid out for. */
#define TT_DASH_MIN_COLS 40
#define TT_DASH_MIN_ROWS 10
#define TT_DASH_FULL_COLS 80
#define TT_DASH_FULL_ROWS 24

/* Text from a config or the network, escaped for the screen into buf. */
const char *tt_text_esc(const tt_dash_model *m, const char *s, char *buf,
                        size_t n);
/* " → ", or " -> " without UTF-8. */
const char *tt_text_arrow(bool utf8);

/* Header: the source, targets per state, the lines shown ("1–38 of
 * 10000"), grouping, x and the filter, BEHIND, PAUSED, the clock,
 * exactly cols columns wide; what does not fit gives way in that order
 * from the less needed (the source, states with no target, the filter's
 * text). */
void tt_text_header(tt_line *out, const tt_dash_model *m, const char *source,
                    unsigned cols);

/* The bottom line: a notice while there is one, the filter prompt while
 * it is open, or the keys of the screen in front as the key table gives
 * them. */
void tt_text_keybar(tt_line *out, const tt_dash_model *m, unsigned cols);

/* HISTORY's title in a column of width: its step (a cell's span), and
 * the shared scale and its range, as much as fits. */
void tt_text_hist_title(char *buf, size_t n, const tt_dash_model *m,
                        unsigned width);

/* A group's roll-up line: fold mark, tag, its rows per state. */
void tt_text_group_line(tt_line *out, const tt_dash_model *m, uint32_t group,
                        unsigned cols);

/* One event log line: time, target, change, cause, detail, and how long
 * the state it left had lasted. */
void tt_text_log_line(tt_line *out, const tt_dash_model *m,
                      const tt_dash_change *c, unsigned cols);

/* The log pane's title: what it shows, where it is scrolled, focus. */
void tt_text_log_title(tt_line *out, const tt_dash_model *m, unsigned cols);

/* The detail view (dash_detail.c): its summary lines (name, address, state, settings,
 * counters, RTTs, loss, classes, last error) for target i; returns how
 * many of max were written. */
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

/* Line k of the help screen: every key of the key table and what it
 * does (in two columns from 80 columns on), the filter language, the
 * columns that sort, what the colours and marks mean. Returns false past
 * the last line. */
bool tt_text_help_line(tt_line *out, const tt_dash_model *m, size_t k,
                       unsigned cols);

/* "Terminal too small: WxH, tether needs 40x10". */
void tt_text_too_small(tt_line *out, unsigned cols, unsigned rows, bool utf8);

#endif
