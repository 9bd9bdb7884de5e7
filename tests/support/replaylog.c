/* replaylog.c - temporary logs for the replay tests, and views compared
 * field by field so that a failure names what differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "replaylog.h"

void tt_rlog_open(tt_rlog *l) {
  snprintf(l->path, sizeof l->path, "/tmp/tether-replay-XXXXXX");
  l->fd = mkstemp(l->path);
  assert_true(l->fd >= 0);
  tt_sink_init_fd(&l->sink, l->fd);
}

void tt_rlog_raw(tt_rlog *l, const char *fmt, ...) {
  char buf[80 * 1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  assert_true(n >= 0 && (size_t)n < sizeof buf);
  tt_sink_write(&l->sink, buf, (size_t)n);
  tt_sink_end_record(&l->sink, TT_SINK_NO_TAG);
}

void tt_rlog_flush(tt_rlog *l) {
  assert_int_equal(tt_sink_flush(&l->sink), 0);
}

void tt_rlog_done(tt_rlog *l) {
  tt_sink_close(&l->sink);
  close(l->fd);
  unlink(l->path);
}

static void *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)len + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return buf;
}

void tt_rlog_gzip(const char *src, char *dst, int members, size_t cut) {
  size_t n;
  unsigned char *in = slurp(src, &n);
  size_t cap = n + 1024 + (size_t)members * 64;
  unsigned char *out = malloc(cap);
  size_t len = 0;
  assert_non_null(out);
  for (int m = 0; m < members; m++) {
    size_t from = n * (size_t)m / (size_t)members;
    size_t to = n * (size_t)(m + 1) / (size_t)members;
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = in + from;
    z.avail_in = (uInt)(to - from);
    z.next_out = out + len;
    z.avail_out = (uInt)(cap - len);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    len = cap - z.avail_out;
    deflateEnd(&z);
  }
  assert_true(cut <= len);
  snprintf(dst, 64, "/tmp/tether-replay-XXXXXX");
  int fd = mkstemp(dst);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, out, len - cut), (ssize_t)(len - cut));
  close(fd);
  free(in);
  free(out);
}

#define SAME(field)                                                       \
  do {                                                                    \
    if (a->field != b->field)                                             \
      fail_msg("%s: " #field " is %llu, not %llu", a->target->name,       \
               (unsigned long long)a->field, (unsigned long long)b->field); \
  } while (0)

void tt_assert_view_equal(const tt_view *a, const tt_view *b, int flags) {
  if (strcmp(a->target->name, b->target->name) != 0)
    fail_msg("target %s, not %s", a->target->name, b->target->name);
  SAME(state);
  SAME(state_since_us);
  SAME(seq);
  SAME(last_class);
  SAME(last_failure);
  if (strcmp(a->last_error, b->last_error) != 0)
    fail_msg("%s: last_error '%s', not '%s'", a->target->name, a->last_error,
             b->last_error);
  if (strcmp(a->ip, b->ip) != 0)
    fail_msg("%s: ip '%s', not '%s'", a->target->name, a->ip, b->ip);
  SAME(tls_us);
  if (!(flags & TT_CMP_NO_LOOP_TIME)) {
    SAME(state_since_ms);
    for (int s = 0; s < TT_STATE_COUNT; s++)
      SAME(time_in_state_ms[s]);
  }
  SAME(stats.sent);
  SAME(stats.received);
  SAME(stats.lost);
  SAME(stats.late);
  for (int c = 0; c < TT_CLASS_COUNT; c++)
    SAME(stats.classes[c]);
  SAME(stats.rtt_sum_us);
  SAME(stats.rtt_min_us);
  SAME(stats.rtt_max_us);
  SAME(stats.last_rtt_us);
  if (a->stats.jitter_us != b->stats.jitter_us)
    fail_msg("%s: jitter %f, not %f", a->target->name, a->stats.jitter_us,
             b->stats.jitter_us);
  SAME(stats.flaps);
  SAME(stats.changes);
  SAME(stats.reconnects);
  if (!(flags & TT_CMP_NO_SILENT)) {
    SAME(stats.skipped);
    SAME(stats.discarded_bytes);
  }
  for (size_t i = 0; i < TT_HIST_BUCKETS; i++)
    if (tt_stats_bucket(&a->stats, i) != tt_stats_bucket(&b->stats, i))
      fail_msg("%s: histogram bucket %zu: %u, not %u", a->target->name, i,
               tt_stats_bucket(&a->stats, i), tt_stats_bucket(&b->stats, i));
  SAME(stats.ring_len);
  SAME(stats.ring_next);
  for (size_t i = 0; i < TT_RING_LEN; i++)
    if (memcmp(&a->stats.ring[i], &b->stats.ring[i], sizeof a->stats.ring[i]))
      fail_msg("%s: recent result %zu differs", a->target->name, i);
}
