/* dash_text.c - the dashboard's lines besides table rows: header, key
 * bar, prompt, event log, detail view, help. Everything shown from a
 * config or the network goes through tt_escape here first. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dash_text.h"
#include "duration.h"
#include "escape.h"
#include "format.h"

static int esc_flags(const tt_dash_model *m) {
  return tt_cell_esc_flags(m->utf8);
}

/* Escapes a string from a config or the network for the screen. */
static const char *esc(const tt_dash_model *m, const char *s, char *buf,
                       size_t n) {
  tt_escape(buf, n, s, strlen(s), esc_flags(m));
  return buf;
}

static const char *arrow(bool utf8) {
  return utf8 ? " \xe2\x86\x92 " : " -> ";
}

static void addf(tt_line *l, tt_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void addf(tt_line *l, tt_role role, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  tt_line_puts(l, role, buf);
}

static const char *rtt(char *buf, size_t n, uint32_t us) {
  tt_fmt_rtt(buf, n, us);
  return buf;
}

static const char *dur(char *buf, size_t n, uint64_t ms) {
  tt_duration_format(ms, buf, n);
  return buf;
}

/* ---- header ---- */

void tt_text_header(tt_line *out, const tt_dash_model *m, const char *source,
                    unsigned cols) {
  static const tt_state order[] = {TT_STATE_UP, TT_STATE_DEGRADED,
                                   TT_STATE_CONNECTING, TT_STATE_DOWN};
  size_t counts[TT_STATE_COUNT];
  tt_line mid, right;
  char buf[512], src[256];

  tt_dash_counts(m, counts);
  tt_line_clear(&mid);
  for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
    tt_state s = order[k];
    if (k > 0)
      tt_line_puts(&mid, TT_ROLE_NORMAL, "  ");
    addf(&mid, counts[s] > 0 ? tt_state_role(s) : TT_ROLE_MUTED, "%zu %s",
         counts[s], tt_state_name(s));
  }
  if (m->filter_len > 0) {
    addf(&mid, TT_ROLE_NORMAL, "   filter \"%s\" %zu/%zu",
         esc(m, m->filter, buf, sizeof(buf)), m->nrows, m->n);
  }

  tt_line_clear(&right);
  if (m->behind > 0) {
    addf(&right, TT_ROLE_DOWN, " BEHIND %llu ", (unsigned long long)m->behind);
    tt_line_puts(&right, TT_ROLE_NORMAL, "  ");
  }
  if (m->paused) {
    tt_line_puts(&right, TT_ROLE_PAUSED, " PAUSED ");
    tt_line_puts(&right, TT_ROLE_NORMAL, "  ");
  }
  tt_fmt_clock(buf, sizeof(buf), tt_dash_wall_us(m));
  tt_line_puts(&right, TT_ROLE_NORMAL, buf);
  tt_line_puts(&right, TT_ROLE_NORMAL, " ");

  tt_line_clear(out);
  tt_line_puts(out, TT_ROLE_TITLE, " tether ");
  /* The source gets what the rest leaves, and gives way first. */
  unsigned fixed = out->cols + mid.cols + right.cols + 4;
  if (source != NULL && cols > fixed + 4) {
    esc(m, source, buf, sizeof(buf));
    unsigned want = tt_fmt_width(buf, strlen(buf));
    unsigned room = cols - fixed;
    if (want > room)
      want = room;
    tt_fmt_fit(src, sizeof(src), buf, strlen(buf), want, TT_FIT_LEFT, m->utf8);
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, TT_ROLE_NORMAL, src);
    tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  }
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
  for (size_t s = 0; s < mid.nseg; s++)
    tt_line_add(out, mid.seg[s].role, mid.buf + mid.seg[s].off, mid.seg[s].len);
  if (out->cols + right.cols < cols)
    tt_line_spaces(out, cols - out->cols - right.cols);
  for (size_t s = 0; s < right.nseg; s++)
    tt_line_add(out, right.seg[s].role, right.buf + right.seg[s].off,
                right.seg[s].len);
  tt_line_cut(out, cols);
}

/* ---- key bar and prompt ---- */

typedef struct keyhint {
  const char *key, *label;
} keyhint;

static void hints(tt_line *out, const keyhint *h, size_t n, unsigned cols) {
  for (size_t i = 0; i < n; i++) {
    unsigned need = tt_fmt_width(h[i].key, strlen(h[i].key)) +
                    tt_fmt_width(h[i].label, strlen(h[i].label)) + 3;
    if (out->cols + need > cols)
      break;
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, TT_ROLE_KEY, h[i].key);
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, TT_ROLE_NORMAL, h[i].label);
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
  }
}

void tt_text_keybar(tt_line *out, const tt_dash_model *m, unsigned cols) {
  char buf[TT_DASH_FILTER_MAX * 4 + 8];
  tt_line_clear(out);
  if (m->prompt) {
    tt_line_puts(out, TT_ROLE_TITLE, " Filter: ");
    tt_line_puts(out, TT_ROLE_NORMAL, esc(m, m->filter, buf, sizeof(buf)));
    tt_line_puts(out, TT_ROLE_KEY, " ");
    tt_line_puts(out, TT_ROLE_MUTED, "   Enter keep  Esc clear");
    tt_line_cut(out, cols);
    return;
  }
  const char *updown = m->utf8 ? "\xe2\x86\x91\xe2\x86\x93" : "Up/Dn";
  const char *pause = m->paused ? "Resume" : "Pause";
  if (m->screen == TT_SCREEN_HELP) {
    const keyhint h[] = {{"any key", "Back"}};
    hints(out, h, 1, cols);
  } else if (m->screen == TT_SCREEN_DETAIL) {
    const keyhint h[] = {{"Esc", "Back"},      {updown, "Target"},
                         {"r", "Reconnect"},   {"p", pause},
                         {"e", "Events"},      {"?", "Help"}};
    hints(out, h, sizeof(h) / sizeof(h[0]), cols);
  } else if (m->filter_len > 0) {
    const keyhint h[] = {{"q", "Quit"},    {"?", "Help"},
                         {"Esc", "Clear"}, {"/", "Filter"},
                         {"s", "Sort"},    {"S", "Reverse"},
                         {"Enter", "Detail"}, {"e", "Events"},
                         {"p", pause},     {"r", "Reconnect"}};
    hints(out, h, sizeof(h) / sizeof(h[0]), cols);
  } else {
    const keyhint h[] = {{"q", "Quit"},    {"?", "Help"},
                         {"/", "Filter"},  {"s", "Sort"},
                         {"S", "Reverse"}, {"Enter", "Detail"},
                         {"e", "Events"},  {"p", pause},
                         {"r", "Reconnect"}};
    hints(out, h, sizeof(h) / sizeof(h[0]), cols);
  }
  tt_line_cut(out, cols);
}

/* ---- event log ---- */

static unsigned log_name_width(const tt_dash_model *m) {
  unsigned w = m->name_want;
  return w < TT_NAME_MIN ? TT_NAME_MIN : w > 24 ? 24 : w;
}

void tt_text_log_line(tt_line *out, const tt_dash_model *m,
                      const tt_dash_change *c, unsigned cols) {
  char buf[512];
  const tt_view *v = tt_dash_view(m, c->target);

  tt_line_clear(out);
  tt_fmt_clock(buf, sizeof(buf), c->ts_us);
  tt_line_puts(out, TT_ROLE_MUTED, " ");
  tt_line_puts(out, TT_ROLE_MUTED, buf);
  tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  tt_line_fit(out, TT_ROLE_NORMAL, esc(m, v->target->name, buf, sizeof(buf)),
              log_name_width(m), TT_FIT_LEFT, m->utf8);
  tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  tt_line_fit(out, tt_state_role(c->from), tt_state_name(c->from), 10,
              TT_FIT_RIGHT, m->utf8);
  tt_line_puts(out, TT_ROLE_MUTED, arrow(m->utf8));
  tt_line_fit(out, tt_state_role(c->to), tt_state_name(c->to), 10,
              TT_FIT_LEFT, m->utf8);
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
  tt_line_fit(out, TT_ROLE_NORMAL, tt_class_name(c->cls), 15, TT_FIT_LEFT,
              m->utf8);
  if (c->error[0] != '\0') {
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_fmt_escaped(buf, sizeof(buf), c->error, esc_flags(m));
    tt_line_puts(out, TT_ROLE_MUTED, buf);
  }
  tt_line_cut(out, cols);
}

/* ---- detail view ---- */

/* The quoted, escaped form of bytes from a config: send and reply_end may
 * hold any byte; a regular expression keeps its own backslashes. */
static const char *quoted(const tt_dash_model *m, const char *s, size_t len,
                          int flags, char *buf, size_t n) {
  char tmp[400];
  if (s == NULL)
    return "-";
  tt_escape(tmp, sizeof(tmp), s, len, esc_flags(m) | flags);
  snprintf(buf, n, "\"%s\"", tmp);
  return buf;
}

/* Lines of "key value" pairs that wrap at the screen's width, the way the
 * detail view lays out its settings and numbers. */
typedef struct flow {
  tt_line *out;
  size_t max, n;
  unsigned cols;
  tt_line *cur;
} flow;

static void flow_line(flow *f) {
  f->cur = f->n < f->max ? &f->out[f->n++] : NULL;
  if (f->cur != NULL) {
    tt_line_clear(f->cur);
    tt_line_puts(f->cur, TT_ROLE_NORMAL, " ");
  }
}

static void flow_item(flow *f, const char *key, tt_role role,
                      const char *value) {
  unsigned w = tt_fmt_width(key, strlen(key)) + 1 +
               tt_fmt_width(value, strlen(value));
  if (f->cur != NULL && f->cur->cols > 3 && f->cur->cols + w > f->cols) {
    flow_line(f);
    if (f->cur != NULL)
      tt_line_puts(f->cur, TT_ROLE_NORMAL, "  ");
  }
  if (f->cur == NULL)
    return;
  if (key[0] != '\0') {
    tt_line_puts(f->cur, TT_ROLE_MUTED, key);
    tt_line_puts(f->cur, TT_ROLE_NORMAL, " ");
  }
  tt_line_puts(f->cur, role, value);
  tt_line_puts(f->cur, TT_ROLE_NORMAL, "  ");
}

static void flow_kv(flow *f, const char *key, const char *value) {
  flow_item(f, key, TT_ROLE_NORMAL, value);
}

static void flow_u64(flow *f, const char *key, uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
  flow_kv(f, key, buf);
}

size_t tt_text_detail(tt_line *out, size_t max, const tt_dash_model *m,
                      size_t i, unsigned cols) {
  const tt_view *v = tt_dash_view(m, i);
  const tt_target *t = v->target;
  const tt_stats *st = &v->stats;
  char a[512], b[64];
  flow f = {out, max, 0, cols, NULL};

  /* Who: name, address, resolved address, tags. */
  flow_line(&f);
  if (f.cur != NULL) {
    tt_line_puts(f.cur, TT_ROLE_TITLE, esc(m, t->name, a, sizeof(a)));
    tt_line_puts(f.cur, TT_ROLE_NORMAL, "  ");
    tt_line_puts(f.cur, TT_ROLE_NORMAL, esc(m, t->address, a, sizeof(a)));
    tt_line_puts(f.cur, TT_ROLE_MUTED, arrow(m->utf8));
    tt_line_puts(f.cur, TT_ROLE_NORMAL,
                 v->ip[0] != '\0' ? esc(m, v->ip, a, sizeof(a))
                                  : "(not resolved yet)");
    tt_line_puts(f.cur, TT_ROLE_NORMAL, "  ");
  }
  if (t->ntags > 0) {
    char tags[512];
    size_t used = 0;
    for (size_t k = 0; k < t->ntags; k++) {
      size_t len = tt_escape(a, sizeof(a), t->tags[k], strlen(t->tags[k]),
                             esc_flags(m));
      if (used + len + 2 > sizeof(tags))
        break;
      if (k > 0)
        tags[used++] = ',';
      memcpy(tags + used, a, len);
      used += len;
    }
    tags[used] = '\0';
    flow_kv(&f, "tags", tags);
  }

  /* Its state. */
  flow_line(&f);
  uint64_t now = tt_dash_now_ms(m);
  flow_item(&f, "state", tt_state_role(v->state), tt_state_name(v->state));
  tt_fmt_age(a, sizeof(a), now > v->state_since_ms ? now - v->state_since_ms
                                                   : 0);
  tt_fmt_clock(b, sizeof(b), v->state_since_us);
  size_t len = strlen(a);
  snprintf(a + len, sizeof(a) - len, " (since %s)", b);
  flow_kv(&f, "for", a);
  flow_u64(&f, "flaps", st->flaps);
  flow_u64(&f, "reconnects", st->reconnects);
  flow_u64(&f, "skipped", st->skipped);
  if (v->finished)
    flow_item(&f, "", TT_ROLE_MUTED, "finished");

  /* Its effective settings. */
  flow_line(&f);
  flow_kv(&f, "mode", tt_mode_name(t->mode));
  if (t->preset != NULL)
    flow_kv(&f, "preset", t->preset->name);
  flow_kv(&f, "interval", dur(a, sizeof(a), t->interval_ms));
  flow_kv(&f, "timeout", dur(a, sizeof(a), t->timeout_ms));
  flow_kv(&f, "connect timeout", dur(a, sizeof(a), t->connect_timeout_ms));
  flow_u64(&f, "miss threshold", t->miss_threshold);
  if (t->rtt_warn_ms > 0)
    flow_kv(&f, "rtt warn", dur(a, sizeof(a), t->rtt_warn_ms));
  flow_line(&f);
  flow_kv(&f, "send", quoted(m, t->send, t->send_len, 0, a, sizeof(a)));
  if (t->expect != NULL)
    flow_kv(&f, "expect", quoted(m, t->expect, strlen(t->expect),
                                 TT_ESC_KEEP_BACKSLASH, a, sizeof(a)));
  else
    flow_kv(&f, "expect", "-");
  flow_kv(&f, "reply end",
          quoted(m, t->reply_end, t->reply_end_len, 0, a, sizeof(a)));

  /* What came of it. */
  flow_line(&f);
  flow_u64(&f, "sent", st->sent);
  flow_u64(&f, "received", st->received);
  flow_u64(&f, "lost", st->lost);
  flow_u64(&f, "late", st->late);
  tt_fmt_pct(a, sizeof(a), tt_stats_loss_pct(st));
  flow_kv(&f, "loss", a);
  flow_line(&f);
  if (st->received == 0) {
    flow_item(&f, "", TT_ROLE_MUTED, "no answered heartbeat yet");
  } else {
    flow_kv(&f, "min", rtt(b, sizeof(b), st->rtt_min_us));
    flow_kv(&f, "avg", rtt(b, sizeof(b), tt_stats_avg(st)));
    flow_kv(&f, "max", rtt(b, sizeof(b), st->rtt_max_us));
    flow_kv(&f, "p50", rtt(b, sizeof(b), tt_stats_percentile(st, 50)));
    flow_kv(&f, "p90", rtt(b, sizeof(b), tt_stats_percentile(st, 90)));
    flow_kv(&f, "p99", rtt(b, sizeof(b), tt_stats_percentile(st, 99)));
    flow_kv(&f, "jitter", rtt(b, sizeof(b), (uint32_t)(st->jitter_us + 0.5)));
  }
  flow_line(&f);
  if (f.cur != NULL)
    tt_line_puts(f.cur, TT_ROLE_MUTED, "classes ");
  bool any = false;
  for (int k = 0; k < TT_CLASS_COUNT; k++) {
    if (st->classes[k] == 0)
      continue;
    snprintf(b, sizeof(b), "%llu", (unsigned long long)st->classes[k]);
    /* The class names are the keys here, coloured like what they mean. */
    if (f.cur != NULL && f.cur->cols + strlen(tt_class_name(k)) + 8 > cols) {
      flow_line(&f);
      if (f.cur != NULL)
        tt_line_puts(f.cur, TT_ROLE_NORMAL, "  ");
    }
    if (f.cur != NULL) {
      tt_line_puts(f.cur, k == TT_CLASS_OK ? TT_ROLE_UP : TT_ROLE_DOWN,
                   tt_class_name((tt_class)k));
      tt_line_puts(f.cur, TT_ROLE_NORMAL, " ");
      tt_line_puts(f.cur, TT_ROLE_NORMAL, b);
      tt_line_puts(f.cur, TT_ROLE_NORMAL, "  ");
    }
    any = true;
  }
  if (!any && f.cur != NULL)
    tt_line_puts(f.cur, TT_ROLE_MUTED, "none yet");
  if (st->lost > 0) {
    flow_line(&f);
    if (f.cur != NULL) {
      tt_line_puts(f.cur, TT_ROLE_MUTED, "last failure ");
      tt_line_puts(f.cur, TT_ROLE_DOWN, tt_class_name(v->last_failure));
      if (v->last_error[0] != '\0') {
        tt_fmt_escaped(a, sizeof(a), v->last_error, esc_flags(m));
        tt_line_puts(f.cur, TT_ROLE_NORMAL, ": ");
        tt_line_puts(f.cur, TT_ROLE_NORMAL, a);
      }
    }
  }
  for (size_t k = 0; k < f.n; k++)
    tt_line_cut(&out[k], cols);
  return f.n;
}

size_t tt_histogram(const tt_stats *st, tt_hist_row *rows, size_t max) {
  size_t first = TT_HIST_BUCKETS, last = 0;
  for (size_t b = 0; b < TT_HIST_BUCKETS; b++) {
    if (st->hist[b] == 0)
      continue;
    if (first == TT_HIST_BUCKETS)
      first = b;
    last = b;
  }
  if (first == TT_HIST_BUCKETS || max == 0)
    return 0;
  size_t span = last - first + 1;
  size_t per = (span + max - 1) / max;
  size_t n = 0;
  for (size_t b = first; b <= last; b += per) {
    size_t end = b + per - 1 < last ? b + per - 1 : last;
    uint32_t lo, hi, dummy;
    tt_hist_range(b, &lo, &dummy);
    tt_hist_range(end, &dummy, &hi);
    uint64_t count = 0;
    for (size_t k = b; k <= end; k++)
      count += st->hist[k];
    rows[n++] = (tt_hist_row){lo, hi, count};
  }
  return n;
}

void tt_text_hist_line(tt_line *out, const tt_hist_row *r, uint64_t max_count,
                       unsigned cols, bool utf8) {
  char lo[16], hi[16], label[40], count[24];
  tt_line_clear(out);
  tt_fmt_rtt(lo, sizeof(lo), r->lo);
  tt_fmt_rtt(hi, sizeof(hi), r->hi);
  snprintf(label, sizeof(label), " %6s-%-6s ", lo, hi);
  snprintf(count, sizeof(count), " %llu", (unsigned long long)r->count);
  tt_line_puts(out, TT_ROLE_MUTED, label);
  unsigned room = cols > out->cols + 8 ? cols - out->cols - 8 : 1;
  unsigned bar = max_count > 0 ? (unsigned)(r->count * room / max_count) : 0;
  if (bar == 0 && r->count > 0)
    bar = 1;
  for (unsigned k = 0; k < bar; k++)
    tt_line_puts(out, TT_ROLE_SPARK, utf8 ? "\xe2\x96\x88" : "#");
  tt_line_puts(out, TT_ROLE_NORMAL, count);
  tt_line_cut(out, cols);
}

bool tt_text_recent_line(tt_line *out, const tt_dash_model *m, size_t i,
                         size_t k, unsigned cols) {
  const tt_view *v = tt_dash_view(m, i);
  tt_dash_mini ch[TT_DASH_MINI_LEN];
  tt_sample s[TT_RING_LEN];
  char a[64];

  tt_line_clear(out);
  size_t nch = tt_dash_target_changes(m, i, ch, TT_DASH_MINI_LEN);
  if (k < nch) {
    tt_fmt_clock(a, sizeof(a), ch[k].ts_us);
    tt_line_puts(out, TT_ROLE_MUTED, " ");
    tt_line_puts(out, TT_ROLE_MUTED, a);
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, tt_state_role(ch[k].from), tt_state_name(ch[k].from));
    tt_line_puts(out, TT_ROLE_MUTED, arrow(m->utf8));
    tt_line_puts(out, tt_state_role(ch[k].to), tt_state_name(ch[k].to));
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, TT_ROLE_MUTED, tt_class_name(ch[k].cls));
    tt_line_cut(out, cols);
    return true;
  }
  k -= nch;
  size_t ns = tt_stats_recent(&v->stats, s, TT_RING_LEN);
  if (k >= ns)
    return false;
  const tt_sample *x = &s[ns - 1 - k];
  snprintf(a, sizeof(a), " #%-6llu ", (unsigned long long)(v->stats.sent - k));
  tt_line_puts(out, TT_ROLE_MUTED, a);
  tt_role role = x->cls == TT_CLASS_OK ? TT_ROLE_UP
                 : x->late           ? TT_ROLE_LATE
                                     : TT_ROLE_FAIL;
  tt_line_fit(out, role, tt_class_name(x->cls), 16, TT_FIT_LEFT, m->utf8);
  if (x->cls == TT_CLASS_OK) {
    tt_line_puts(out, TT_ROLE_NORMAL, rtt(a, sizeof(a), x->rtt_us));
  } else if (x->late) {
    tt_line_puts(out, TT_ROLE_LATE, "late ");
    tt_line_puts(out, TT_ROLE_NORMAL, rtt(a, sizeof(a), x->rtt_us));
  }
  tt_line_cut(out, cols);
  return true;
}

/* ---- help ---- */

bool tt_text_help_line(tt_line *out, const tt_dash_model *m, size_t k,
                       unsigned cols) {
  static const tt_state order[] = {TT_STATE_UP, TT_STATE_DEGRADED,
                                   TT_STATE_CONNECTING, TT_STATE_DOWN};
  size_t nb, keys = 0;
  const tt_dash_binding *b = tt_dash_bindings(&nb);

  tt_line_clear(out);
  if (k == 0) {
    tt_line_puts(out, TT_ROLE_TITLE, " Keys");
    return true;
  }
  k--;
  for (size_t j = 0; j < nb; j++) {
    if (b[j].label == NULL)
      continue;
    if (keys++ == k) {
      tt_line_puts(out, TT_ROLE_NORMAL, "   ");
      tt_line_fit(out, TT_ROLE_KEY, b[j].label, 8, TT_FIT_LEFT, m->utf8);
      tt_line_puts(out, TT_ROLE_NORMAL, "  ");
      tt_line_puts(out, TT_ROLE_NORMAL, b[j].help);
      tt_line_cut(out, cols);
      return true;
    }
  }
  k -= keys;
  switch (k) {
  case 0:
    return true; /* a blank line */
  case 1:
    tt_line_puts(out, TT_ROLE_TITLE, " States ");
    for (size_t j = 0; j < 4; j++) {
      tt_line_puts(out, TT_ROLE_NORMAL, "  ");
      tt_line_puts(out, tt_state_role(order[j]), tt_state_name(order[j]));
    }
    break;
  case 2:
    tt_line_puts(out, TT_ROLE_TITLE, " HISTORY ");
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, TT_ROLE_SPARK,
                 m->utf8 ? "\xe2\x96\x81\xe2\x96\x83\xe2\x96\x85\xe2\x96\x88"
                         : "_.-=^");
    tt_line_puts(out, TT_ROLE_NORMAL, " RTT, scaled per row   ");
    tt_line_puts(out, TT_ROLE_FAIL, m->utf8 ? "\xc3\x97" : "x");
    tt_line_puts(out, TT_ROLE_NORMAL, " failed   ");
    tt_line_puts(out, TT_ROLE_LATE, "!");
    tt_line_puts(out, TT_ROLE_NORMAL, " late reply");
    break;
  case 3:
    tt_line_puts(out, TT_ROLE_MUTED,
                 " ERR: the latest heartbeat's class while failing;"
                 " SINCE: time in state");
    break;
  default:
    return false;
  }
  tt_line_cut(out, cols);
  return true;
}

void tt_text_too_small(tt_line *out, unsigned cols, unsigned rows, bool utf8) {
  char buf[128];
  snprintf(buf, sizeof(buf), "Terminal too small: %ux%u, tether needs %ux%u",
           cols, rows, TT_DASH_MIN_COLS, TT_DASH_MIN_ROWS);
  tt_line_clear(out);
  unsigned w = (unsigned)strlen(buf);
  if (w < cols)
    tt_line_spaces(out, (cols - w) / 2);
  tt_line_puts(out, TT_ROLE_TITLE, buf);
  tt_line_cut(out, cols);
}
