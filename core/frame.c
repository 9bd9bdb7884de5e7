/* frame.c - cutting a byte stream into replies at reply_end, or every
 * reply_bytes, within max_reply; whole replies are handed out where they
 * lie, only a reply split across reads is copied. */
#include <stdlib.h>
#include <string.h>

#include "frame.h"

void tt_framer_init(tt_framer *f, const char *end, size_t end_len,
                    uint32_t fixed, uint32_t max) {
  memset(f, 0, sizeof *f);
  f->end = end;
  f->end_len = (uint32_t)end_len;
  f->fixed = fixed;
  f->max = max;
}

void tt_framer_feed(tt_framer *f, char *data, size_t len) {
  f->in = data;
  f->in_len = len;
}

/* A line protocol's CR LF ends like "\n": the CR is not the reply's. */
static size_t trim(const tt_framer *f, const char *reply, size_t n) {
  if (f->fixed == 0 && f->end_len == 1 && f->end[0] == '\n' && n > 0 &&
      reply[n - 1] == '\r')
    n--;
  return n;
}

/* Drops the reply handed out last from the buffer. */
static void drop_taken(tt_framer *f) {
  if (f->taken == 0)
    return;
  memmove(f->buf, f->buf + f->taken, f->len - f->taken);
  f->len -= f->taken;
  f->taken = 0;
  f->scanned = 0;
}

static bool reserve(tt_framer *f, size_t need) {
  /* One byte of slack: reply[n] may be written by whoever reads it. */
  need++;
  if (need <= f->cap)
    return true;
  size_t cap = f->cap ? f->cap : 64;
  while (cap < need)
    cap *= 2;
  if (cap > (size_t)f->max + 1)
    cap = (size_t)f->max + 1;
  char *p = realloc(f->buf, cap);
  if (p == NULL)
    return false;
  f->buf = p;
  f->cap = (uint32_t)cap;
  return true;
}

/* Looks for a complete reply in s[from..len): its length without the end
 * into *n, its length with it into *whole. */
static bool complete(const tt_framer *f, const char *s, size_t from,
                     size_t len, size_t *n, size_t *whole) {
  if (f->fixed > 0) {
    if (len < f->fixed)
      return false;
    *n = *whole = f->fixed;
    return true;
  }
  const char *e = memmem(s + from, len - from, f->end, f->end_len);
  if (e == NULL)
    return false;
  *n = (size_t)(e - s);
  *whole = *n + f->end_len;
  return true;
}

tt_frame_result tt_framer_next(tt_framer *f, char **reply, size_t *n) {
  size_t whole;

  drop_taken(f);
  /* Nothing buffered: a reply that lies whole in the input is handed out
   * where it is, which is what almost every heartbeat needs. */
  if (f->len == 0 && complete(f, f->in, 0, f->in_len, n, &whole)) {
    if (whole > f->max)
      return TT_FRAME_OVERLONG;
    *reply = f->in;
    *n = trim(f, f->in, *n);
    f->in += whole;
    f->in_len -= whole;
    return TT_FRAME_REPLY;
  }
  for (;;) {
    if (f->len > 0 && complete(f, f->buf, f->scanned, f->len, n, &whole)) {
      if (whole > f->max)
        return TT_FRAME_OVERLONG;
      *reply = f->buf;
      *n = trim(f, f->buf, *n);
      f->taken = (uint32_t)whole;
      return TT_FRAME_REPLY;
    }
    /* The end may straddle what is buffered and what comes next. */
    if (f->fixed == 0)
      f->scanned = f->len >= f->end_len ? f->len - f->end_len + 1 : 0;
    if (f->len >= f->max)
      return TT_FRAME_OVERLONG;
    if (f->in_len == 0)
      return TT_FRAME_MORE;
    size_t take = f->max - f->len;
    if (f->fixed > 0 && take > f->fixed - f->len)
      take = f->fixed - f->len;
    if (take > f->in_len)
      take = f->in_len;
    if (!reserve(f, f->len + take))
      return TT_FRAME_NOMEM;
    memcpy(f->buf + f->len, f->in, take);
    f->len += (uint32_t)take;
    f->in += take;
    f->in_len -= take;
  }
}

size_t tt_framer_discard(tt_framer *f) {
  drop_taken(f);
  size_t n = f->len + f->in_len;
  f->len = 0;
  f->scanned = 0;
  f->in_len = 0;
  return n;
}

void tt_framer_free(tt_framer *f) {
  free(f->buf);
  f->buf = NULL;
  f->len = f->cap = f->scanned = f->taken = 0;
  f->in_len = 0;
}
