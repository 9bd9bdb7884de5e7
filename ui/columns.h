/* columns.h - the dashboard's table described once: each column's title,
 * widths, the order in which it gives up room and takes it back, its
 * formatter and its comparator feed the heading, the layout, the cells,
 * the sort and the help alike (mtr's column table). */
#ifndef TETHER_COLUMNS_H
#define TETHER_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dash_hist.h"
#include "dash_line.h"
#include "engine.h"

typedef enum tt_col_id {
  TT_COL_NAME = 0,
  TT_COL_ADDRESS,
  TT_COL_TAGS,
  TT_COL_STATE,
  TT_COL_RTT,
  TT_COL_AVG,
  TT_COL_P99,
  TT_COL_LOSS,
  TT_COL_ERR,
  TT_COL_CERT,
  TT_COL_SINCE,
  TT_COL_HISTORY,
  TT_COL_COUNT
} tt_col_id;

/* What formatting a target's cells needs besides its view. */
typedef struct tt_cell_ctx {
  uint64_t now_us;          /* wall clock: SINCE counts to it, HISTORY and
                               LOSS end at it */
  bool utf8;                /* the terminal takes UTF-8: bars, "…" */
  const char *name;
  const tt_target *target;  /* its settings; NULL when no longer watched */
  const tt_hist *hist;      /* what is remembered; NULL: nothing */
  const tt_loss *loss;
  uint64_t step_us;         /* HISTORY: the model's step */
  unsigned level;           /* HISTORY: the zoom level */
  bool shared;              /* HISTORY: one log scale for every row, */
  uint16_t lo, hi;          /* from code lo to code hi (hi 0: no answer) */
} tt_cell_ctx;

/* A row's value in the sort column, taken once per sort so that comparing
 * stays cheap (a percentile is a histogram walk). */
typedef struct tt_sortkey {
  int64_t num;
  const char *str;
  bool missing; /* no value yet ("-"): sorts last either way */
} tt_sortkey;

struct tt_sortitem {
  tt_sortkey key;
  uint32_t idx;
};

/* How a column gives up room when the screen is narrow: at rank (1 gives
 * first, 0 never), down to floor columns (0: hidden). */
typedef struct tt_give_up {
  uint8_t rank;
  uint8_t floor;
} tt_give_up;

/* What moves a column's sort key: nothing (names), a state change (STATE,
 * SINCE), or any heartbeat (the numbers). */
typedef enum tt_key_moves {
  TT_KEY_FIXED = 0,
  TT_KEY_ON_STATES,
  TT_KEY_ON_RESULTS
} tt_key_moves;

typedef struct tt_column {
  const char *title;
  unsigned width;   /* what it starts at; 0: what its content wants */
  unsigned min, max; /* a content-sized column is kept between them */
  tt_give_up give_up[2];
  uint8_t grow;     /* rank in taking room back (1 first; 0 never) */
  bool optional;    /* shown only when asked for (TAGS), or when some
                       target needs it (CERT) */
  int align;        /* TT_FIT_LEFT or TT_FIT_RIGHT */
  /* Appends the cell, exactly width columns, to the line. */
  void (*format)(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                 tt_line *out);
  /* Sorting; key is NULL for a column that cannot sort. */
  void (*key)(const tt_view *v, const tt_cell_ctx *ctx, tt_sortkey *out);
  int (*compare)(const tt_sortkey *a, const tt_sortkey *b);
  tt_key_moves key_moves; /* when the rows must be sorted again */
} tt_column;

extern const tt_column tt_columns[TT_COL_COUNT];

/* Column widths for a screen width; 0 means hidden. */
typedef struct tt_layout {
  unsigned width[TT_COL_COUNT];
  unsigned total; /* columns used, separators included */
} tt_layout;

/* Fits the table to cols terminal columns. want[c] is what a
 * content-sized column's content wants (the widest name...); an optional
 * column is shown only when its want is not 0. Columns start at their
 * width (content-sized ones at want, kept within min and max); while the
 * table is too wide, the give-up steps of every column are taken in rank
 * order; room left over then goes to the columns in grow order, up to
 * want (HISTORY: max). */
void tt_layout_compute(tt_layout *lay, unsigned cols,
                       const unsigned want[TT_COL_COUNT]);

/* Escape flags for text shown on a terminal of this kind. */
int tt_cell_esc_flags(bool utf8);

/* A target's tags, escaped, joined by commas, into buf; returns how many
 * bytes (0: no tags). */
size_t tt_tags_text(char *buf, size_t n, const tt_target *t, bool utf8);

/* The table's heading: titles aligned like their cells, the sort column
 * marked with an arrow (^ v without UTF-8); hist_title, when not NULL,
 * stands for HISTORY's (to say its step and scale). */
void tt_heading_format(tt_line *out, const tt_layout *lay, int sort_col,
                       bool reverse, bool utf8, const char *hist_title);

/* One row: every shown column's cell, one space apart. */
void tt_row_format(tt_line *out, const tt_view *v, const tt_layout *lay,
                   const tt_cell_ctx *ctx);

/* The role a state is drawn in. */
tt_role tt_state_role(tt_state s);

#endif
