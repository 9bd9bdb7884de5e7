/* plain.c - human-readable lines, one per heartbeat result and per state
 * change, and the summary table written at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "format.h"
#include "output.h"
#include "summary.h"
#include "tls.h"

#define NAME_WIDTH_MAX 24

static int text_width(const char *s) {
  /* Columns of UTF-8 text: every byte that does not continue a sequence. */
  int w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    w += (*p & 0xc0) != 0x80;
  return w;
}

static void put_padded(tt_sink *k, const char *s, int width) {
  tt_sink_puts(k, s);
  for (int w = text_width(s); w < width; w++)
    tt_sink_write(k, " ", 1);
}

void tt_plain_init(tt_plain *p, tt_sink *out, const tt_config *cfg) {
  p->out = out;
  p->name_width = 4;
  for (size_t i = 0; i < cfg->ntargets; i++) {
    char esc[4 * TT_MAX_NAME + 1];
    const char *name = cfg->targets[i].name;
    tt_escape(esc, sizeof esc, name, strlen(name), 0);
    int w = text_width(esc);
    if (w > p->name_width)
      p->name_width = w > NAME_WIDTH_MAX ? NAME_WIDTH_MAX : w;
  }
}

/* "10:04:05.123", local time: these lines are read by people. */
static void put_time(tt_sink *k, uint64_t wall_us) {
  time_t t = (time_t)(wall_us / 1000000);
  struct tm tm;
  localtime_r(&t, &tm);
  tt_sink_printf(k, "%02d:%02d:%02d.%03u  ", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(wall_us % 1000000 / 1000));
}

void tt_plain_event(tt_plain *p, const tt_event *ev) {
  tt_sink *k = p->out;
  char name[4 * TT_MAX_NAME + 1];
  char rtt[16];
  const char *raw = ev->view->target->name;
  tt_escape(name, sizeof name, raw, strlen(raw), 0);

  put_time(k, ev->ts_us);
  put_padded(k, name, p->name_width);
  switch (ev->kind) {
  case TT_EVENT_HEARTBEAT:
    tt_sink_printf(k, "  #%-5llu ", (unsigned long long)ev->seq);
    if (ev->cls == TT_CLASS_OK && ev->has_reply) {
      char reply[16];
      tt_fmt_rtt(rtt, sizeof rtt, ev->rtt_us);
      tt_fmt_rtt(reply, sizeof reply, ev->reply_us);
      tt_sink_printf(k, "ok  %s  reply %s\n", rtt, reply);
    } else if (ev->cls == TT_CLASS_OK) {
      tt_fmt_rtt(rtt, sizeof rtt, ev->rtt_us);
      tt_sink_printf(k, "ok  %s\n", rtt);
    } else {
      /* The engine's details are already escaped. */
      tt_sink_printf(k, "%s  %s\n", tt_class_name(ev->cls), ev->error);
    }
    break;
  case TT_EVENT_LATE:
    tt_fmt_rtt(rtt, sizeof rtt, ev->rtt_us);
    tt_sink_printf(k, "  #%-5llu late  the reply came after %s\n",
                   (unsigned long long)ev->seq, rtt);
    break;
  case TT_EVENT_STATE:
    tt_sink_printf(k, "  state   %s -> %s", tt_state_name(ev->from),
                   tt_state_name(ev->to));
    if (ev->error[0] != '\0')
      tt_sink_printf(k, "  (%s: %s)", tt_class_name(ev->cls), ev->error);
    tt_sink_write(k, "\n", 1);
    break;
  case TT_EVENT_RECONNECT:
    tt_sink_printf(k, "  reconnect  %s: %s\n", tt_class_name(ev->cls),
                   ev->error);
    break;
  case TT_EVENT_ADDED:
    tt_sink_puts(k, "  added\n");
    break;
  case TT_EVENT_TLS: {
    const tt_tls_info *c = ev->view->cert;
    char subj[128], issuer[128], day[16];
    time_t when = (time_t)c->not_after;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    tt_escape(subj, sizeof subj, c->subject, strlen(c->subject), 0);
    tt_escape(issuer, sizeof issuer, c->issuer, strlen(c->issuer), 0);
    tt_sink_printf(k, "  tls  %s %s  %s  issuer %s  expires %s (%lld days)%s\n",
                   c->version, c->cipher, subj, issuer, day,
                   (long long)tt_tls_days_left(c->not_after,
                                               (int64_t)(ev->ts_us / 1000000)),
                   c->trusted ? "" : "  NOT TRUSTED");
    break;
  }
  case TT_EVENT_REMOVED: {
    const tt_stats *st = &ev->view->stats;
    char pct[16];
    tt_fmt_pct(pct, sizeof pct, tt_stats_loss_pct(st));
    tt_sink_printf(k, "  removed  %s after %llu heartbeats, %s lost\n",
                   tt_state_name(ev->view->state),
                   (unsigned long long)st->sent, pct);
    break;
  }
  }
  tt_sink_end_record(k, ev->view->index);
}

void tt_plain_notice(tt_sink *k, uint64_t count, void *arg) {
  put_time(k, tt_wall_us());
  tt_sink_printf(k, "dropped %llu event%s: the output could not keep up\n",
                 (unsigned long long)count, count == 1 ? "" : "s");
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

/* ", a, b" of at most a few names, the rest counted. */
static void put_names(tt_sink *k, const char *what, char **names, size_t n) {
  char esc[4 * TT_MAX_NAME + 1];
  if (n == 0)
    return;
  tt_sink_printf(k, "  %zu %s:", n, what);
  for (size_t i = 0; i < n && i < 5; i++) {
    tt_escape(esc, sizeof esc, names[i], strlen(names[i]), 0);
    tt_sink_printf(k, "%s %s", i ? "," : "", esc);
  }
  if (n > 5)
    tt_sink_printf(k, " and %zu more", n - 5);
}

void tt_plain_reload(tt_sink *k, const char *error,
                     const tt_reload_report *rep) {
  put_time(k, tt_wall_us());
  if (error != NULL) {
    tt_sink_printf(k, "reload failed, nothing changed: %s\n", error);
  } else {
    tt_sink_puts(k, "reloaded");
    put_names(k, "added", rep->added, rep->nadded);
    put_names(k, "removed", rep->removed, rep->nremoved);
    put_names(k, "changed", rep->changed, rep->nchanged);
    if (rep->nadded + rep->nremoved + rep->nchanged == 0)
      tt_sink_puts(k, ": nothing changed");
    tt_sink_puts(k, "\n");
  }
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

void tt_plain_hook(tt_plain *p, const tt_hook_report *h) {
  tt_sink *k = p->out;
  char name[4 * TT_MAX_NAME + 1];
  put_time(k, tt_wall_us());
  if (h->target[0] != '\0') {
    tt_escape(name, sizeof name, h->target, strlen(h->target), 0);
    put_padded(k, name, p->name_width);
    tt_sink_printf(k, "  hook    %s -> %s: %s: %s\n", tt_state_name(h->from),
                   tt_state_name(h->to), tt_hook_outcome_name(h->outcome),
                   h->text);
  } else {
    tt_sink_printf(k, "hook %s: %s\n", tt_hook_outcome_name(h->outcome),
                   h->text);
  }
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

static void format_value(char *buf, size_t n, tt_value v) {
  switch (v.kind) {
  case TT_V_NONE: snprintf(buf, n, "-"); break;
  case TT_V_STR: snprintf(buf, n, "%s", v.s); break;
  case TT_V_COUNT: snprintf(buf, n, "%llu", (unsigned long long)v.u); break;
  case TT_V_PCT: tt_fmt_pct(buf, n, v.d); break;
  case TT_V_RTT: tt_fmt_rtt(buf, n, (uint32_t)v.u); break;
  }
}

/* Where the summary's rows come from: an engine, or a replay at its
 * cursor. */
typedef struct views {
  tt_view_get get;
  void *src;
  size_t n;
} views;

/* The table with every statistic, every target in config order
 * (--summary wide): as wide as it needs to be. */
static void summary_wide(tt_sink *k, const views *vs) {
  size_t nf;
  const tt_summary_field *f = tt_summary_fields(&nf);
  char esc[4 * TT_MAX_NAME + 1];
  char cell[64];
  int name_w = 4, addr_w = 7;

  for (size_t i = 0; i < vs->n; i++) {
    const tt_view *v = vs->get(vs->src, i);
    if (v == NULL)
      continue;
    tt_escape(esc, sizeof esc, v->target->name, strlen(v->target->name), 0);
    if (text_width(esc) > name_w)
      name_w = text_width(esc);
    tt_escape(esc, sizeof esc, v->target->address,
              strlen(v->target->address), 0);
    if (text_width(esc) > addr_w)
      addr_w = text_width(esc);
  }

  put_padded(k, "NAME", name_w + 2);
  put_padded(k, "ADDRESS", addr_w + 2);
  for (size_t j = 0; j < nf; j++)
    tt_sink_printf(k, j == 0 ? "%-*s" : "%*s", f[j].width, f[j].title);
  tt_sink_puts(k, "  CLASSES\n");
  tt_sink_end_record(k, TT_SINK_NO_TAG);

  for (size_t i = 0; i < vs->n; i++) {
    const tt_view *v = vs->get(vs->src, i);
    if (v == NULL)
      continue;
    tt_escape(esc, sizeof esc, v->target->name, strlen(v->target->name), 0);
    put_padded(k, esc, name_w + 2);
    tt_escape(esc, sizeof esc, v->target->address,
              strlen(v->target->address), 0);
    put_padded(k, esc, addr_w + 2);
    tt_summary_row row = { v, tt_sink_dropped_tag(k, v->index) };
    for (size_t j = 0; j < nf; j++) {
      format_value(cell, sizeof cell, f[j].get(&row));
      tt_sink_printf(k, j == 0 ? "%-*s" : "%*s", f[j].width, cell);
    }
    /* Failures by class, so that "why" survives into the summary. */
    tt_sink_puts(k, " ");
    bool any = false;
    for (int c = 0; c < TT_CLASS_COUNT; c++) {
      if (c == TT_CLASS_OK || v->stats.classes[c] == 0)
        continue;
      tt_sink_printf(k, " %s=%llu", tt_class_name(c),
                     (unsigned long long)v->stats.classes[c]);
      any = true;
    }
    tt_sink_puts(k, any ? "\n" : " -\n");
    tt_sink_end_record(k, v->index);
  }
}

/* ---- the summary at exit, in 80 columns -------------------------------- */

/* Worst first: down, never answered, degraded, up. */
static int state_rank(tt_state s) {
  switch (s) {
  case TT_STATE_DOWN: return 0;
  case TT_STATE_CONNECTING: return 1;
  case TT_STATE_DEGRADED: return 2;
  default: return 3;
  }
}

static int cmp_worst(const void *a, const void *b) {
  const tt_view *x = *(const tt_view *const *)a;
  const tt_view *y = *(const tt_view *const *)b;
  int rx = state_rank(x->state), ry = state_rank(y->state);
  if (rx != ry)
    return rx - ry;
  double lx = tt_stats_loss_pct(&x->stats), ly = tt_stats_loss_pct(&y->stats);
  if (lx != ly)
    return lx > ly ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* s cut to width columns, "~" marking a cut, then padded (unless it is
 * the line's last cell). */
static void put_cut(tt_sink *k, const char *s, int width, bool pad) {
  if (text_width(s) <= width) {
    if (pad)
      put_padded(k, s, width);
    else
      tt_sink_puts(k, s);
    return;
  }
  int w = 0;
  const char *p = s;
  while (*p != '\0') {
    /* The next code point: a lead byte and what continues it. */
    const char *q = p + 1;
    while ((*q & 0xc0) == 0x80)
      q++;
    if (w + 1 > width - 1)
      break;
    tt_sink_write(k, p, (size_t)(q - p));
    w++;
    p = q;
  }
  tt_sink_write(k, "~", 1);
}

#define NAME_COLS 20 /* at most, in the 80-column table */

/* "refused=5 timeout=1": why heartbeats failed, most frequent first. */
static void failures(const tt_view *v, char *buf, size_t n) {
  bool used[TT_CLASS_COUNT] = { false };
  size_t len = 0;
  buf[0] = '\0';
  for (;;) {
    int best = -1;
    for (int c = 0; c < TT_CLASS_COUNT; c++)
      if (c != TT_CLASS_OK && !used[c] && v->stats.classes[c] > 0 &&
          (best < 0 || v->stats.classes[c] > v->stats.classes[best]))
        best = c;
    if (best < 0 || len + 2 >= n)
      break;
    used[best] = true;
    int w = snprintf(buf + len, n - len, "%s%s=%llu", len ? " " : "",
                     tt_class_name(best),
                     (unsigned long long)v->stats.classes[best]);
    if (w < 0 || (size_t)w >= n - len)
      break;
    len += (size_t)w;
  }
  if (len == 0)
    snprintf(buf, n, "-");
}

/* "refused: connection refused": the latest failure, as a replay shows
 * it at its moment (the detail is already escaped). */
static void last_failure(const tt_view *v, char *buf, size_t n) {
  if (v->stats.lost == 0)
    snprintf(buf, n, "-");
  else
    snprintf(buf, n, "%s: %s", tt_class_name(v->last_failure),
             v->last_error);
}

static void cell_state(const tt_view *v, char *buf, size_t n) {
  snprintf(buf, n, "%s", tt_state_name(v->state));
}
static void cell_sent(const tt_view *v, char *buf, size_t n) {
  snprintf(buf, n, "%llu", (unsigned long long)v->stats.sent);
}
static void cell_since(const tt_view *v, char *buf, size_t n) {
  tt_fmt_clock(buf, n, v->state_since_us);
}
static void cell_loss(const tt_view *v, char *buf, size_t n) {
  tt_fmt_pct(buf, n, tt_stats_loss_pct(&v->stats));
}
static void rtt_cell(const tt_view *v, uint32_t us, char *buf, size_t n) {
  if (v->stats.received > 0)
    tt_fmt_rtt(buf, n, us);
  else
    snprintf(buf, n, "-");
}
static void cell_avg(const tt_view *v, char *buf, size_t n) {
  rtt_cell(v, tt_stats_avg(&v->stats), buf, n);
}
static void cell_p99(const tt_view *v, char *buf, size_t n) {
  rtt_cell(v, tt_stats_percentile(&v->stats, 99), buf, n);
}

/* The 80-column table's columns after NAME (width < 0: left-aligned);
 * the last one takes what is left of the line. The run's summary says
 * how it went; a replay's, where each target was at its moment. */
typedef struct column {
  const char *title;
  int width;
  void (*cell)(const tt_view *v, char *buf, size_t n);
} column;

#define NCOLS 6
static const column exit_cols[NCOLS] = {
  { "STATE", -10, cell_state }, { "SENT", 7, cell_sent },
  { "LOSS", 6, cell_loss },     { "AVG", 8, cell_avg },
  { "P99", 8, cell_p99 },       { "FAILURES", 0, failures },
};
static const column replay_cols[NCOLS] = {
  { "STATE", -10, cell_state }, { "SINCE", -8, cell_since },
  { "LOSS", 6, cell_loss },     { "AVG", 8, cell_avg },
  { "P99", 8, cell_p99 },       { "LAST FAILURE", 0, last_failure },
};

/* One line of the table: a row's cells, or (v NULL) the titles. */
static void table_line(tt_sink *k, const column *cols, const tt_view *v,
                       int name_w) {
  char esc[4 * TT_MAX_NAME + 1], cell[TT_ERROR_MAX + 32];
  int used = name_w;
  if (v != NULL) {
    tt_escape(esc, sizeof esc, v->target->name, strlen(v->target->name), 0);
    put_cut(k, esc, name_w, true);
  } else {
    put_padded(k, "NAME", name_w);
  }
  for (size_t i = 0; i < NCOLS; i++) {
    const char *sep = i == 0 || i == NCOLS - 1 ? "  " : " ";
    const char *text = cols[i].title;
    if (v != NULL) {
      cols[i].cell(v, cell, sizeof cell);
      text = cell;
    }
    tt_sink_puts(k, sep);
    used += (int)strlen(sep);
    if (i == NCOLS - 1) {
      /* Whatever is left of the 80 columns. */
      put_cut(k, text, TT_SUMMARY_COLUMNS - used, false);
      break;
    }
    tt_sink_printf(k, "%*s", cols[i].width, text);
    used += cols[i].width < 0 ? -cols[i].width : cols[i].width;
  }
  tt_sink_puts(k, "\n");
  tt_sink_end_record(k, v != NULL ? v->index : TT_SINK_NO_TAG);
}

/* "10000 targets: 3 down, 9997 up; 59994 heartbeats, 0.01% lost" */
static void summary_totals(tt_sink *k, const tt_view *const *v, size_t n,
                           size_t listed) {
  size_t by[TT_STATE_COUNT] = { 0 };
  uint64_t sent = 0, lost = 0;
  char line[256], pct[16];
  for (size_t i = 0; i < n; i++) {
    by[v[i]->state]++;
    sent += v[i]->stats.sent;
    lost += v[i]->stats.lost;
  }
  int len = snprintf(line, sizeof line, "%zu targets:", n);
  static const tt_state order[] = { TT_STATE_DOWN, TT_STATE_CONNECTING,
                                    TT_STATE_DEGRADED, TT_STATE_UP };
  bool first = true;
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    if (by[order[i]] == 0)
      continue;
    len += snprintf(line + len, sizeof line - (size_t)len, "%s %zu %s",
                    first ? "" : ",", by[order[i]], tt_state_name(order[i]));
    first = false;
  }
  tt_fmt_pct(pct, sizeof pct, sent ? 100.0 * (double)lost / (double)sent : 0);
  len += snprintf(line + len, sizeof line - (size_t)len,
                  "; %llu heartbeats, %s lost", (unsigned long long)sent, pct);
  /* Where the rows not listed are. */
  if (listed < n) {
    const char *more = " (--summary all: every row)";
    if ((size_t)len + strlen(more) <= TT_SUMMARY_COLUMNS)
      len += snprintf(line + len, sizeof line - (size_t)len, "%s", more);
  }
  tt_sink_printf(k, "%s\n", line);
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

static void summary(tt_sink *k, const views *vs, tt_summary_mode mode,
                    const column *cols) {
  if (mode == TT_SUMMARY_WIDE) {
    summary_wide(k, vs);
    return;
  }
  size_t n = 0;
  const tt_view **v = malloc((vs->n ? vs->n : 1) * sizeof *v);
  if (v == NULL) {
    summary_wide(k, vs); /* no room to sort: every row as it comes */
    return;
  }
  for (size_t i = 0; i < vs->n; i++)
    if ((v[n] = vs->get(vs->src, i)) != NULL)
      n++;
  qsort(v, n, sizeof *v, cmp_worst);
  bool all = mode == TT_SUMMARY_ALL || n <= TT_SUMMARY_ROWS;
  size_t rows = 0;
  int name_w = 4;
  for (size_t i = 0; i < n; i++) {
    if (!all && v[i]->state == TT_STATE_UP)
      break; /* sorted: the rest are up too */
    char esc[4 * TT_MAX_NAME + 1];
    tt_escape(esc, sizeof esc, v[i]->target->name,
              strlen(v[i]->target->name), 0);
    int w = text_width(esc);
    if (w > name_w)
      name_w = w > NAME_COLS ? NAME_COLS : w;
    rows++;
  }
  if (rows > 0)
    table_line(k, cols, NULL, name_w);
  for (size_t i = 0; i < rows; i++)
    table_line(k, cols, v[i], name_w);
  if (!all || n > TT_SUMMARY_ROWS)
    summary_totals(k, v, n, rows);
  free(v);
}

static const tt_view *engine_view(void *e, size_t i) {
  return tt_engine_view(e, i);
}

void tt_plain_summary(tt_sink *k, const tt_engine *e, tt_summary_mode mode) {
  views vs = { engine_view, (void *)e, tt_engine_size(e) };
  summary(k, &vs, mode, exit_cols);
}

void tt_plain_views(tt_sink *k, tt_view_get get, void *src, size_t n,
                    tt_summary_mode mode) {
  views vs = { get, src, n };
  summary(k, &vs, mode, replay_cols);
}
