/* dash_detail.c - the detail view's lines: who the target is, its state,
 * its effective settings, what came of its heartbeats (loss over the
 * recent window and the whole run, RTTs, classes), its RTT histogram and
 * its recent events. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dash_text.h"
#include "duration.h"
#include "escape.h"
#include "format.h"
#include "tls.h"

static const char *rtt(char *buf, size_t n, uint32_t us) {
  tt_fmt_rtt(buf, n, us);
  return buf;
}

static const char *dur(char *buf, size_t n, uint64_t ms) {
  tt_duration_format(ms, buf, n);
  return buf;
}

/* The quoted, escaped form of bytes from a config: send and reply_end may
 * hold any byte; a regular expression keeps its own backslashes. */
static const char *quoted(const tt_dash_model *m, const char *s, size_t len,
                          int flags, char *buf, size_t n) {
  char tmp[400];
  if (s == NULL)
    return "-";
  tt_escape(tmp, sizeof(tmp), s, len, tt_cell_esc_flags(m->utf8) | flags);
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

/* A target's effective settings. */
static void settings(flow *f, const tt_dash_model *m, const tt_target *t) {
  char a[512];
  flow_kv(f, "mode", tt_mode_name(t->mode));
  if (t->preset != NULL)
    flow_kv(f, "preset", t->preset->name);
  flow_kv(f, "interval", dur(a, sizeof(a), t->interval_ms));
  flow_kv(f, "timeout", dur(a, sizeof(a), t->timeout_ms));
  flow_kv(f, "connect timeout", dur(a, sizeof(a), t->connect_timeout_ms));
  flow_u64(f, "miss threshold", t->miss_threshold);
  if (t->rtt_warn_ms > 0)
    flow_kv(f, "rtt warn", dur(a, sizeof(a), t->rtt_warn_ms));
  flow_line(f);
  flow_kv(f, "send", quoted(m, t->send, t->send_len, 0, a, sizeof(a)));
  if (t->expect != NULL)
    flow_kv(f, "expect", quoted(m, t->expect, strlen(t->expect),
                                TT_ESC_KEEP_BACKSLASH, a, sizeof(a)));
  else
    flow_kv(f, "expect", "-");
  flow_kv(f, "reply end",
          quoted(m, t->reply_end, t->reply_end_len, 0, a, sizeof(a)));
}

static void tls_facts(flow *f, const tt_dash_model *m, const tt_view *v,
                      uint64_t now_us) {
  const tt_tls_info *c = v->cert;
  char a[300], b[64];
  flow_line(f);
  if (c->version[0] != '\0') {
    flow_kv(f, "tls", tt_text_esc(m, c->version, a, sizeof(a)));
    flow_kv(f, "cipher", tt_text_esc(m, c->cipher, a, sizeof(a)));
  }
  if (v->tls_us > 0)
    flow_kv(f, "handshake", rtt(b, sizeof(b), v->tls_us));
  flow_line(f);
  flow_kv(f, "subject", tt_text_esc(m, c->subject, a, sizeof(a)));
  flow_kv(f, "issuer", tt_text_esc(m, c->issuer, a, sizeof(a)));
  if (c->sans[0] != '\0')
    flow_kv(f, "names", tt_text_esc(m, c->sans, a, sizeof(a)));
  flow_line(f);
  time_t when = (time_t)c->not_after;
  struct tm tm;
  gmtime_r(&when, &tm);
  strftime(b, sizeof(b), "%Y-%m-%d", &tm);
  int64_t days = tt_tls_days_left(c->not_after, (int64_t)(now_us / 1000000));
  snprintf(a, sizeof(a), "%s (%lld days)", b, (long long)days);
  flow_item(f, "expires", days < 0 ? TT_ROLE_DOWN : TT_ROLE_NORMAL, a);
  if (c->trusted) {
    flow_item(f, "", TT_ROLE_UP, "trusted");
  } else {
    flow_item(f, "", TT_ROLE_DOWN, "NOT TRUSTED");
    if (c->verdict[0] != '\0')
      flow_kv(f, "why", tt_text_esc(m, c->verdict, a, sizeof(a)));
  }
}

size_t tt_text_detail(tt_line *out, size_t max, const tt_dash_model *m,
                      size_t i, unsigned cols) {
  const tt_view *v = tt_dash_view(m, i);
  const tt_target *t = tt_dash_target(m, i);
  char a[512], b[64];
  flow f = {out, max, 0, cols, NULL};
  if (v == NULL)
    return 0;
  const tt_stats *st = &v->stats;

  /* Who: name, address, resolved address, tags. */
  flow_line(&f);
  if (f.cur != NULL) {
    tt_line_puts(f.cur, TT_ROLE_TITLE, tt_text_esc(m, tt_dash_name(m, i), a,
                                           sizeof(a)));
    tt_line_puts(f.cur, TT_ROLE_NORMAL, "  ");
    if (t != NULL) {
      tt_line_puts(f.cur, TT_ROLE_NORMAL, tt_text_esc(m, t->address, a, sizeof(a)));
      tt_line_puts(f.cur, TT_ROLE_MUTED, tt_text_arrow(m->utf8));
    }
    tt_line_puts(f.cur, TT_ROLE_NORMAL,
                 v->ip[0] != '\0' ? tt_text_esc(m, v->ip, a, sizeof(a))
                                  : "(not resolved yet)");
    tt_line_puts(f.cur, TT_ROLE_NORMAL, "  ");
  }
  if (tt_tags_text(a, sizeof(a), t, m->utf8) > 0)
    flow_kv(&f, "tags", a);

  /* Its state. */
  flow_line(&f);
  uint64_t now = tt_dash_wall_us(m);
  flow_item(&f, "state", tt_state_role(v->state), tt_state_name(v->state));
  tt_fmt_age(a, sizeof(a), now > v->state_since_us
                               ? (now - v->state_since_us) / 1000 : 0);
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
  if (t == NULL)
    flow_item(&f, "", TT_ROLE_MUTED, "no longer watched (it left, or the "
                                     "display is paused since)");
  else
    settings(&f, m, t);

  /* Over TLS: the latest handshake and the certificate it showed. */
  if (v->cert != NULL)
    tls_facts(&f, m, v, now);

  /* What came of it. */
  flow_line(&f);
  flow_u64(&f, "sent", st->sent);
  flow_u64(&f, "received", st->received);
  flow_u64(&f, "lost", st->lost);
  flow_u64(&f, "late", st->late);
  uint32_t wsent, wlost;
  const tt_dash_series *series = tt_dash_series_of(m, i);
  if (series != NULL) {
    tt_loss_count(&series->loss, now, &wsent, &wlost);
    if (wsent > 0)
      tt_fmt_pct(a, sizeof(a), 100.0 * wlost / wsent);
    else
      snprintf(a, sizeof(a), "-");
    snprintf(b, sizeof(b), "loss last %ds", TT_LOSS_WINDOW_S);
    flow_kv(&f, b, a);
  }
  tt_fmt_pct(a, sizeof(a), tt_stats_loss_pct(st));
  flow_kv(&f, "whole run", a);
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
        tt_fmt_escaped(a, sizeof(a), v->last_error, tt_cell_esc_flags(m->utf8));
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
  for (size_t b = st->hist_lo; b < (size_t)st->hist_lo + st->hist_n; b++) {
    if (tt_stats_bucket(st, b) == 0)
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
      count += tt_stats_bucket(st, k);
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
  if (v == NULL)
    return false;
  size_t nch = tt_dash_target_changes(m, i, ch, TT_DASH_MINI_LEN);
  if (k < nch) {
    tt_fmt_clock(a, sizeof(a), ch[k].ts_us);
    tt_line_puts(out, TT_ROLE_MUTED, " ");
    tt_line_puts(out, TT_ROLE_MUTED, a);
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, tt_state_role(ch[k].from), tt_state_name(ch[k].from));
    tt_line_puts(out, TT_ROLE_MUTED, tt_text_arrow(m->utf8));
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
