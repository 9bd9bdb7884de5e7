/* columns.h - the dashboard's table described once: each column's title,
 * width, alignment, formatter and comparator feed the heading, the cells
 * and the sort alike (mtr's column table). */
#ifndef TETHER_COLUMNS_H
#define TETHER_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dash_line.h"
#include "engine.h"

typedef enum tt_col_id {
  TT_COL_NAME = 0,
  TT_COL_ADDRESS,
  TT_COL_STATE,
  TT_COL_RTT,
  TT_COL_AVG,
  TT_COL_P99,
  TT_COL_LOSS,
  TT_COL_ERR,
  TT_COL_SINCE,
  TT_COL_HISTORY,
  TT_COL_COUNT
} tt_col_id;

/* What formatting a cell needs besides the target. */
typedef struct tt_cell_ctx {
  uint64_t now_ms; /* loop time the SINCE column counts to */
  bool utf8;       /* the terminal takes UTF-8: bars, "…" */
} tt_cell_ctx;

/* A row's value in the sort column, taken once per sort so that comparing
 * stays cheap (a percentile is a histogram walk). */
typedef struct tt_sortkey {
  int64_t num;
  const char *str;
  bool missing; /* no value yet ("-"): sorts last either way */
} tt_sortkey;

typedef struct tt_column {
  const char *title;
  unsigned width;   /* fixed columns; NAME, ADDRESS, HISTORY: see layout */
  int align;        /* TT_FIT_LEFT or TT_FIT_RIGHT */
  /* Appends the cell, exactly width columns, to the line. */
  void (*format)(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                 tt_line *out);
  /* Sorting; key is NULL for a column that cannot sort (HISTORY). */
  void (*key)(const tt_view *v, tt_sortkey *out);
  int (*compare)(const tt_sortkey *a, const tt_sortkey *b);
  bool key_changes; /* false: the key never changes (names), no re-sort */
} tt_column;

extern const tt_column tt_columns[TT_COL_COUNT];

/* Widths below which NAME and ADDRESS do not go while shown. */
#define TT_NAME_MIN 12
#define TT_NAME_MAX 32
#define TT_ADDRESS_MIN 12
#define TT_ADDRESS_MAX 40
#define TT_HISTORY_MIN 10

/* Column widths for a screen width; 0 means hidden. */
typedef struct tt_layout {
  unsigned width[TT_COL_COUNT];
  unsigned total; /* columns used, separators included */
} tt_layout;

/* Fits the table to cols terminal columns. name_want and address_want are
 * the widest name and address (escaped). Below the preferred width the
 * table gives up room in this order: ADDRESS to TT_ADDRESS_MIN, NAME to
 * TT_NAME_MIN, ADDRESS altogether, ERR to 11, HISTORY to 5, ERR to 8,
 * HISTORY altogether (HISTORY starts at TT_HISTORY_MIN). Room left over
 * then goes back to NAME, ADDRESS and ERR up to what they want, and the
 * rest to HISTORY up to TT_RING_LEN. */
void tt_layout_compute(tt_layout *lay, unsigned cols, unsigned name_want,
                       unsigned address_want);

/* Escape flags for text shown on a terminal of this kind. */
int tt_cell_esc_flags(bool utf8);

/* The table's heading: titles aligned like their cells, the sort column
 * marked with an arrow (^ v without UTF-8). */
void tt_heading_format(tt_line *out, const tt_layout *lay, int sort_col,
                       bool reverse, bool utf8);

/* One row: every shown column's cell, one space apart. */
void tt_row_format(tt_line *out, const tt_view *v, const tt_layout *lay,
                   const tt_cell_ctx *ctx);

/* The role a state is drawn in. */
tt_role tt_state_role(tt_state s);

#endif
