/* json.c - events and summaries as JSON, one object per line, with every
 * string escaped so that no control or invisible character reaches a
 * reader raw. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "format.h"
#include "output.h"
#include "summary.h"
#include "tls.h"

/* One code point as \uXXXX, or a surrogate pair above U+FFFF. */
static void put_code_point(tt_sink *k, uint32_t cp) {
  if (cp < 0x10000) {
    tt_sink_printf(k, "\\u%04x", (unsigned)cp);
    return;
  }
  cp -= 0x10000;
  tt_sink_printf(k, "\\u%04x\\u%04x", (unsigned)(0xd800 + (cp >> 10)),
                 (unsigned)(0xdc00 + (cp & 0x3ff)));
}

void tt_json_string(tt_sink *k, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  tt_sink_write(k, "\"", 1);
  size_t run = 0; /* bytes that pass as they are, written in one go */
  for (size_t i = 0; i < len;) {
    unsigned c = p[i];
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      run++;
      i++;
      continue;
    }
    if (c >= 0x80) {
      n = tt_utf8_decode(p + i, len - i, &cp);
      /* C1 controls and the invisible or reordering characters
       * (tt_char_unsafe) go escaped, as one code point each. */
      if (n > 0 && !tt_char_unsafe(cp)) {
        run += n;
        i += n;
        continue;
      }
      if (n == 0) {
        /* Not well-formed UTF-8: this byte alone, as \u00XX. Valid JSON
         * and nothing a terminal would act on; JSON cannot carry a raw
         * byte, so a reader decodes it as the code point of that value
         * (for 0x80..0x9f, the same as an escaped C1 control). */
        n = 1;
        cp = c;
      }
    }
    tt_sink_write(k, s + i - run, run);
    run = 0;
    switch (cp) {
    case '"': tt_sink_write(k, "\\\"", 2); break;
    case '\\': tt_sink_write(k, "\\\\", 2); break;
    case '\n': tt_sink_write(k, "\\n", 2); break;
    case '\r': tt_sink_write(k, "\\r", 2); break;
    case '\t': tt_sink_write(k, "\\t", 2); break;
    default: put_code_point(k, cp);
    }
    i += n;
  }
  tt_sink_write(k, s + len - run, run);
  tt_sink_write(k, "\"", 1);
}

/* Keys and numbers without printf: a heartbeat event has a dozen, and
 * there may be ten thousand events a second. */
static void key(tt_sink *k, const char *name) {
  tt_sink_write(k, ",\"", 2);
  tt_sink_puts(k, name);
  tt_sink_write(k, "\":", 2);
}

static void key_u64(tt_sink *k, const char *name, unsigned long long v) {
  key(k, name);
  tt_sink_u64(k, v);
}

/* A key whose value is a name of ours (no escaping needed). */
static void key_name(tt_sink *k, const char *name, const char *value) {
  key(k, name);
  tt_sink_write(k, "\"", 1);
  tt_sink_puts(k, value);
  tt_sink_write(k, "\"", 1);
}

static void key_str(tt_sink *k, const char *name, const char *value) {
  key(k, name);
  tt_json_string(k, value, strlen(value));
}

/* The fields every event starts with. */
static void head(tt_sink *k, uint64_t ts_us, const char *event,
                 const tt_view *v) {
  char ts[40];
  tt_fmt_rfc3339(ts, sizeof ts, ts_us);
  tt_sink_puts(k, "{\"ts\":\"");
  tt_sink_puts(k, ts);
  tt_sink_write(k, "\"", 1);
  key_name(k, "event", event);
  key_str(k, "target", v->target->name);
  key_str(k, "address", v->target->address);
  if (v->ip[0] != '\0')
    key_str(k, "ip", v->ip);
}

/* What a recording needs to know of a target that its heartbeats do not
 * say (tether(1) "target"): its tags, mode, preset and timing. */
static void settings(tt_sink *k, const tt_target *t) {
  tt_sink_puts(k, ",\"tags\":[");
  for (size_t i = 0; i < t->ntags; i++) {
    if (i > 0)
      tt_sink_write(k, ",", 1);
    tt_json_string(k, t->tags[i], strlen(t->tags[i]));
  }
  tt_sink_printf(k, "],\"mode\":\"%s\"", tt_mode_name(t->mode));
  if (t->preset != NULL)
    key_str(k, "preset", t->preset->name);
  tt_sink_printf(k, ",\"interval_ms\":%llu,\"timeout_ms\":%llu",
                 (unsigned long long)t->interval_ms,
                 (unsigned long long)t->timeout_ms);
}

/* cert_not_after (RFC 3339) and cert_days_left at ts_us. */
static void cert_dates(tt_sink *k, const tt_tls_info *c, uint64_t ts_us) {
  char when[40];
  tt_fmt_rfc3339(when, sizeof when, (uint64_t)c->not_after * 1000000u);
  tt_sink_printf(k, ",\"cert_not_after\":\"%s\",\"cert_days_left\":%lld",
                 when, (long long)tt_tls_days_left(c->not_after,
                                                   (int64_t)(ts_us / 1000000)));
}

void tt_json_event(tt_sink *k, const tt_event *ev) {
  switch (ev->kind) {
  case TT_EVENT_HEARTBEAT:
    head(k, ev->ts_us, "heartbeat", ev->view);
    key_u64(k, "seq", ev->seq);
    key_name(k, "class", tt_class_name(ev->cls));
    if (ev->cls == TT_CLASS_OK)
      key_u64(k, "rtt_us", ev->rtt_us);
    else
      key_str(k, "error", ev->error);
    if (ev->has_reply)
      key_u64(k, "reply_us", ev->reply_us);
    if (ev->has_tls) {
      key_u64(k, "tls_us", ev->tls_us);
      cert_dates(k, ev->view->cert, ev->ts_us);
    }
    break;
  case TT_EVENT_LATE:
    head(k, ev->ts_us, "late", ev->view);
    tt_sink_printf(k, ",\"seq\":%llu,\"rtt_us\":%u",
                   (unsigned long long)ev->seq, (unsigned)ev->rtt_us);
    break;
  case TT_EVENT_STATE:
    head(k, ev->ts_us, "state", ev->view);
    tt_sink_printf(k, ",\"from\":\"%s\",\"to\":\"%s\",\"class\":\"%s\"",
                   tt_state_name(ev->from), tt_state_name(ev->to),
                   tt_class_name(ev->cls));
    key_str(k, "error", ev->error);
    break;
  case TT_EVENT_RECONNECT:
    head(k, ev->ts_us, "reconnect", ev->view);
    tt_sink_printf(k, ",\"class\":\"%s\"", tt_class_name(ev->cls));
    key_str(k, "error", ev->error);
    break;
  case TT_EVENT_ADDED:
    head(k, ev->ts_us, "added", ev->view);
    settings(k, ev->view->target);
    break;
  case TT_EVENT_REMOVED:
    head(k, ev->ts_us, "removed", ev->view);
    break;
  case TT_EVENT_TLS: {
    const tt_tls_info *c = ev->view->cert;
    head(k, ev->ts_us, "tls", ev->view);
    key_str(k, "version", c->version);
    key_str(k, "cipher", c->cipher);
    key_str(k, "subject", c->subject);
    key_str(k, "issuer", c->issuer);
    key_str(k, "sans", c->sans);
    cert_dates(k, c, ev->ts_us);
    tt_sink_printf(k, ",\"trusted\":%s", c->trusted ? "true" : "false");
    if (!c->trusted)
      key_str(k, "verdict", c->verdict);
    break;
  }
  }
  tt_sink_write(k, "}\n", 2);
  tt_sink_end_record(k, ev->view->index);
}

void tt_json_target(tt_sink *k, const tt_view *v, uint64_t ts_us) {
  head(k, ts_us, "target", v);
  settings(k, v->target);
  tt_sink_write(k, "}\n", 2);
  tt_sink_end_record(k, v->index);
}

/* About an output, not a target: the one event without target and
 * address (tether(1) says so). */
void tt_json_notice(tt_sink *k, uint64_t count, void *arg) {
  char ts[40];
  tt_fmt_rfc3339(ts, sizeof ts, tt_wall_us());
  tt_sink_printf(k, "{\"ts\":\"%s\",\"event\":\"dropped\",\"count\":%llu}\n",
                 ts, (unsigned long long)count);
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

static void name_list(tt_sink *k, const char *key, char **names, size_t n) {
  tt_sink_printf(k, ",\"%s\":[", key);
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      tt_sink_write(k, ",", 1);
    tt_json_string(k, names[i], strlen(names[i]));
  }
  tt_sink_write(k, "]", 1);
}

void tt_json_reload(tt_sink *k, const char *error,
                    const tt_reload_report *rep) {
  char ts[40];
  tt_fmt_rfc3339(ts, sizeof ts, tt_wall_us());
  tt_sink_printf(k, "{\"ts\":\"%s\",\"event\":\"reload\",\"ok\":%s", ts,
                 error == NULL ? "true" : "false");
  if (error != NULL) {
    key_str(k, "error", error);
  } else {
    name_list(k, "added", rep->added, rep->nadded);
    name_list(k, "removed", rep->removed, rep->nremoved);
    name_list(k, "changed", rep->changed, rep->nchanged);
  }
  tt_sink_write(k, "}\n", 2);
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

void tt_json_hook(tt_sink *k, const tt_hook_report *h) {
  char ts[40];
  tt_fmt_rfc3339(ts, sizeof ts, tt_wall_us());
  tt_sink_printf(k, "{\"ts\":\"%s\",\"event\":\"hook\"", ts);
  if (h->target[0] != '\0') {
    key_str(k, "target", h->target);
    key_str(k, "address", h->address);
    key_str(k, "from", tt_state_name(h->from));
    key_str(k, "to", tt_state_name(h->to));
  }
  key_str(k, "outcome", tt_hook_outcome_name(h->outcome));
  if (h->outcome == TT_HOOK_DROPPED)
    tt_sink_printf(k, ",\"count\":%zu", h->dropped);
  key_str(k, "error", h->text);
  tt_sink_write(k, "}\n", 2);
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

/* The summary's fields of v (tether(1) "summary"), its classes last. */
static void summary_fields(tt_sink *k, const tt_view *v, uint64_t ts_us) {
  size_t n;
  const tt_summary_field *f = tt_summary_fields(&n);
  tt_summary_row row = { v, tt_sink_dropped_tag(k, v->index) };
  for (size_t i = 0; i < n; i++) {
    tt_value val = f[i].get(&row);
    key(k, f[i].key);
    switch (val.kind) {
    case TT_V_NONE: tt_sink_puts(k, "null"); break;
    case TT_V_STR: tt_json_string(k, val.s, strlen(val.s)); break;
    case TT_V_COUNT:
    case TT_V_RTT: tt_sink_u64(k, val.u); break;
    case TT_V_PCT: tt_sink_printf(k, "%.2f", val.d); break;
    }
  }
  /* A TLS target's last certificate, for what expires when. */
  if (v->cert != NULL)
    cert_dates(k, v->cert, ts_us);
  tt_sink_puts(k, ",\"classes\":{");
  for (int c = 0; c < TT_CLASS_COUNT; c++) {
    tt_sink_puts(k, c ? ",\"" : "\"");
    tt_sink_puts(k, tt_class_name(c));
    tt_sink_write(k, "\":", 2);
    tt_sink_u64(k, v->stats.classes[c]);
  }
  tt_sink_write(k, "}}\n", 3);
  tt_sink_end_record(k, v->index);
}

void tt_json_summary(tt_sink *k, const tt_view *v, uint64_t ts_us) {
  head(k, ts_us, "summary", v);
  summary_fields(k, v, ts_us);
}

void tt_json_view(tt_sink *k, const tt_view *v, uint64_t ts_us) {
  char since[40];
  head(k, ts_us, "view", v);
  tt_fmt_rfc3339(since, sizeof since, v->state_since_us);
  tt_sink_printf(k, ",\"since\":\"%s\",\"seq\":%llu", since,
                 (unsigned long long)v->seq);
  if (v->stats.lost > 0) {
    key_str(k, "last_failure", tt_class_name(v->last_failure));
    key_str(k, "error", v->last_error);
  }
  summary_fields(k, v, ts_us);
}

void tt_json_damage(tt_sink *k, uint64_t ts_us, uint64_t line,
                    const char *what) {
  char ts[40];
  tt_fmt_rfc3339(ts, sizeof ts, ts_us);
  tt_sink_printf(k, "{\"ts\":\"%s\",\"event\":\"damage\",\"line\":%llu", ts,
                 (unsigned long long)line);
  key_str(k, "error", what);
  tt_sink_write(k, "}\n", 2);
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}
