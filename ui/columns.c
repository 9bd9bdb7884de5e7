/* columns.c - every column of the dashboard's table: how its cells read,
 * how it sorts, and how the table shares out the screen's width. */
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "escape.h"
#include "format.h"
#include "sparkline.h"
#include "tls.h"

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
  const char *name = ctx->name != NULL ? ctx->name : "";
  tt_escape(buf, sizeof(buf), name, strlen(name), tt_cell_esc_flags(ctx->utf8));
  cell(out, TT_ROLE_NORMAL, buf, width, TT_FIT_LEFT, ctx);
}

static void fmt_address(const tt_view *v, const tt_cell_ctx *ctx,
                        unsigned width, tt_line *out) {
  char buf[512];
  const char *a = ctx->target != NULL ? ctx->target->address : "-";
  tt_escape(buf, sizeof(buf), a, strlen(a), tt_cell_esc_flags(ctx->utf8));
  /* Cut at the front: the port tells targets on one host apart. */
  cell(out, TT_ROLE_MUTED, buf, width, TT_FIT_TAIL, ctx);
}

size_t tt_tags_text(char *buf, size_t n, const tt_target *t, bool utf8) {
  char one[256];
  size_t used = 0;
  if (n == 0)
    return 0;
  buf[0] = '\0';
  for (size_t k = 0; t != NULL && k < t->ntags; k++) {
    size_t len = tt_escape(one, sizeof(one), t->tags[k], strlen(t->tags[k]),
                           tt_cell_esc_flags(utf8));
    if (used + len + 2 > n)
      break;
    if (k > 0)
      buf[used++] = ',';
    memcpy(buf + used, one, len + 1);
    used += len;
  }
  return used;
}

static void fmt_tags(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                     tt_line *out) {
  char buf[512];
  size_t used = tt_tags_text(buf, sizeof(buf), ctx->target, ctx->utf8);
  cell(out, TT_ROLE_MUTED, used > 0 ? buf : "-", width, TT_FIT_LEFT, ctx);
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

/* Heartbeats sent and lost in the recent window; false when none was. */
static bool recent_loss(const tt_cell_ctx *ctx, uint32_t *sent,
                        uint32_t *lost) {
  if (ctx->loss == NULL)
    return false;
  tt_loss_count(ctx->loss, ctx->now_us, sent, lost);
  return *sent > 0;
}

static void fmt_loss(const tt_view *v, const tt_cell_ctx *ctx, unsigned width,
                     tt_line *out) {
  char buf[32];
  uint32_t sent, lost;
  if (!recent_loss(ctx, &sent, &lost)) {
    cell(out, TT_ROLE_MUTED, "-", width, TT_FIT_RIGHT, ctx);
    return;
  }
  tt_fmt_pct(buf, sizeof(buf), 100.0 * lost / sent);
  cell(out, lost > 0 ? TT_ROLE_DEGRADED : TT_ROLE_MUTED, buf, width,
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

static uint64_t age_ms(const tt_view *v, const tt_cell_ctx *ctx) {
  return ctx->now_us > v->state_since_us
             ? (ctx->now_us - v->state_since_us) / 1000 : 0;
}

static void fmt_since(const tt_view *v, const tt_cell_ctx *ctx,
                      unsigned width, tt_line *out) {
  char buf[32];
  tt_fmt_age(buf, sizeof(buf), age_ms(v, ctx));
  cell(out, TT_ROLE_MUTED, buf, width, TT_FIT_RIGHT, ctx);
}

static void fmt_history(const tt_view *v, const tt_cell_ctx *ctx,
                        unsigned width, tt_line *out) {
  tt_hcell cells[TT_HIST_CELLS];
  size_t n = width < TT_HIST_CELLS ? width : TT_HIST_CELLS;
  if (ctx->hist != NULL)
    tt_hist_cells(ctx->hist, ctx->step_us, ctx->level, ctx->now_us, n, cells);
  else
    memset(cells, 0, sizeof(cells));
  tt_spark_line(out, cells, n, width, ctx->shared, ctx->lo, ctx->hi,
                ctx->utf8);
}

/* Days until the certificate the target showed last expires: in red once
 * expired or not trusted, as degraded within cert_warn. */
static void fmt_cert(const tt_view *v, const tt_cell_ctx *ctx,
                     unsigned width, tt_line *out) {
  char buf[32];
  if (v->cert == NULL || v->cert->not_after == 0) {
    cell(out, TT_ROLE_MUTED, "-", width, TT_FIT_RIGHT, ctx);
    return;
  }
  int64_t days = tt_tls_days_left(v->cert->not_after,
                                  (int64_t)(ctx->now_us / 1000000));
  int64_t warn = ctx->target != NULL
                     ? (int64_t)(ctx->target->cert_warn_ms / 86400000)
                     : 0;
  tt_role role = days < 0 || !v->cert->trusted ? TT_ROLE_DOWN
                 : days < warn                 ? TT_ROLE_DEGRADED
                                               : TT_ROLE_NORMAL;
  snprintf(buf, sizeof(buf), "%lldd", (long long)days);
  cell(out, role, buf, width, TT_FIT_RIGHT, ctx);
}

/* ---- sort keys and comparators ---- */

static void key_name(const tt_view *v, const tt_cell_ctx *ctx,
                     tt_sortkey *k) {
  *k = (tt_sortkey){.str = ctx->name != NULL ? ctx->name : ""};
}

static void key_address(const tt_view *v, const tt_cell_ctx *ctx,
                        tt_sortkey *k) {
  *k = (tt_sortkey){.str = ctx->target != NULL ? ctx->target->address : "",
                    .missing = ctx->target == NULL};
}

/* Worst first: down, connecting, degraded, up (the enum is best first). */
static void key_state(const tt_view *v, const tt_cell_ctx *ctx,
                      tt_sortkey *k) {
  *k = (tt_sortkey){.num = -(int64_t)v->state};
}

static void key_rtt(const tt_view *v, const tt_cell_ctx *ctx, tt_sortkey *k) {
  *k = (tt_sortkey){.num = v->stats.last_rtt_us, .missing = !has_rtt(v)};
}

static void key_avg(const tt_view *v, const tt_cell_ctx *ctx, tt_sortkey *k) {
  *k = (tt_sortkey){.missing = v->stats.received == 0};
  if (!k->missing)
    k->num = tt_stats_avg(&v->stats);
}

static void key_p99(const tt_view *v, const tt_cell_ctx *ctx, tt_sortkey *k) {
  *k = (tt_sortkey){.missing = v->stats.received == 0};
  if (!k->missing)
    k->num = tt_stats_percentile(&v->stats, 99);
}

static void key_loss(const tt_view *v, const tt_cell_ctx *ctx,
                     tt_sortkey *k) {
  uint32_t sent, lost;
  *k = (tt_sortkey){.missing = !recent_loss(ctx, &sent, &lost)};
  if (!k->missing)
    k->num = (int64_t)lost * 1000000 / sent;
}

static void key_err(const tt_view *v, const tt_cell_ctx *ctx, tt_sortkey *k) {
  bool none = v->seq == 0 || v->last_class == TT_CLASS_OK;
  *k = (tt_sortkey){.num = v->last_class, .missing = none};
}

/* The certificate closest to expiring first. */
static void key_cert(const tt_view *v, const tt_cell_ctx *ctx,
                     tt_sortkey *k) {
  *k = (tt_sortkey){.missing = v->cert == NULL || v->cert->not_after == 0};
  if (!k->missing)
    k->num = v->cert->not_after;
}

/* The shortest time in state first: the latest change first. */
static void key_since(const tt_view *v, const tt_cell_ctx *ctx,
                      tt_sortkey *k) {
  *k = (tt_sortkey){.num = -(int64_t)v->state_since_us};
}

static int cmp_num(const tt_sortkey *a, const tt_sortkey *b) {
  return (a->num > b->num) - (a->num < b->num);
}

static int cmp_str(const tt_sortkey *a, const tt_sortkey *b) {
  return strcmp(a->str, b->str);
}

/* Below the preferred width the table gives up room in rank order:
 * TAGS, ADDRESS and NAME shrink, ADDRESS goes, ERR and HISTORY shrink,
 * TAGS and HISTORY go (80 columns end here), then AVG and CERT, SINCE
 * and P99 go,
 * NAME and STATE shrink to 8 (40 columns end here), and only then LOSS
 * and RTT. */
const tt_column tt_columns[TT_COL_COUNT] = {
  [TT_COL_NAME] = {"NAME", 0, 12, 32, {{3, 12}, {13, 8}}, 1, false,
                   TT_FIT_LEFT, fmt_name, key_name, cmp_str, TT_KEY_FIXED},
  [TT_COL_ADDRESS] = {"ADDRESS", 0, 12, 40, {{2, 12}, {4, 0}}, 2, false,
                      TT_FIT_LEFT, fmt_address, key_address, cmp_str,
                      TT_KEY_FIXED},
  [TT_COL_TAGS] = {"TAGS", 0, 6, 24, {{1, 6}, {8, 0}}, 3, true, TT_FIT_LEFT,
                   fmt_tags, NULL, NULL, TT_KEY_FIXED},
  [TT_COL_STATE] = {"STATE", 10, 0, 0, {{14, 8}}, 0, false, TT_FIT_LEFT,
                    fmt_state, key_state, cmp_num, TT_KEY_ON_STATES},
  [TT_COL_RTT] = {"RTT", 6, 0, 0, {{16, 0}}, 0, false, TT_FIT_RIGHT, fmt_rtt,
                  key_rtt, cmp_num, TT_KEY_ON_RESULTS},
  [TT_COL_AVG] = {"AVG", 6, 0, 0, {{10, 0}}, 0, false, TT_FIT_RIGHT, fmt_avg,
                  key_avg, cmp_num, TT_KEY_ON_RESULTS},
  [TT_COL_P99] = {"P99", 6, 0, 0, {{12, 0}}, 0, false, TT_FIT_RIGHT, fmt_p99,
                  key_p99, cmp_num, TT_KEY_ON_RESULTS},
  [TT_COL_LOSS] = {"LOSS", 5, 0, 0, {{15, 0}}, 0, false, TT_FIT_RIGHT,
                   fmt_loss, key_loss, cmp_num, TT_KEY_ON_RESULTS},
  [TT_COL_ERR] = {"ERR", 15, 0, 0, {{5, 11}, {7, 8}}, 4, false, TT_FIT_LEFT,
                  fmt_err, key_err, cmp_num, TT_KEY_ON_RESULTS},
  [TT_COL_CERT] = {"CERT", 5, 0, 0, {{10, 0}}, 0, true, TT_FIT_RIGHT,
                   fmt_cert, key_cert, cmp_num, TT_KEY_ON_RESULTS},
  [TT_COL_SINCE] = {"SINCE", 6, 0, 0, {{11, 0}}, 0, false, TT_FIT_RIGHT,
                    fmt_since, key_since, cmp_num, TT_KEY_ON_STATES},
  [TT_COL_HISTORY] = {"HISTORY", 10, 0, TT_HIST_CELLS, {{6, 5}, {9, 0}}, 5,
                      false, TT_FIT_LEFT, fmt_history, NULL, NULL, TT_KEY_FIXED},
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

static bool content_sized(const tt_column *col) {
  return col->width == 0;
}

/* What a column starts at, and what it may grow back to. */
static unsigned start_width(int c, unsigned want) {
  const tt_column *col = &tt_columns[c];
  if (col->optional && want == 0)
    return 0;
  return content_sized(col) ? clampu(want, col->min, col->max) : col->width;
}

static unsigned grow_width(int c, unsigned want) {
  const tt_column *col = &tt_columns[c];
  if (content_sized(col))
    return clampu(want, col->min, col->max);
  return col->max > 0 ? col->max : col->width;
}

/* Takes up to the overflow from column c, down to floor (0: hides it,
 * which also frees its separator). */
static void give_up(tt_layout *lay, unsigned cols, int c, unsigned floor) {
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
static void grow(tt_layout *lay, unsigned cols, int c, unsigned want) {
  unsigned total = layout_total(lay);
  if (lay->width[c] == 0 || lay->width[c] >= want || total >= cols)
    return;
  unsigned room = cols - total, need = want - lay->width[c];
  lay->width[c] += room < need ? room : need;
}

void tt_layout_compute(tt_layout *lay, unsigned cols,
                       const unsigned want[TT_COL_COUNT]) {
  for (int c = 0; c < TT_COL_COUNT; c++)
    lay->width[c] = start_width(c, want[c]);

  /* The give-up steps of every column, taken in rank order. */
  for (unsigned rank = 1; rank < 256 && layout_total(lay) > cols; rank++)
    for (int c = 0; c < TT_COL_COUNT; c++)
      for (size_t s = 0; s < 2; s++)
        if (tt_columns[c].give_up[s].rank == rank)
          give_up(lay, cols, c, tt_columns[c].give_up[s].floor);
  /* Narrower than any table: cut the columns on the right. */
  for (int c = TT_COL_COUNT - 1; c > 0 && layout_total(lay) > cols; c--)
    lay->width[c] = 0;
  if (layout_total(lay) > cols)
    lay->width[TT_COL_NAME] = cols;

  /* Room left over goes back in grow order. */
  for (unsigned rank = 1; rank < 256; rank++)
    for (int c = 0; c < TT_COL_COUNT; c++)
      if (tt_columns[c].grow == rank)
        grow(lay, cols, c, grow_width(c, want[c]));
  lay->total = layout_total(lay);
}

/* ---- heading and rows ---- */

void tt_heading_format(tt_line *out, const tt_layout *lay, int sort_col,
                       bool reverse, bool utf8, const char *hist_title) {
  bool first = true;
  for (int c = 0; c < TT_COL_COUNT; c++) {
    if (lay->width[c] == 0)
      continue;
    if (!first)
      tt_line_add(out, TT_ROLE_HEADING, " ", 1);
    first = false;
    char title[96];
    const char *arrow = "";
    if (c == sort_col)
      arrow = utf8 ? (reverse ? "\xe2\x96\xbc" : "\xe2\x96\xb2")
                   : (reverse ? "v" : "^");
    snprintf(title, sizeof(title), "%s%s",
             c == TT_COL_HISTORY && hist_title != NULL ? hist_title
                                                       : tt_columns[c].title,
             arrow);
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
