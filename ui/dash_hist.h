/* dash_hist.h - what the dashboard remembers of each target over time,
 * kept from events alone so that a live run and a replayed log draw the
 * same: HISTORY cells on a time grid shared by every row, and the recent
 * window that LOSS is counted over. */
#ifndef TETHER_DASH_HIST_H
#define TETHER_DASH_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tether.h"

/* HISTORY cells sit on an absolute time grid: cell k of a level covers
 * [k * span, (k + 1) * span) microseconds since the epoch, where span is
 * the model's step times TT_HIST_ZOOM to the level. So the same column
 * is the same moment on every row, and zooming out is reading the next
 * level, which was kept all along. */
#define TT_HIST_LEVELS 4
#define TT_HIST_ZOOM 4
#define TT_HIST_CELLS 192 /* per level: the widest HISTORY drawn */

/* One cell: the slowest answer in it (a log-scaled code, see
 * tt_hist_code) and what else happened there. */
typedef uint16_t tt_hcell;
#define TT_HCELL_RTT 0x0fffu  /* the code; 0 when nothing was answered */
#define TT_HCELL_OK 0x1000u   /* a heartbeat was answered */
#define TT_HCELL_FAIL 0x2000u /* a heartbeat failed */
#define TT_HCELL_LATE 0x4000u /* the reply to a failed one came late */

typedef struct tt_hist {
  uint64_t last[TT_HIST_LEVELS]; /* the newest cell written, plus one;
                                    0 before any */
  tt_hcell c[TT_HIST_LEVELS][TT_HIST_CELLS];
} tt_hist;

/* The same grid for all targets together: the fastest and slowest
 * answer of every cell, for the shared scale. */
typedef struct tt_hist_scale {
  uint64_t cell[TT_HIST_LEVELS][TT_HIST_CELLS]; /* plus one; 0: empty */
  uint16_t lo[TT_HIST_LEVELS][TT_HIST_CELLS];
  uint16_t hi[TT_HIST_LEVELS][TT_HIST_CELLS];
} tt_hist_scale;

/* RTT codes: 128 per octave, so that a code is 0.5 % wide; 0 is kept for
 * "no answer". A code difference is a ratio: the shared scale is a log
 * scale by drawing codes linearly. */
#define TT_HIST_CODE_OCTAVE 128
uint16_t tt_hist_code(uint32_t rtt_us);
uint32_t tt_hist_decode(uint16_t code);

void tt_hist_init(tt_hist *h);
void tt_hist_scale_init(tt_hist_scale *s);

/* The span of a cell of level (0 .. TT_HIST_LEVELS-1) for a step. */
uint64_t tt_hist_span_us(uint64_t step_us, unsigned level);

/* A heartbeat of class cls at ts_us (rtt_us when ok) goes into its cell
 * on every level; scale, when not NULL, learns its RTT. Results older
 * than a level keeps are dropped from that level. */
void tt_hist_beat(tt_hist *h, tt_hist_scale *scale, uint64_t step_us,
                  uint64_t ts_us, tt_class cls, uint32_t rtt_us);

/* A late reply: the heartbeat it answers was sent at sent_us. */
void tt_hist_late(tt_hist *h, uint64_t step_us, uint64_t sent_us);

/* The width cells of level that end with the one holding now_us, oldest
 * first; cells with nothing kept are 0. */
void tt_hist_cells(const tt_hist *h, uint64_t step_us, unsigned level,
                   uint64_t now_us, size_t width, tt_hcell *out);

/* The fastest and slowest answer codes of every target together over
 * the same cells; false when nothing was answered there. */
bool tt_hist_scale_range(const tt_hist_scale *s, uint64_t step_us,
                         unsigned level, uint64_t now_us, size_t width,
                         uint16_t *lo, uint16_t *hi);

/* LOSS over the recent window: heartbeats sent and lost per second of
 * the wall clock, for the last TT_LOSS_WINDOW_S seconds. */
#define TT_LOSS_WINDOW_S 60
typedef struct tt_loss {
  uint64_t last; /* the newest second written, plus one; 0 before any */
  struct {
    uint16_t sent, lost;
  } s[TT_LOSS_WINDOW_S];
} tt_loss;

void tt_loss_init(tt_loss *l);
void tt_loss_beat(tt_loss *l, uint64_t ts_us, bool lost);

/* Heartbeats sent and lost in the window that ends at now_us. */
void tt_loss_count(const tt_loss *l, uint64_t now_us, uint32_t *sent,
                   uint32_t *lost);

#endif
