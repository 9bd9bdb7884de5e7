/* bytes.h - a growable buffer for text being built: an HTTP response, a
 * slice of the metrics exposition. It never fails loudly: after an
 * allocation failure it stops growing and says so in oom. */
#ifndef TETHER_BYTES_H
#define TETHER_BYTES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tt_bytes {
  char *p;
  size_t len, cap;
  bool oom; /* an allocation failed: what was asked for is not all there */
} tt_bytes;

/* Room for n more bytes at p + len, or NULL (oom set). */
char *tt_bytes_room(tt_bytes *b, size_t n);
void tt_bytes_put(tt_bytes *b, const void *data, size_t n);
void tt_bytes_puts(tt_bytes *b, const char *s);
void tt_bytes_printf(tt_bytes *b, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Appends a whole number in decimal. */
void tt_bytes_u64(tt_bytes *b, unsigned long long v);
/* Drops the first n bytes, keeping the rest (and the allocation). */
void tt_bytes_consume(tt_bytes *b, size_t n);
void tt_bytes_free(tt_bytes *b);

#endif
