/* metrics.c - the Prometheus exposition: one table of metric families,
 * each written for every target in turn, a slice at a time. */
#include <string.h>

#include "metrics.h"
#include "tls.h"

const uint32_t tt_metrics_bucket_us[TT_METRICS_BUCKETS] = {
  500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
  1000000,
};

/* The same bounds as Prometheus reads them (le="0.0005"). */
static const char *const bucket_le[TT_METRICS_BUCKETS] = {
  "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
  "0.25", "0.5", "1",
};

tt_metrics_opts tt_metrics_default_opts(void) {
  return (tt_metrics_opts){ .histograms = true };
}

static bool is(const char *p, size_t n, const char *word) {
  return strlen(word) == n && memcmp(p, word, n) == 0;
}

int tt_metrics_query(const char *query, size_t len, tt_metrics_opts *o) {
  *o = tt_metrics_default_opts();
  if (query == NULL)
    return 0;
  for (size_t i = 0; i < len;) {
    size_t end = i, eq;
    while (end < len && query[end] != '&')
      end++;
    for (eq = i; eq < end && query[eq] != '='; eq++)
      ;
    if (end > i) {
      const char *v = query + eq + 1;
      size_t vlen = eq < end ? end - eq - 1 : 0;
      if (!is(query + i, eq - i, "histograms") || eq == end)
        return -1;
      if (is(v, vlen, "1") || is(v, vlen, "true"))
        o->histograms = true;
      else if (is(v, vlen, "0") || is(v, vlen, "false"))
        o->histograms = false;
      else
        return -1;
    }
    i = end + 1;
  }
  return 0;
}

size_t tt_metrics_tag_label(const char *tag, char *buf, size_t n) {
  size_t w = 0;
  if (n == 0)
    return 0;
  for (const char *p = "tag_"; *p != '\0' && w + 1 < n; p++)
    buf[w++] = *p;
  for (; *tag != '\0' && w + 1 < n; tag++) {
    char c = *tag;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_';
    buf[w++] = ok ? c : '_';
  }
  buf[w] = '\0';
  return w;
}

/* ---- writing lines ------------------------------------------------------- */

/* A label value: backslash, double quote and line feed escaped, as the
 * format asks. Names, addresses and tags are UTF-8 text without controls
 * (the loader saw to it), so nothing else needs care. */
static void label_value(tt_bytes *out, const char *s) {
  size_t run = 0, len = strlen(s);
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c != '\\' && c != '"' && c != '\n') {
      run++;
      continue;
    }
    tt_bytes_put(out, s + i - run, run);
    run = 0;
    tt_bytes_put(out, c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n", 2);
  }
  tt_bytes_put(out, s + len - run, run);
}

/* Whether tag i has the label name of an earlier tag of t (tags that
 * differ only in bytes a label name cannot hold): it is written once. */
static bool tag_label_taken(const tt_target *t, size_t i, const char *name) {
  char other[96];
  for (size_t j = 0; j < i; j++) {
    tt_metrics_tag_label(t->tags[j], other, sizeof other);
    if (strcmp(other, name) == 0)
      return true;
  }
  return false;
}

/* The labels every series of a target carries, without braces:
 * target="db1",address="db1:5432",tag_cache="1",tag_prod="1". A label
 * per tag lets PromQL select ({tag_prod="1"}) and group (by (tag_prod));
 * the tags as written are in tether_target_info. */
static void target_labels(tt_bytes *out, const tt_target *t) {
  tt_bytes_puts(out, "target=\"");
  label_value(out, t->name);
  tt_bytes_puts(out, "\",address=\"");
  label_value(out, t->address);
  tt_bytes_put(out, "\"", 1);
  for (size_t i = 0; i < t->ntags; i++) {
    char name[96];
    size_t n = tt_metrics_tag_label(t->tags[i], name, sizeof name);
    if (tag_label_taken(t, i, name))
      continue;
    tt_bytes_put(out, ",", 1);
    tt_bytes_put(out, name, n);
    tt_bytes_put(out, "=\"1\"", 4);
  }
}

/* Microseconds as seconds, exactly: "0.000123", "1.5", "2". */
static void seconds_us(tt_bytes *out, uint64_t us) {
  char frac[8];
  uint64_t f = us % 1000000;
  tt_bytes_u64(out, us / 1000000);
  if (f == 0)
    return;
  frac[0] = '.';
  for (int i = 6; i >= 1; i--, f /= 10)
    frac[i] = (char)('0' + f % 10);
  size_t n = 7;
  while (frac[n - 1] == '0')
    n--;
  tt_bytes_put(out, frac, n);
}

/* The lines of one target in one family. Its labels are formatted once,
 * in its first line, and copied from there into the others. */
typedef struct lines {
  tt_bytes *out;
  const tt_target *t;
  size_t at, len; /* the labels within out, once written */
} lines;

static void lines_start(lines *l, tt_bytes *out, const tt_target *t) {
  l->out = out;
  l->t = t;
  l->len = 0;
}

/* NAME[SUFFIX]{LABELS: more labels or the end follow. */
static void sample_open(lines *l, const char *name, const char *suffix) {
  tt_bytes *out = l->out;
  tt_bytes_puts(out, name);
  tt_bytes_puts(out, suffix);
  tt_bytes_put(out, "{", 1);
  if (l->len == 0) {
    l->at = out->len;
    target_labels(out, l->t);
    l->len = out->len - l->at;
  } else {
    /* Room first: growing may move the buffer the labels are copied from. */
    char *to = tt_bytes_room(out, l->len);
    if (to != NULL) {
      memcpy(to, out->p + l->at, l->len);
      out->len += l->len;
    }
  }
}

/* ,KEY="VALUE" for a value that needs no escaping (a name of tether's). */
static void label(lines *l, const char *key, const char *value) {
  tt_bytes_put(l->out, ",", 1);
  tt_bytes_puts(l->out, key);
  tt_bytes_put(l->out, "=\"", 2);
  tt_bytes_puts(l->out, value);
  tt_bytes_put(l->out, "\"", 1);
}

/* The end of the labels: the value follows. */
static void sample_close(lines *l) {
  tt_bytes_put(l->out, "} ", 2);
}

static void sample_start(lines *l, const char *name, const char *suffix,
                         const char *key, const char *value) {
  sample_open(l, name, suffix);
  if (key != NULL)
    label(l, key, value);
  sample_close(l);
}

static void sample_u64(lines *l, const char *name, const char *suffix,
                       const char *key, const char *value, uint64_t v) {
  sample_start(l, name, suffix, key, value);
  tt_bytes_u64(l->out, v);
  tt_bytes_put(l->out, "\n", 1);
}

/* ---- the families ---------------------------------------------------------- */

typedef struct family family;
typedef void (*emit_fn)(const family *f, lines *l, const tt_view *v,
                        const tt_expo *x);

struct family {
  const char *name;
  const char *type;   /* counter, gauge, histogram (or, without
                         histograms, summary) */
  const char *help;
  emit_fn target;     /* a target's series, or NULL */
  void (*once)(const family *f, tt_bytes *out, const tt_expo *x);
};

static void emit_build_info(const family *f, tt_bytes *out,
                            const tt_expo *x) {
  tt_bytes_printf(out, "%s{version=\"%s\"} 1\n", f->name, TT_VERSION);
}

static void emit_targets(const family *f, tt_bytes *out, const tt_expo *x) {
  size_t n = 0, size = tt_engine_size(x->engine);
  for (size_t i = 0; i < size; i++)
    n += tt_engine_view(x->engine, i) != NULL;
  tt_bytes_printf(out, "%s %zu\n", f->name, n);
}

static void emit_skipped(const family *f, tt_bytes *out, const tt_expo *x) {
  tt_bytes_puts(out, f->name);
  tt_bytes_put(out, " ", 1);
  tt_bytes_u64(out, tt_engine_skipped(x->engine));
  tt_bytes_put(out, "\n", 1);
}

/* What the series do not say about a target, for joins and tables: its
 * tags as written (between commas, so that tags=~".*,prod,.*" selects),
 * its mode and its preset. */
static void emit_info(const family *f, lines *l, const tt_view *v,
                      const tt_expo *x) {
  const tt_target *t = v->target;
  tt_bytes *out = l->out;
  sample_open(l, f->name, "");
  label(l, "mode", tt_mode_name(t->mode));
  label(l, "preset", t->preset != NULL ? t->preset->name : "");
  tt_bytes_puts(out, ",tags=\"");
  for (size_t i = 0; i < t->ntags; i++) {
    tt_bytes_put(out, ",", 1);
    label_value(out, t->tags[i]);
  }
  tt_bytes_puts(out, t->ntags > 0 ? ",\"" : "\"");
  sample_close(l);
  tt_bytes_put(out, "1\n", 2);
}

static void emit_up(const family *f, lines *l, const tt_view *v,
                    const tt_expo *x) {
  sample_u64(l, f->name, "", NULL, NULL, v->state == TT_STATE_UP);
}

static void emit_state(const family *f, lines *l, const tt_view *v,
                       const tt_expo *x) {
  for (int s = 0; s < TT_STATE_COUNT; s++)
    sample_u64(l, f->name, "", "state", tt_state_name((tt_state)s),
               v->state == (tt_state)s);
}

/* ok always, and every class the target has seen: twelve classes on
 * every target would more than double the scrape for series that stay 0. */
static void emit_heartbeats(const family *f, lines *l, const tt_view *v,
                            const tt_expo *x) {
  for (int c = 0; c < TT_CLASS_COUNT; c++)
    if (c == TT_CLASS_OK || v->stats.classes[c] > 0)
      sample_u64(l, f->name, "", "class", tt_class_name((tt_class)c),
                 v->stats.classes[c]);
}

static void emit_late(const family *f, lines *l, const tt_view *v,
                      const tt_expo *x) {
  sample_u64(l, f->name, "", NULL, NULL, v->stats.late);
}

static void emit_reconnects(const family *f, lines *l, const tt_view *v,
                            const tt_expo *x) {
  sample_u64(l, f->name, "", NULL, NULL, v->stats.reconnects);
}

static void emit_changes(const family *f, lines *l, const tt_view *v,
                         const tt_expo *x) {
  sample_u64(l, f->name, "", NULL, NULL, v->stats.changes);
}

/* Where each bound falls in the statistics' own histogram: the bucket
 * holding it, and the share of that bucket at or below it. */
typedef struct bound_at {
  size_t bucket;
  double share;
} bound_at;

static const bound_at *bounds(void) {
  static bound_at at[TT_METRICS_BUCKETS];
  static bool ready;
  if (!ready) {
    for (size_t k = 0; k < TT_METRICS_BUCKETS; k++) {
      uint32_t lo, hi, us = tt_metrics_bucket_us[k];
      at[k].bucket = tt_hist_bucket(us);
      tt_hist_range(at[k].bucket, &lo, &hi);
      at[k].share = (double)(us - lo + 1) / ((double)hi - lo + 1);
    }
    ready = true;
  }
  return at;
}

/* The count of answered heartbeats at or below each bound, from the
 * statistics' histogram (buckets about 6% wide): whole buckets below the
 * bound, and the share at or below it of the one that holds it. The
 * smallest and largest RTTs are known exactly, which settles the bounds
 * outside them. */
static void cumulative(const tt_stats *st, uint64_t out[TT_METRICS_BUCKETS]) {
  const bound_at *at = bounds();
  uint64_t below = 0;
  size_t b = 0;
  for (size_t k = 0; k < TT_METRICS_BUCKETS; k++) {
    uint32_t us = tt_metrics_bucket_us[k];
    for (; b < at[k].bucket; b++)
      below += tt_stats_bucket(st, b);
    if (st->received == 0 || us < st->rtt_min_us)
      out[k] = 0;
    else if (us >= st->rtt_max_us)
      out[k] = st->received;
    else
      out[k] = below + (uint64_t)(tt_stats_bucket(st, b) * at[k].share + 0.5);
    if (out[k] > st->received)
      out[k] = st->received;
    if (k > 0 && out[k] < out[k - 1])
      out[k] = out[k - 1];
  }
}

static void emit_rtt(const family *f, lines *l, const tt_view *v,
                     const tt_expo *x) {
  const tt_stats *st = &v->stats;
  if (x->opts.histograms) {
    uint64_t cum[TT_METRICS_BUCKETS];
    cumulative(st, cum);
    for (size_t k = 0; k < TT_METRICS_BUCKETS; k++)
      sample_u64(l, f->name, "_bucket", "le", bucket_le[k], cum[k]);
    sample_u64(l, f->name, "_bucket", "le", "+Inf", st->received);
  }
  sample_start(l, f->name, "_sum", NULL, NULL);
  seconds_us(l->out, st->rtt_sum_us);
  tt_bytes_put(l->out, "\n", 1);
  sample_u64(l, f->name, "_count", NULL, NULL, st->received);
}

/* Only once a reply came: before, there is no RTT to give. */
static void emit_last_rtt(const family *f, lines *l, const tt_view *v,
                          const tt_expo *x) {
  if (v->stats.received == 0)
    return;
  sample_start(l, f->name, "", NULL, NULL);
  seconds_us(l->out, v->stats.last_rtt_us);
  tt_bytes_put(l->out, "\n", 1);
}

/* A TLS target's certificate, once a handshake showed one. */
static void emit_cert(const family *f, lines *l, const tt_view *v,
                      const tt_expo *x) {
  if (v->cert == NULL || v->cert->not_after == 0)
    return;
  sample_start(l, f->name, "", NULL, NULL);
  tt_bytes_printf(l->out, "%lld\n", (long long)v->cert->not_after);
}

/* The families in the order they are written. Every target's series of
 * one family are written together, as the format wants. */
static const family families[] = {
  { "tether_build_info", "gauge", "tether's version, as a label; always 1",
    NULL, emit_build_info },
  { "tether_targets", "gauge", "Targets being watched", NULL, emit_targets },
  { "tether_skipped_slots_total", "counter",
    "Probe slots the loop came to late, every target together: the loop "
    "fell behind", NULL, emit_skipped },
  { "tether_target_info", "gauge", "A target's tags as written, mode and "
    "preset, as labels; always 1", emit_info, NULL },
  { "tether_up", "gauge", "1 when the target is up, 0 when it is degraded, "
    "connecting or down", emit_up, NULL },
  { "tether_state", "gauge", "1 for the state the target is in, 0 for the "
    "others", emit_state, NULL },
  { "tether_heartbeats_total", "counter", "Heartbeats by class: ok, or why "
    "one failed (a class appears once it was seen)", emit_heartbeats, NULL },
  { "tether_late_replies_total", "counter", "Replies that came after their "
    "heartbeat had timed out (the heartbeat stays lost)", emit_late, NULL },
  { "tether_reconnects_total", "counter", "Persistent connections closed by "
    "the peer between heartbeats and rebuilt", emit_reconnects, NULL },
  { "tether_state_changes_total", "counter", "State changes",
    emit_changes, NULL },
  { "tether_rtt_seconds", "histogram", "Round-trip time of the answered "
    "heartbeats", emit_rtt, NULL },
  { "tether_last_rtt_seconds", "gauge", "Round-trip time of the latest "
    "answered heartbeat", emit_last_rtt, NULL },
  { "tether_cert_expiry_timestamp_seconds", "gauge", "When the certificate "
    "a TLS target showed last expires, in seconds since the epoch",
    emit_cert, NULL },
};
#define NFAMILIES (sizeof families / sizeof families[0])

static void family_head(tt_bytes *out, const family *f, const tt_expo *x) {
  const char *type = f->type;
  if (f->target == emit_rtt && !x->opts.histograms)
    type = "summary";
  tt_bytes_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
                  f->name, type);
}

void tt_expo_begin(tt_expo *x, const tt_engine *e, const tt_metrics_opts *o) {
  memset(x, 0, sizeof *x);
  x->engine = e;
  x->opts = o != NULL ? *o : tt_metrics_default_opts();
}

static void next_family(tt_expo *x) {
  x->family++;
  x->next = 0;
  x->head = false;
}

bool tt_expo_next(tt_expo *x, tt_bytes *out, size_t budget) {
  size_t start = out->len;
  while (x->family < NFAMILIES && out->len - start < budget && !out->oom) {
    const family *f = &families[x->family];
    if (!x->head) {
      family_head(out, f, x);
      x->head = true;
    }
    if (f->once != NULL) {
      f->once(f, out, x);
      next_family(x);
      continue;
    }
    /* The size is read again at every slice: targets may join between. */
    size_t size = tt_engine_size(x->engine);
    while (x->next < size && out->len - start < budget) {
      const tt_view *v = tt_engine_view(x->engine, x->next++);
      lines l;
      if (v == NULL)
        continue;
      lines_start(&l, out, v->target);
      f->target(f, &l, v, x);
    }
    if (x->next >= size)
      next_family(x);
  }
  x->done = x->family >= NFAMILIES;
  return !x->done;
}

int tt_metrics_write(const tt_engine *e, const tt_metrics_opts *o,
                     tt_bytes *out) {
  tt_expo x;
  tt_expo_begin(&x, e, o);
  while (tt_expo_next(&x, out, (size_t)-1) && !out->oom)
    ;
  return out->oom ? -1 : 0;
}
