/* replay_read.c - a recorded event line into an event: one pass over the
 * bytes, no recursion, no allocation, every length checked against the
 * line's end and every string against its buffer. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "replay_read.h"

/* Containers nested deeper than this (in a value that is passed over)
 * are damage: tether writes one level ("classes"). */
#define MAX_DEPTH 64

typedef struct cur {
  const char *p, *end, *start;
  char *why;
  size_t n;
} cur;

static int fail(cur *c, const char *what) {
  snprintf(c->why, c->n, "bad JSON at column %zu: %s",
           (size_t)(c->p - c->start) + 1, what);
  return -1;
}

static void ws(cur *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
    c->p++;
}

static bool eat(cur *c, char ch) {
  ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

static int hex4(cur *c, uint32_t *v) {
  *v = 0;
  if (c->end - c->p < 4)
    return fail(c, "\\u needs four hex digits");
  for (int i = 0; i < 4; i++) {
    char ch = *c->p++;
    unsigned d = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
                 : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                 : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10)
                                          : 16u;
    if (d == 16)
      return fail(c, "\\u needs four hex digits");
    *v = *v << 4 | d;
  }
  return 0;
}

/* A string's bytes go to out (cap bytes, NUL included; NULL: checked
 * and dropped); *cut says when they did not all fit. */
typedef struct sbuf {
  char *out;
  size_t cap, len;
  bool cut;
} sbuf;

static void put(sbuf *b, const char *s, size_t n) {
  if (b->out == NULL)
    return;
  if (b->len + n >= b->cap) {
    b->cut = b->cut || n > 0;
    n = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
  }
  memcpy(b->out + b->len, s, n);
  b->len += n;
  b->out[b->len] = '\0';
}

static void put_utf8(sbuf *b, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xc0 | cp >> 6);
    u[1] = (char)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xe0 | cp >> 12);
    u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    u[2] = (char)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    u[0] = (char)(0xf0 | cp >> 18);
    u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    u[3] = (char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  put(b, u, n);
}

static int escape_seq(cur *c, sbuf *b) {
  uint32_t cp, lo;
  if (c->p >= c->end)
    return fail(c, "a string is not closed");
  char e = *c->p++;
  switch (e) {
  case '"': put(b, "\"", 1); return 0;
  case '\\': put(b, "\\", 1); return 0;
  case '/': put(b, "/", 1); return 0;
  case 'b': put(b, "\b", 1); return 0;
  case 'f': put(b, "\f", 1); return 0;
  case 'n': put(b, "\n", 1); return 0;
  case 'r': put(b, "\r", 1); return 0;
  case 't': put(b, "\t", 1); return 0;
  case 'u': break;
  default: return fail(c, "an unknown escape in a string");
  }
  if (hex4(c, &cp) != 0)
    return -1;
  if (cp >= 0xdc00 && cp <= 0xdfff)
    return fail(c, "a lone surrogate in a string");
  if (cp >= 0xd800 && cp <= 0xdbff) {
    if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
      return fail(c, "a lone surrogate in a string");
    c->p += 2;
    if (hex4(c, &lo) != 0)
      return -1;
    if (lo < 0xdc00 || lo > 0xdfff)
      return fail(c, "a lone surrogate in a string");
    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
  }
  /* tether never writes one, and a C string could not hold it. */
  if (cp == 0)
    return fail(c, "a NUL character in a string");
  put_utf8(b, cp);
  return 0;
}

/* Bytes that stand for themselves in a JSON string. */
static bool plain_byte(unsigned char ch) {
  return ch >= 0x20 && ch != '"' && ch != '\\';
}

/* plain_byte of every byte, made once. */
static bool plain[256];

static void init_plain(void) {
  if (!plain['a'])
    for (unsigned i = 0; i < 256; i++)
      plain[i] = plain_byte((unsigned char)i);
}

/* A string at c->p (its opening quote). */
static int string(cur *c, sbuf *b) {
  ws(c);
  if (c->p >= c->end || *c->p != '"')
    return fail(c, "expected a string");
  c->p++;
  if (b->out != NULL && b->cap > 0)
    b->out[0] = '\0';
  for (;;) {
    /* The run of plain bytes in locals: c->p may alias what put writes. */
    const char *run = c->p, *p = run, *end = c->end;
    while (p < end && plain[(unsigned char)*p])
      p++;
    c->p = p;
    put(b, run, (size_t)(p - run));
    if (c->p >= c->end)
      return fail(c, "a string is not closed");
    char ch = *c->p++;
    if (ch == '"')
      return 0;
    if (ch != '\\') {
      c->p--;
      return fail(c, "a control character in a string");
    }
    if (escape_seq(c, b) != 0)
      return -1;
  }
}

/* A string into buf; a cut one is damage named by what. */
static int string_to(cur *c, char *buf, size_t cap, const char *what) {
  sbuf b = { buf, cap, 0, false };
  if (string(c, &b) != 0)
    return -1;
  if (b.cut) {
    snprintf(c->why, c->n, "%s longer than %zu bytes", what, cap - 1);
    return -1;
  }
  return 0;
}

/* A JSON number; *u its value when it is a whole number that fits. */
static int number(cur *c, uint64_t *u, bool *whole) {
  uint64_t v = 0;
  bool fits = true;
  ws(c);
  const char *s = c->p;
  if (c->p < c->end && *c->p == '-')
    c->p++;
  if (c->p >= c->end || *c->p < '0' || *c->p > '9')
    return fail(c, "expected a value");
  if (*c->p == '0') {
    c->p++;
  } else {
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
      unsigned d = (unsigned)(*c->p++ - '0');
      if (v > (UINT64_MAX - d) / 10)
        fits = false;
      v = v * 10 + d;
    }
  }
  bool frac = false;
  if (c->p < c->end && *c->p == '.') {
    c->p++;
    frac = true;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
      return fail(c, "a number without digits after '.'");
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
      c->p++;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    c->p++;
    frac = true;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
      c->p++;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
      return fail(c, "a number without an exponent");
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
      c->p++;
  }
  *whole = fits && !frac && *s != '-';
  *u = *whole ? v : 0;
  return 0;
}

static int literal(cur *c) {
  static const char *const words[] = { "true", "false", "null" };
  for (size_t i = 0; i < 3; i++) {
    size_t n = strlen(words[i]);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, words[i], n) == 0) {
      c->p += n;
      return 0;
    }
  }
  return fail(c, "expected a value");
}

/* One value that is not a container. */
static int scalar(cur *c) {
  uint64_t u;
  bool whole;
  sbuf none = { NULL, 0, 0, false };
  ws(c);
  if (c->p >= c->end)
    return fail(c, "expected a value");
  if (*c->p == '"')
    return string(c, &none);
  if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
    return number(c, &u, &whole);
  return literal(c);
}

/* A member's key and its ':'. */
static int member_key(cur *c, sbuf *key) {
  if (string(c, key) != 0)
    return -1;
  if (!eat(c, ':'))
    return fail(c, "expected ':'");
  return 0;
}

/* Any value, containers nested to MAX_DEPTH, passed over: iteratively,
 * so that no line can run the stack out. */
static int skip_value(cur *c) {
  uint64_t objects = 0; /* bit d: level d is an object */
  int depth = 0;
  sbuf none = { NULL, 0, 0, false };
  for (;;) {
    ws(c);
    if (c->p < c->end && (*c->p == '{' || *c->p == '[')) {
      bool obj = *c->p++ == '{';
      if (depth == MAX_DEPTH)
        return fail(c, "values nested too deep");
      objects = (objects & ~(UINT64_C(1) << depth)) |
                ((uint64_t)obj << depth);
      depth++;
      if (eat(c, obj ? '}' : ']')) {
        depth--;
      } else {
        if (obj && member_key(c, &none) != 0)
          return -1;
        continue;
      }
    } else if (scalar(c) != 0) {
      return -1;
    }
    /* After a value: the next member, or the ends of containers. */
    for (;;) {
      if (depth == 0)
        return 0;
      bool obj = objects >> (depth - 1) & 1;
      if (eat(c, ',')) {
        if (obj && member_key(c, &none) != 0)
          return -1;
        break;
      }
      if (!eat(c, obj ? '}' : ']'))
        return fail(c, obj ? "expected ',' or '}'" : "expected ',' or ']'");
      depth--;
    }
  }
}

static int whole_number(cur *c, uint64_t max, uint64_t *out, const char *k) {
  bool whole;
  if (number(c, out, &whole) != 0)
    return -1;
  if (!whole || *out > max) {
    snprintf(c->why, c->n, "\"%s\" is not a whole number in range", k);
    return -1;
  }
  return 0;
}

static int state_of(cur *c, tt_state *out, const char *k) {
  char buf[24];
  if (string_to(c, buf, sizeof buf, k) != 0)
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
static int tags(cur *c, tt_rp_event *ev) {
  size_t used = 0;
  ws(c);
  if (c->p >= c->end || *c->p != '[')
    return skip_value(c);
  c->p++;
  ev->ntags = 0;
  if (eat(c, ']'))
    return 0;
  do {
    char tag[TT_MAX_TAG + 1];
    sbuf b = { tag, sizeof tag, 0, false };
    if (string(c, &b) != 0)
      return -1;
    if (b.len > 0 && used + b.len + 1 <= sizeof ev->tags) {
      memcpy(ev->tags + used, tag, b.len + 1);
      used += b.len + 1;
      ev->ntags++;
    }
  } while (eat(c, ','));
  if (!eat(c, ']'))
    return fail(c, "expected ',' or ']'");
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

static int member(cur *c, key_id id, const char *k, tt_rp_event *ev,
                  unsigned *seen) {
  char buf[TT_RP_ADDRESS_MAX];
  sbuf b = { buf, 0, 0, false };
  uint64_t u;
  switch (id) {
  case K_TS:
    b.cap = 48;
    if (string(c, &b) != 0)
      return -1;
    if (b.cut || tt_rp_parse_rfc3339(buf, b.len, &ev->ts_us) != 0) {
      snprintf(c->why, c->n, "\"ts\" is not an RFC 3339 time");
      return -1;
    }
    *seen |= F_TS;
    return 0;
  case K_EVENT:
    b.cap = 24;
    if (string(c, &b) != 0)
      return -1;
    ev->kind = b.cut ? TT_RP_OTHER : kind_of(buf, b.len);
    *seen |= F_EVENT;
    return 0;
  case K_TARGET:
    if (string_to(c, ev->target, sizeof ev->target, "a target name") != 0)
      return -1;
    ev->has_target = ev->target[0] != '\0';
    return 0;
  case K_ADDRESS:
    return string_to(c, ev->address, sizeof ev->address, "an address");
  case K_IP:
    b.cap = 64;
    if (string(c, &b) != 0)
      return -1;
    set_ip(ev, buf, b.len);
    return 0;
  case K_SEQ:
    *seen |= F_SEQ;
    return whole_number(c, UINT64_MAX, &ev->seq, k);
  case K_CLASS:
    if (string_to(c, buf, 24, "a class") != 0)
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
    if (string(c, &b) != 0)
      return -1;
    tt_escape(ev->error, sizeof ev->error, buf, b.len, TT_ESC_KEEP_BACKSLASH);
    return 0;
  case K_COUNT:
    *seen |= F_COUNT;
    return whole_number(c, UINT64_MAX, &ev->count, k);
  case K_MODE:
    if (string_to(c, buf, 24, "a mode") != 0)
      return -1;
    ev->mode = strcmp(buf, "persistent") == 0 ? TT_MODE_PERSISTENT
               : strcmp(buf, "connect") == 0  ? TT_MODE_CONNECT
                                              : TT_MODE_UNSET;
    return 0;
  case K_PRESET:
    b.out = ev->preset;
    b.cap = sizeof ev->preset;
    if (string(c, &b) != 0)
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
  return skip_value(c);
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
  cur c = { line, line + len, line, why, n };
  unsigned seen = 0;
  char key[24];

  memset(ev, 0, offsetof(tt_rp_event, target));
  ev->target[0] = ev->address[0] = ev->ip[0] = '\0';
  ev->error[0] = ev->preset[0] = '\0';
  why[0] = '\0';
  init_plain();
  ws(&c);
  if (c.p == c.end)
    return 0;
  if (!eat(&c, '{'))
    return fail(&c, "a line is not an object");
  if (!eat(&c, '}')) {
    do {
      key_id id;
      ws(&c);
      /* A key without escapes is read where it is (tether writes no
       * other); one with them is decoded. */
      const char *k0 = c.p + 1, *q = k0;
      while (q < c.end && plain[(unsigned char)*q])
        q++;
      if (c.p < c.end && *c.p == '"' && q < c.end && *q == '"' &&
          (size_t)(q - k0) < sizeof key) {
        memcpy(key, k0, (size_t)(q - k0));
        key[q - k0] = '\0';
        id = q == k0 ? K_OTHER : key_of(k0, (size_t)(q - k0));
        c.p = q + 1;
        if (!eat(&c, ':'))
          return fail(&c, "expected ':'");
      } else {
        sbuf k = { key, sizeof key, 0, false };
        if (member_key(&c, &k) != 0)
          return -1;
        /* A key too long for any of ours is one to pass over. */
        id = k.cut || k.len == 0 ? K_OTHER : key_of(key, k.len);
      }
      if (member(&c, id, key, ev, &seen) != 0)
        return -1;
    } while (eat(&c, ','));
    if (!eat(&c, '}'))
      return fail(&c, "expected ',' or '}'");
  }
  ws(&c);
  if (c.p != c.end)
    return fail(&c, "more after the object");
  const char *what = missing(ev, seen);
  if (what != NULL) {
    snprintf(why, n, "%s", what);
    return -1;
  }
  return 1;
}

/* ---- RFC 3339 ------------------------------------------------------------ */

static bool digits(const char *s, size_t n, unsigned *v) {
  *v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    *v = *v * 10 + (unsigned)(s[i] - '0');
  }
  return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m) {
  static const unsigned len[] = { 31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31 };
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : len[m - 1];
}

int tt_rp_parse_rfc3339(const char *s, size_t len, uint64_t *us) {
  unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
  if (len < 20 || !digits(s, 4, &y) || s[4] != '-' ||
      !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
      s[16] != ':' || !digits(s + 17, 2, &sec))
    return -1;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
      h > 23 || mi > 59 || sec > 60)
    return -1;
  size_t i = 19;
  uint64_t frac = 0;
  if (i < len && s[i] == '.') {
    size_t k = 0;
    for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, k++)
      if (k < 6)
        frac = frac * 10 + (uint64_t)(s[i] - '0');
    if (k == 0)
      return -1;
    for (; k < 6; k++)
      frac *= 10;
  }
  int sign = 0;
  if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
             digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
             digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
    sign = s[i] == '+' ? 1 : -1;
    i += 6;
  } else {
    return -1;
  }
  if (i != len)
    return -1;
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  t -= sign * (int64_t)(oh * 3600 + om * 60);
  if (t < 0)
    return -1;
  *us = (uint64_t)t * 1000000u + frac;
  return 0;
}
