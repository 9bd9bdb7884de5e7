/* sink.c - buffered output that is written out once per loop iteration:
 * events are never held back longer, and a run costs one write per pass. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

void tt_sink_init_fd(tt_sink *k, int fd) {
  memset(k, 0, sizeof *k);
  k->fd = fd;
}

int tt_sink_open(tt_sink *k, const char *path) {
  tt_sink_init_fd(k, -1);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  k->fd = fd;
  k->owned = true;
  return 0;
}

static bool reserve(tt_sink *k, size_t more) {
  if (k->len + more <= k->cap)
    return true;
  size_t cap = k->cap ? k->cap : 4096;
  while (cap < k->len + more)
    cap *= 2;
  char *p = realloc(k->buf, cap);
  if (p == NULL) {
    if (k->error == 0)
      k->error = -ENOMEM;
    return false;
  }
  k->buf = p;
  k->cap = cap;
  return true;
}

/* Past this, the buffer is written out at once rather than at the end of
 * the loop iteration: the summaries of 10 000 targets need not all sit
 * in memory together. */
#define SINK_HIGH_WATER (64 * 1024)

void tt_sink_write(tt_sink *k, const char *data, size_t len) {
  if (k->error != 0 || !reserve(k, len))
    return;
  memcpy(k->buf + k->len, data, len);
  k->len += len;
  if (k->len >= SINK_HIGH_WATER)
    tt_sink_flush(k);
}

void tt_sink_puts(tt_sink *k, const char *s) {
  tt_sink_write(k, s, strlen(s));
}

void tt_sink_printf(tt_sink *k, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n < sizeof small) {
    tt_sink_write(k, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (big == NULL) {
    if (k->error == 0)
      k->error = -ENOMEM;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  tt_sink_write(k, big, (size_t)n);
  free(big);
}

int tt_sink_flush(tt_sink *k) {
  size_t off = 0;
  while (k->error == 0 && off < k->len) {
    ssize_t w = write(k->fd, k->buf + off, k->len - off);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      k->error = -errno;
      break;
    }
    off += (size_t)w;
  }
  k->len = 0;
  return k->error;
}

void tt_sink_close(tt_sink *k) {
  tt_sink_flush(k);
  if (k->owned && k->fd >= 0)
    close(k->fd);
  free(k->buf);
  k->buf = NULL;
  k->len = k->cap = 0;
  k->fd = -1;
}
