/* replay_read.c - a recorded event line into an event: which keys mean
 * what, what each kind of event needs, and what is shown escaped. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "replay_json.h"
#include "replay_read.h"

static int whole_number(tt_js *c, uint64_t max, uint64_t *out, const char *k) {
  bool whole;
  if (tt_js_number(c, out, &whole) != 0)
    return -1;
  if (!whole || *out > max) {
    snprintf(c->why, c->n, "\"%s\" is not a whole number in range", k);
    return -1;
  }
  return 0;
}

static int state_of(tt_js *c, tt_state *out, const char *k) {
  char buf[24];
  if (tt_js_string_to(c, buf, sizeof buf, k) != 0)
    return -1;
  for (int s = 0; s < TT_STATE_COUNT; s++) {
    if (strcmp(buf, tt_state_name((tt_state)s)) == 0) {
      *out = (tt_state)s;
      return 0;
    }
  }
  snprintf(c->why, c->n, "\"%s\" is not a state", k);
  return -1;
}

static const struct {
  const char *name;
  tt_rp_kind kind;
} kinds[] = {
  { "heartbeat", TT_RP_HEARTBEAT }, { "late", TT_RP_LATE },
  { "state", TT_RP_STATE },         { "reconnect", TT_RP_RECONNECT },
  { "added", TT_RP_ADDED },         { "removed", TT_RP_REMOVED },
  { "tls", TT_RP_TLS },             { "target", TT_RP_TARGET },
  { "summary", TT_RP_SUMMARY },     { "dropped", TT_RP_DROPPED },
};

/* The tags array: strings, as many as fit. */
static int tags(tt_js *c, tt_rp_event *ev) {
  size_t used = 0;
  tt_js_ws(c);
  if (c->p >= c->end || *c->p != '[')
    return tt_js_skip(c);
  c->p++;
  ev->ntags = 0;
  if (tt_js_eat(c, ']'))
    return 0;
  do {
    char tag[TT_MAX_TAG + 1];
    tt_js_buf b = { tag, sizeof tag, 0, false };
    if (tt_js_string(c, &b) != 0)
      return -1;
    if (b.len > 0 && used + b.len + 1 <= sizeof ev->tags) {
      memcpy(ev->tags + used, tag, b.len + 1);
      used += b.len + 1;
      ev->ntags++;
    }
  } while (tt_js_eat(c, ','));
  if (!tt_js_eat(c, ']'))
    return tt_js_fail(c, "expected ',' or ']'");
  return 0;
}

/* Which fields were seen. */
enum {
  F_TS = 1 << 0, F_EVENT = 1 << 1, F_SEQ = 1 << 2, F_CLASS = 1 << 3,
  F_FROM = 1 << 4, F_TO = 1 << 5, F_COUNT = 1 << 6
};

/* The keys a replay reads; any other is passed over. */
typedef enum key_id {
  K_OTHER, K_TS, K_EVENT, K_TARGET, K_ADDRESS, K_IP, K_SEQ, K_CLASS,
  K_RTT, K_REPLY, K_TLS, K_FROM, K_TO, K_ERROR, K_COUNT, K_MODE, K_PRESET,
  K_INTERVAL, K_TIMEOUT, K_TAGS
} key_id;

static key_id key_of(const char *k, size_t n) {
#define KEY(s, id)                                        \
  if (n == sizeof(s) - 1 && memcmp(k, s, sizeof(s) - 1) == 0) \
    return id;
  switch (k[0]) {
  case 'a': KEY("address", K_ADDRESS) break;
  case 'c': KEY("class", K_CLASS) KEY("count", K_COUNT) break;
  case 'e': KEY("event", K_EVENT) KEY("error", K_ERROR) break;
  case 'f': KEY("from", K_FROM) break;
  case 'i': KEY("ip", K_IP) KEY("interval_ms", K_INTERVAL) break;
  case 'm': KEY("mode", K_MODE) break;
  case 'p': KEY("preset", K_PRESET) break;
  case 'r': KEY("rtt_us", K_RTT) KEY("reply_us", K_REPLY) break;
  case 's': KEY("seq", K_SEQ) break;
  case 't':
    KEY("ts", K_TS) KEY("target", K_TARGET) KEY("to", K_TO)
    KEY("tls_us", K_TLS) KEY("tags", K_TAGS) KEY("timeout_ms", K_TIMEOUT)
    break;
  default: break;
  }
#undef KEY
  return K_OTHER;
}

/* The event's kind from its name; names of later versions are others. */
static tt_rp_kind kind_of(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].name[0] == s[0] && strlen(kinds[i].name) == n &&
        memcmp(kinds[i].name, s, n) == 0)
      return kinds[i].kind;
  return TT_RP_OTHER;
}

/* An ip as the engine writes one passes as it is; anything else is
 * escaped. */
static void set_ip(tt_rp_event *ev, const char *s, size_t n) {
  size_t i = 0;
  while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
                   s[i] == ':' || (s[i] >= 'a' && s[i] <= 'f') ||
                   (s[i] >= 'A' && s[i] <= 'F')))
    i++;
  if (i == n && n < sizeof ev->ip)
    memcpy(ev->ip, s, n + 1);
  else
    tt_escape(ev->ip, sizeof ev->ip, s, n, TT_ESC_ASCII);
}

static int member(tt_js *c, key_id id, const char *k, tt_rp_event *ev,
                  unsigned *seen) {
  char buf[TT_RP_ADDRESS_MAX];
  tt_js_buf b = { buf, 0, 0, false };
  uint64_t u;
  switch (id) {
  case K_TS:
    b.cap = 48;
    if (tt_js_string(c, &b) != 0)
      return -1;
    if (b.cut || tt_rp_parse_rfc3339(buf, b.len, &ev->ts_us) != 0) {
      snprintf(c->why, c->n, "\"ts\" is not an RFC 3339 time");
      return -1;
    }
    *seen |= F_TS;
    return 0;
  case K_EVENT:
    b.cap = 24;
    if (tt_js_string(c, &b) != 0)
      return -1;
    ev->kind = b.cut ? TT_RP_OTHER : kind_of(buf, b.len);
    *seen |= F_EVENT;
    return 0;
  case K_TARGET:
    if (tt_js_string_to(c, ev->target, sizeof ev->target, "a target name") != 0)
      return -1;
    ev->has_target = ev->target[0] != '\0';
    return 0;
  case K_ADDRESS:
    return tt_js_string_to(c, ev->address, sizeof ev->address, "an address");
  case K_IP:
    b.cap = 64;
    if (tt_js_string(c, &b) != 0)
      return -1;
    set_ip(ev, buf, b.len);
    return 0;
  case K_SEQ:
    *seen |= F_SEQ;
    return whole_number(c, UINT64_MAX, &ev->seq, k);
  case K_CLASS:
    if (tt_js_string_to(c, buf, 24, "a class") != 0)
      return -1;
    /* A class of a later version is a failure all the same. */
    if (buf[0] == 'o' && buf[1] == 'k' && buf[2] == '\0')
      ev->cls = TT_CLASS_OK;
    else if (tt_class_from_name(buf, &ev->cls) != 0)
      ev->cls = TT_CLASS_ERROR;
    *seen |= F_CLASS;
    return 0;
  case K_RTT:
  case K_REPLY:
  case K_TLS:
    if (whole_number(c, UINT32_MAX, &u, k) != 0)
      return -1;
    if (id == K_RTT) {
      ev->has_rtt = true;
      ev->rtt_us = (uint32_t)u;
    } else if (id == K_REPLY) {
      ev->has_reply = true;
      ev->reply_us = (uint32_t)u;
    } else {
      ev->has_tls = true;
      ev->tls_us = (uint32_t)u;
    }
    return 0;
  case K_FROM:
    *seen |= F_FROM;
    return state_of(c, &ev->from, k);
  case K_TO:
    *seen |= F_TO;
    return state_of(c, &ev->to, k);
  case K_ERROR:
    /* Cut to what a view keeps, then escaped as the engine's details
     * are: a log's own (already escaped) comes out as it went in. */
    b.cap = TT_ERROR_MAX;
    if (tt_js_string(c, &b) != 0)
      return -1;
    tt_escape(ev->error, sizeof ev->error, buf, b.len, TT_ESC_KEEP_BACKSLASH);
    return 0;
  case K_COUNT:
    *seen |= F_COUNT;
    return whole_number(c, UINT64_MAX, &ev->count, k);
  case K_MODE:
    if (tt_js_string_to(c, buf, 24, "a mode") != 0)
      return -1;
    ev->mode = strcmp(buf, "persistent") == 0 ? TT_MODE_PERSISTENT
               : strcmp(buf, "connect") == 0  ? TT_MODE_CONNECT
                                              : TT_MODE_UNSET;
    return 0;
  case K_PRESET:
    b.out = ev->preset;
    b.cap = sizeof ev->preset;
    if (tt_js_string(c, &b) != 0)
      return -1;
    if (b.cut)
      ev->preset[0] = '\0'; /* no such preset */
    return 0;
  case K_INTERVAL:
    if (whole_number(c, UINT64_MAX, &ev->interval_ms, k) != 0)
      return -1;
    ev->has_settings = ev->interval_ms > 0;
    return 0;
  case K_TIMEOUT:
    return whole_number(c, UINT64_MAX, &ev->timeout_ms, k);
  case K_TAGS:
    return tags(c, ev);
  case K_OTHER:
    break;
  }
  return tt_js_skip(c);
}

/* What each kind needs to mean anything. */
static const char *missing(const tt_rp_event *ev, unsigned seen) {
  if (!(seen & F_TS))
    return "no \"ts\"";
  if (!(seen & F_EVENT))
    return "no \"event\"";
  if (ev->kind == TT_RP_OTHER)
    return NULL;
  if (ev->kind == TT_RP_DROPPED)
    return seen & F_COUNT ? NULL : "a dropped event without \"count\"";
  if (!ev->has_target)
    return "an event without \"target\"";
  switch (ev->kind) {
  case TT_RP_HEARTBEAT:
    if (!(seen & F_SEQ) || !(seen & F_CLASS))
      return "a heartbeat without \"seq\" or \"class\"";
    if (ev->cls == TT_CLASS_OK && !ev->has_rtt)
      return "an ok heartbeat without \"rtt_us\"";
    return NULL;
  case TT_RP_LATE:
    return (seen & F_SEQ) && ev->has_rtt ? NULL
                                         : "a late event without \"seq\" "
                                           "or \"rtt_us\"";
  case TT_RP_STATE:
    return (seen & F_FROM) && (seen & F_TO)
             ? NULL
             : "a state event without \"from\" or \"to\"";
  default:
    return NULL;
  }
}

int tt_rp_parse(const char *line, size_t len, tt_rp_event *ev, char *why,
                size_t n) {
  tt_js c = { line, line + len, line, why, n };
  unsigned seen = 0;
  char key[24];

  memset(ev, 0, offsetof(tt_rp_event, target));
  ev->target[0] = ev->address[0] = ev->ip[0] = '\0';
  ev->error[0] = ev->preset[0] = '\0';
  why[0] = '\0';
  tt_js_init();
  tt_js_ws(&c);
  if (c.p == c.end)
    return 0;
  if (!tt_js_eat(&c, '{'))
    return tt_js_fail(&c, "a line is not an object");
  if (!tt_js_eat(&c, '}')) {
    do {
      key_id id;
      tt_js_ws(&c);
      /* A key without escapes is read where it is (tether writes no
       * other); one with them is decoded. */
      const char *k0 = c.p + 1, *q = k0;
      while (q < c.end && tt_js_plain[(unsigned char)*q])
        q++;
      if (c.p < c.end && *c.p == '"' && q < c.end && *q == '"' &&
          (size_t)(q - k0) < sizeof key) {
        memcpy(key, k0, (size_t)(q - k0));
        key[q - k0] = '\0';
        id = q == k0 ? K_OTHER : key_of(k0, (size_t)(q - k0));
        c.p = q + 1;
        if (!tt_js_eat(&c, ':'))
          return tt_js_fail(&c, "expected ':'");
      } else {
        tt_js_buf k = { key, sizeof key, 0, false };
        if (tt_js_key(&c, &k) != 0)
          return -1;
        /* A key too long for any of ours is one to pass over. */
        id = k.cut || k.len == 0 ? K_OTHER : key_of(key, k.len);
      }
      if (member(&c, id, key, ev, &seen) != 0)
        return -1;
    } while (tt_js_eat(&c, ','));
    if (!tt_js_eat(&c, '}'))
      return tt_js_fail(&c, "expected ',' or '}'");
  }
  tt_js_ws(&c);
  if (c.p != c.end)
    return tt_js_fail(&c, "more after the object");
  const char *what = missing(ev, seen);
  if (what != NULL) {
    snprintf(why, n, "%s", what);
    return -1;
  }
  return 1;
}
