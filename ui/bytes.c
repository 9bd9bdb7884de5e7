/* bytes.c - the growable text buffer: doubling growth, appends that
 * cannot overrun, and a sticky out-of-memory flag instead of a crash. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "format.h"

char *tt_bytes_room(tt_bytes *b, size_t n) {
  if (b->oom)
    return NULL;
  if (n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
      if (cap > ((size_t)-1) / 2) {
        b->oom = true;
        return NULL;
      }
      cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
      b->oom = true;
      return NULL;
    }
    b->p = p;
    b->cap = cap;
  }
  return b->p + b->len;
}

void tt_bytes_put(tt_bytes *b, const void *data, size_t n) {
  char *at = tt_bytes_room(b, n);
  if (at == NULL || n == 0)
    return;
  memcpy(at, data, n);
  b->len += n;
}

void tt_bytes_puts(tt_bytes *b, const char *s) {
  tt_bytes_put(b, s, strlen(s));
}

void tt_bytes_printf(tt_bytes *b, const char *fmt, ...) {
  va_list ap;
  char small[256];
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n < sizeof small) {
    tt_bytes_put(b, small, (size_t)n);
    return;
  }
  char *at = tt_bytes_room(b, (size_t)n + 1);
  if (at == NULL)
    return;
  va_start(ap, fmt);
  vsnprintf(at, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void tt_bytes_u64(tt_bytes *b, unsigned long long v) {
  char digits[TT_FMT_U64];
  size_t i = tt_fmt_u64(digits, v);
  tt_bytes_put(b, digits + i, sizeof digits - i);
}

void tt_bytes_consume(tt_bytes *b, size_t n) {
  if (n >= b->len) {
    b->len = 0;
    return;
  }
  memmove(b->p, b->p + n, b->len - n);
  b->len -= n;
}

void tt_bytes_free(tt_bytes *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}
