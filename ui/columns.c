/* columns.c - every column of the dashboard's table: how its cells read,
 * how it sorts, and how the table shares out the screen's width. */
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "escape.h"
#include "format.h"
#include "sparkline.h"

int tt_cell_esc_flags(bool utf8) {
  return utf8 ? 0 : TT_ESC_ASCII;
}

tt_role tt_state_role(tt_state s) {
  switch (s) {
  case TT_STATE_UP: return TT_ROLE_UP;
  case TT_STATE_DEGRADED: return TT_ROLE_DEGRADED;
  case TT_STATE_CONNECTING: return TT_ROLE_CONNECTING;
  case TT_STATE_DOWN: return TT_ROLE_DOWN;
  default: return TT_ROLE_NORMAL;
  }
}

static bool has_rtt(const tt_view *v) {
  return v->seq > 0 && v->last_class == TT_CLASS_OK && v->stats.received > 0;
}

static void cell(tt_line *out, tt_role role, const char *text, unsigned width,
                 int align, const tt_cell_ctx *ctx) {
  tt_line_fit(out, role, text, width, align, ctx->utf8);
}

/* ---- formatters ---- */

static void fmt_name(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                     tt_line *out) {
  char buf[TT_MAX_NAME * 4 + 8];
  const char *name = v->target->name;
  tt_escape(buf, sizeof(buf), name, strlen(name), tt_cell_esc_flags(ctx->utf8));
  cell(out, TT_ROLE_NORMAL, buf, width, TT_FIT_LEFT, ctx);
}

static void fmt_address(const tt_view *v, const tt_cell_ctx *ctx,
                        unsigned width, tt_line *out) {
  char buf[512];
  const char *a = v->target->address;
  tt_escape(buf, sizeof(buf), a, strlen(a), tt_cell_esc_flags(ctx->utf8));
  /* Cut at the front: the port tells targets on one host apart. */
  cell(out, TT_ROLE_MUTED, buf, width, TT_FIT_TAIL, ctx);
}

static void fmt_state(const tt_view *v, const tt_cell_ctx *ctx,
                      unsigned width, tt_line *out) {
  cell(out, tt_state_role(v->state), tt_state_name(v->state), width,
       TT_FIT_LEFT, ctx);
}

/* An RTT cell, or "-" when there is none. */
static void rtt_cell(tt_line *out, bool have, uint32_t us, tt_role role,
                     unsigned width, const tt_cell_ctx *ctx) {
  char buf[32];
  if (have)
    tt_fmt_rtt(buf, sizeof(buf), us);
  else
    snprintf(buf, sizeof(buf), "-");
  cell(out, have ? role : TT_ROLE_MUTED, buf, width, TT_FIT_RIGHT, ctx);
}

static void fmt_rtt(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                    tt_line *out) {
  /* A slow reply that made the target degraded is shown as the cause. */
  tt_role role = v->state == TT_STATE_DEGRADED ? TT_ROLE_DEGRADED
                                               : TT_ROLE_NORMAL;
  rtt_cell(out, has_rtt(v), v->stats.last_rtt_us, role, width, ctx);
}

static void fmt_avg(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                    tt_line *out) {
  rtt_cell(out, v->stats.received > 0, tt_stats_avg(&v->stats),
           TT_ROLE_MUTED, width, ctx);
}

static void fmt_p99(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                    tt_line *out) {
  rtt_cell(out, v->stats.received > 0, tt_stats_percentile(&v->stats, 99),
           TT_ROLE_MUTED, width, ctx);
}

static void fmt_loss(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                     tt_line *out) {
  char buf[32];
  if (v->stats.sent == 0) {
    cell(out, TT_ROLE_MUTED, "-", width, TT_FIT_RIGHT, ctx);
    return;
  }
  tt_fmt_pct(buf, sizeof(buf), tt_stats_loss_pct(&v->stats));
  cell(out, v->stats.lost > 0 ? TT_ROLE_DEGRADED : TT_ROLE_MUTED, buf, width,
       TT_FIT_RIGHT, ctx);
}

/* The class of the latest heartbeat while it is a failure: what is wrong
 * now. Past failures show in LOSS, HISTORY and the detail view. */
static void fmt_err(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                    tt_line *out) {
  if (v->seq == 0 || v->last_class == TT_CLASS_OK) {
    cell(out, TT_ROLE_MUTED, "-", width, TT_FIT_LEFT, ctx);
    return;
  }
  tt_role role = v->state == TT_STATE_UP ? TT_ROLE_MUTED
                 : v->state == TT_STATE_DEGRADED ? TT_ROLE_DEGRADED
                                                 : TT_ROLE_DOWN;
  cell(out, role, tt_class_name(v->last_class), width, TT_FIT_LEFT, ctx);
}

static void fmt_since(const tt_view *v, const tt_cell_ctx *ctx,
                      unsigned width, tt_line *out) {
  char buf[32];
  uint64_t age = ctx->now_ms > v->state_since_ms
                     ? ctx->now_ms - v->state_since_ms : 0;
  tt_fmt_age(buf, sizeof(buf), age);
  cell(out, TT_ROLE_MUTED, buf, width, TT_FIT_RIGHT, ctx);
}

static void fmt_history(const tt_view *v, const tt_cell_ctx *ctx,
                        unsigned width, tt_line *out) {
  tt_sample s[TT_RING_LEN];
  size_t n = tt_stats_recent(&v->stats, s, TT_RING_LEN);
  tt_spark_line(out, s, n, width, ctx->utf8);
}

/* ---- sort keys and comparators ---- */

static void key_name(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.str = v->target->name};
}

static void key_address(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.str = v->target->address};
}

/* Worst first: down, connecting, degraded, up (the enum is best first). */
static void key_state(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.num = -(int64_t)v->state};
}

static void key_rtt(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.num = v->stats.last_rtt_us, .missing = !has_rtt(v)};
}

static void key_avg(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.missing = v->stats.received == 0};
  if (!k->missing)
    k->num = tt_stats_avg(&v->stats);
}

static void key_p99(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.missing = v->stats.received == 0};
  if (!k->missing)
    k->num = tt_stats_percentile(&v->stats, 99);
}

static void key_loss(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.missing = v->stats.sent == 0};
  if (!k->missing)
    k->num = (int64_t)(tt_stats_loss_pct(&v->stats) * 1000);
}

static void key_err(const tt_view *v, tt_sortkey *k) {
  bool none = v->seq == 0 || v->last_class == TT_CLASS_OK;
  *k = (tt_sortkey){.num = v->last_class, .missing = none};
}

/* The shortest time in state first: the latest change first. */
static void key_since(const tt_view *v, tt_sortkey *k) {
  *k = (tt_sortkey){.num = -(int64_t)v->state_since_ms};
}

static int cmp_num(const tt_sortkey *a, const tt_sortkey *b) {
  return (a->num > b->num) - (a->num < b->num);
}

static int cmp_str(const tt_sortkey *a, const tt_sortkey *b) {
  return strcmp(a->str, b->str);
}

const tt_column tt_columns[TT_COL_COUNT] = {
  [TT_COL_NAME] = {"NAME", 0, TT_FIT_LEFT, fmt_name, key_name, cmp_str, false},
  [TT_COL_ADDRESS] = {"ADDRESS", 0, TT_FIT_LEFT, fmt_address, key_address,
                      cmp_str, false},
  [TT_COL_STATE] = {"STATE", 10, TT_FIT_LEFT, fmt_state, key_state, cmp_num,
                    true},
  [TT_COL_RTT] = {"RTT", 6, TT_FIT_RIGHT, fmt_rtt, key_rtt, cmp_num, true},
  [TT_COL_AVG] = {"AVG", 6, TT_FIT_RIGHT, fmt_avg, key_avg, cmp_num, true},
  [TT_COL_P99] = {"P99", 6, TT_FIT_RIGHT, fmt_p99, key_p99, cmp_num, true},
  [TT_COL_LOSS] = {"LOSS", 5, TT_FIT_RIGHT, fmt_loss, key_loss, cmp_num, true},
  [TT_COL_ERR] = {"ERR", 15, TT_FIT_LEFT, fmt_err, key_err, cmp_num, true},
  [TT_COL_SINCE] = {"SINCE", 6, TT_FIT_RIGHT, fmt_since, key_since, cmp_num,
                    true},
  [TT_COL_HISTORY] = {"HISTORY", 0, TT_FIT_LEFT, fmt_history, NULL, NULL,
                      true},
};

/* ---- layout ---- */

static unsigned layout_total(const tt_layout *lay) {
  unsigned total = 0, shown = 0;
  for (int c = 0; c < TT_COL_COUNT; c++) {
    if (lay->width[c] > 0) {
      total += lay->width[c];
      shown++;
    }
  }
  return shown > 0 ? total + shown - 1 : 0;
}

static unsigned clampu(unsigned v, unsigned lo, unsigned hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* Takes up to the overflow from column c, down to floor (0: hides it,
 * which also frees its separator). */
static void give_up(tt_layout *lay, unsigned cols, tt_col_id c,
                    unsigned floor) {
  unsigned total = layout_total(lay);
  if (total <= cols || lay->width[c] <= floor)
    return;
  unsigned over = total - cols;
  if (floor == 0) {
    lay->width[c] = 0;
    return;
  }
  unsigned room = lay->width[c] - floor;
  lay->width[c] -= over < room ? over : room;
}

/* Widens a shown column c towards want with whatever room is left. */
static void grow(tt_layout *lay, unsigned cols, tt_col_id c, unsigned want) {
  unsigned total = layout_total(lay);
  if (lay->width[c] == 0 || lay->width[c] >= want || total >= cols)
    return;
  unsigned room = cols - total, need = want - lay->width[c];
  lay->width[c] += room < need ? room : need;
}

void tt_layout_compute(tt_layout *lay, unsigned cols, unsigned name_want,
                       unsigned address_want) {
  for (int c = 0; c < TT_COL_COUNT; c++)
    lay->width[c] = tt_columns[c].width;
  lay->width[TT_COL_NAME] = clampu(name_want, TT_NAME_MIN, TT_NAME_MAX);
  lay->width[TT_COL_ADDRESS] = clampu(address_want, TT_ADDRESS_MIN,
                                      TT_ADDRESS_MAX);
  lay->width[TT_COL_HISTORY] = TT_HISTORY_MIN;

  give_up(lay, cols, TT_COL_ADDRESS, TT_ADDRESS_MIN);
  give_up(lay, cols, TT_COL_NAME, TT_NAME_MIN);
  give_up(lay, cols, TT_COL_ADDRESS, 0);
  give_up(lay, cols, TT_COL_ERR, 11);
  give_up(lay, cols, TT_COL_HISTORY, 5);
  give_up(lay, cols, TT_COL_ERR, 8);
  give_up(lay, cols, TT_COL_HISTORY, 0);
  /* Narrower than any table: cut the columns on the right. */
  for (int c = TT_COL_COUNT - 1; c > 0 && layout_total(lay) > cols; c--)
    lay->width[c] = 0;
  if (layout_total(lay) > cols)
    lay->width[TT_COL_NAME] = cols;

  /* Room left over goes back to what gave it up, most useful first. */
  grow(lay, cols, TT_COL_NAME, clampu(name_want, TT_NAME_MIN, TT_NAME_MAX));
  grow(lay, cols, TT_COL_ADDRESS,
       clampu(address_want, TT_ADDRESS_MIN, TT_ADDRESS_MAX));
  grow(lay, cols, TT_COL_ERR, tt_columns[TT_COL_ERR].width);
  grow(lay, cols, TT_COL_HISTORY, TT_RING_LEN);
  lay->total = layout_total(lay);
}

/* ---- heading and rows ---- */

void tt_heading_format(tt_line *out, const tt_layout *lay, int sort_col,
                       bool reverse, bool utf8) {
  bool first = true;
  for (int c = 0; c < TT_COL_COUNT; c++) {
    if (lay->width[c] == 0)
      continue;
    if (!first)
      tt_line_add(out, TT_ROLE_HEADING, " ", 1);
    first = false;
    char title[32];
    const char *arrow = "";
    if (c == sort_col)
      arrow = utf8 ? (reverse ? "\xe2\x96\xbc" : "\xe2\x96\xb2")
                   : (reverse ? "v" : "^");
    snprintf(title, sizeof(title), "%s%s", tt_columns[c].title, arrow);
    tt_line_fit(out, c == sort_col ? TT_ROLE_HEADING_SORT : TT_ROLE_HEADING,
                title, lay->width[c], tt_columns[c].align, utf8);
  }
}

void tt_row_format(tt_line *out, const tt_view *v, const tt_layout *lay,
                   const tt_cell_ctx *ctx) {
  bool first = true;
  for (int c = 0; c < TT_COL_COUNT; c++) {
    if (lay->width[c] == 0)
      continue;
    if (!first)
      tt_line_spaces(out, 1);
    first = false;
    tt_columns[c].format(v, ctx, lay->width[c], out);
  }
}
