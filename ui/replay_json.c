/* replay_json.c - the JSON of a recorded line, scanned in one pass:
 * strings decoded into bounded buffers, numbers, and any value passed
 * over without recursion. Every length is checked against the line's end
 * and every string against its buffer. */
#include <stdio.h>
#include <string.h>

#include "replay_json.h"

/* Containers nested deeper than this (in a value that is passed over)
 * are damage: tether writes one level ("classes"). */
#define MAX_DEPTH 64

int tt_js_fail(tt_js *c, const char *what) {
  snprintf(c->why, c->n, "bad JSON at column %zu: %s",
           (size_t)(c->p - c->start) + 1, what);
  return -1;
}

static int hex4(tt_js *c, uint32_t *v) {
  *v = 0;
  if (c->end - c->p < 4)
    return tt_js_fail(c, "\\u needs four hex digits");
  for (int i = 0; i < 4; i++) {
    char ch = *c->p++;
    unsigned d = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
                 : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                 : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10)
                                          : 16u;
    if (d == 16)
      return tt_js_fail(c, "\\u needs four hex digits");
    *v = *v << 4 | d;
  }
  return 0;
}

static void put(tt_js_buf *b, const char *s, size_t n) {
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

static void put_utf8(tt_js_buf *b, uint32_t cp) {
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

static int escape_seq(tt_js *c, tt_js_buf *b) {
  uint32_t cp, lo;
  if (c->p >= c->end)
    return tt_js_fail(c, "a string is not closed");
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
  default: return tt_js_fail(c, "an unknown escape in a string");
  }
  if (hex4(c, &cp) != 0)
    return -1;
  if (cp >= 0xdc00 && cp <= 0xdfff)
    return tt_js_fail(c, "a lone surrogate in a string");
  if (cp >= 0xd800 && cp <= 0xdbff) {
    if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
      return tt_js_fail(c, "a lone surrogate in a string");
    c->p += 2;
    if (hex4(c, &lo) != 0)
      return -1;
    if (lo < 0xdc00 || lo > 0xdfff)
      return tt_js_fail(c, "a lone surrogate in a string");
    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
  }
  /* tether never writes one, and a C string could not hold it. */
  if (cp == 0)
    return tt_js_fail(c, "a NUL character in a string");
  put_utf8(b, cp);
  return 0;
}

/* Bytes that stand for themselves in a JSON string. */
static bool plain_byte(unsigned char ch) {
  return ch >= 0x20 && ch != '"' && ch != '\\';
}

/* plain_byte of every byte, made once. */
bool tt_js_plain[256];

void tt_js_init(void) {
  if (!tt_js_plain['a'])
    for (unsigned i = 0; i < 256; i++)
      tt_js_plain[i] = plain_byte((unsigned char)i);
}

/* A string at c->p (its opening quote). */
int tt_js_string(tt_js *c, tt_js_buf *b) {
  if (c->p >= c->end || *c->p != '"')
    tt_js_ws(c);
  if (c->p >= c->end || *c->p != '"')
    return tt_js_fail(c, "expected a string");
  c->p++;
  if (b->out != NULL && b->cap > 0)
    b->out[0] = '\0';
  for (;;) {
    /* The run of plain bytes in locals: c->p may alias what put writes. */
    const char *run = c->p, *p = run, *end = c->end;
    while (p < end && tt_js_plain[(unsigned char)*p])
      p++;
    c->p = p;
    put(b, run, (size_t)(p - run));
    if (c->p >= c->end)
      return tt_js_fail(c, "a string is not closed");
    char ch = *c->p++;
    if (ch == '"')
      return 0;
    if (ch != '\\') {
      c->p--;
      return tt_js_fail(c, "a control character in a string");
    }
    if (escape_seq(c, b) != 0)
      return -1;
  }
}

/* A string into buf; a cut one is damage named by what. */
int tt_js_string_to(tt_js *c, char *buf, size_t cap, const char *what) {
  tt_js_buf b = { buf, cap, 0, false };
  if (tt_js_string(c, &b) != 0)
    return -1;
  if (b.cut) {
    snprintf(c->why, c->n, "%s longer than %zu bytes", what, cap - 1);
    return -1;
  }
  return 0;
}

/* A JSON number; *u its value when it is a whole number that fits. */
int tt_js_number(tt_js *c, uint64_t *u, bool *whole) {
  uint64_t v = 0;
  bool fits = true;
  tt_js_ws(c);
  const char *s = c->p;
  if (c->p < c->end && *c->p == '-')
    c->p++;
  if (c->p >= c->end || *c->p < '0' || *c->p > '9')
    return tt_js_fail(c, "expected a value");
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
      return tt_js_fail(c, "a number without digits after '.'");
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
      c->p++;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    c->p++;
    frac = true;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
      c->p++;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
      return tt_js_fail(c, "a number without an exponent");
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
      c->p++;
  }
  *whole = fits && !frac && *s != '-';
  *u = *whole ? v : 0;
  return 0;
}

static int literal(tt_js *c) {
  static const char *const words[] = { "true", "false", "null" };
  for (size_t i = 0; i < 3; i++) {
    size_t n = strlen(words[i]);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, words[i], n) == 0) {
      c->p += n;
      return 0;
    }
  }
  return tt_js_fail(c, "expected a value");
}

/* One value that is not a container. */
static int scalar(tt_js *c) {
  uint64_t u;
  bool whole;
  tt_js_buf none = { NULL, 0, 0, false };
  tt_js_ws(c);
  if (c->p >= c->end)
    return tt_js_fail(c, "expected a value");
  if (*c->p == '"')
    return tt_js_string(c, &none);
  if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
    return tt_js_number(c, &u, &whole);
  return literal(c);
}

/* A member's key and its ':'. */
int tt_js_key(tt_js *c, tt_js_buf *key) {
  if (tt_js_string(c, key) != 0)
    return -1;
  if (!tt_js_eat(c, ':'))
    return tt_js_fail(c, "expected ':'");
  return 0;
}

/* Any value, containers nested to MAX_DEPTH, passed over: iteratively,
 * so that no line can run the stack out. */
int tt_js_skip(tt_js *c) {
  uint64_t objects = 0; /* bit d: level d is an object */
  int depth = 0;
  tt_js_buf none = { NULL, 0, 0, false };
  for (;;) {
    tt_js_ws(c);
    if (c->p < c->end && (*c->p == '{' || *c->p == '[')) {
      bool obj = *c->p++ == '{';
      if (depth == MAX_DEPTH)
        return tt_js_fail(c, "values nested too deep");
      objects = (objects & ~(UINT64_C(1) << depth)) |
                ((uint64_t)obj << depth);
      depth++;
      if (tt_js_eat(c, obj ? '}' : ']')) {
        depth--;
      } else {
        if (obj && tt_js_key(c, &none) != 0)
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
      if (tt_js_eat(c, ',')) {
        if (obj && tt_js_key(c, &none) != 0)
          return -1;
        break;
      }
      if (!tt_js_eat(c, obj ? '}' : ']'))
        return tt_js_fail(c, obj ? "expected ',' or '}'" : "expected ',' or ']'");
      depth--;
    }
  }
}
