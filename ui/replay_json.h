/* replay_json.h - private to replay_read.c: a one-pass scanner for the
 * flat JSON objects of a recorded log. */
#ifndef TETHER_REPLAY_JSON_H
#define TETHER_REPLAY_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the scan is in a line, and where its damage is said. */
typedef struct tt_js {
  const char *p, *end, *start;
  char *why;
  size_t n;
} tt_js;

/* A string's bytes go to out (cap bytes, NUL included; NULL: checked and
 * dropped); cut says when they did not all fit. */
typedef struct tt_js_buf {
  char *out;
  size_t cap, len;
  bool cut;
} tt_js_buf;

/* Bytes that stand for themselves in a string (tt_js_init makes it). */
extern bool tt_js_plain[256];
void tt_js_init(void);

static inline void tt_js_ws(tt_js *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
    c->p++;
}

/* ch next (after any space): passed, true. */
static inline bool tt_js_eat(tt_js *c, char ch) {
  if (c->p < c->end && *c->p == ch) { /* tether writes no spaces */
    c->p++;
    return true;
  }
  tt_js_ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

/* "bad JSON at column N: what"; returns -1. */
int tt_js_fail(tt_js *c, const char *what);
/* A string; returns 0 or -1. */
int tt_js_string(tt_js *c, tt_js_buf *b);
/* A string into buf; one that is cut is damage, named by what. */
int tt_js_string_to(tt_js *c, char *buf, size_t cap, const char *what);
/* A number; *u its value when *whole (a whole number that fits). */
int tt_js_number(tt_js *c, uint64_t *u, bool *whole);
/* A member's key and its ':'. */
int tt_js_key(tt_js *c, tt_js_buf *key);
/* Any value, containers nested to a bound, passed over. */
int tt_js_skip(tt_js *c);

#endif
