/* replaygen.c - a large recorded event log for bench/replay.sh, written as
 * tether's --log writes one: a "target" event per target, then for every
 * second of the run one heartbeat per target at its phase, state changes
 * where a few targets go down and come back, and the summaries at the end.
 *
 *   replaygen [-z] TARGETS SECONDS FILE
 *
 * -z writes gzip (zlib, level 1). Deterministic: the same arguments give
 * the same bytes. Every target has a 1 s interval; one in 500 is down for
 * a minute every ten, failing with "refused". */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define START_S 1795921200ull /* 2026-11-29T03:00:00Z */
#define INTERVAL_US 1000000ull

typedef struct out {
  FILE *f;
  gzFile z;
  char buf[1 << 16];
  size_t len;
} out;

static void flush(out *o) {
  if (o->z != NULL)
    gzwrite(o->z, o->buf, (unsigned)o->len);
  else
    fwrite(o->buf, 1, o->len, o->f);
  o->len = 0;
}

static void emit(out *o, const char *line, size_t n) {
  if (o->len + n > sizeof o->buf)
    flush(o);
  memcpy(o->buf + o->len, line, n);
  o->len += n;
}

/* "2026-11-29T03:12:40.123456Z", the date part computed once a second. */
static size_t stamp(char *buf, uint64_t us) {
  static uint64_t cached_s = UINT64_MAX;
  static char head[32];
  uint64_t s = us / 1000000;
  if (s != cached_s) {
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_s = s;
  }
  return (size_t)sprintf(buf, "%s.%06uZ", head, (unsigned)(us % 1000000));
}

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 32);
}

typedef struct target {
  uint64_t sent, lost;
  bool down;
} target;

static bool is_down(size_t i, uint64_t sec) {
  /* One in 500: down from minute 5 to 6 of every ten, shifted by i. */
  return i % 500 == 7 && (sec + i) % 600 >= 300 && (sec + i) % 600 < 360;
}

int main(int argc, char **argv) {
  bool gz = argc > 1 && strcmp(argv[1], "-z") == 0;
  int a = gz ? 2 : 1;
  if (argc - a != 3) {
    fprintf(stderr, "usage: replaygen [-z] TARGETS SECONDS FILE\n");
    return 2;
  }
  size_t n = strtoul(argv[a], NULL, 10);
  uint64_t secs = strtoull(argv[a + 1], NULL, 10);
  out o = { 0 };
  if (gz)
    o.z = gzopen(argv[a + 2], "wb1");
  else
    o.f = fopen(argv[a + 2], "w");
  if (n == 0 || (gz ? o.z == NULL : o.f == NULL)) {
    fprintf(stderr, "replaygen: cannot write %s\n", argv[a + 2]);
    return 1;
  }
  target *t = calloc(n, sizeof *t);
  char line[512], ts[40];
  uint64_t t0 = START_S * 1000000ull;

  stamp(ts, t0);
  for (size_t i = 0; i < n; i++)
    emit(&o, line, (size_t)sprintf(line,
      "{\"ts\":\"%s\",\"event\":\"target\",\"target\":\"t%05zu\","
      "\"address\":\"10.%zu.%zu.%zu:6379\",\"ip\":\"10.%zu.%zu.%zu\","
      "\"tags\":[\"bench\",\"%s\"],\"mode\":\"persistent\",\"preset\":"
      "\"redis\",\"interval_ms\":1000,\"timeout_ms\":1000}\n", ts, i,
      i >> 16 & 255, i >> 8 & 255, i & 255, i >> 16 & 255, i >> 8 & 255,
      i & 255, i % 2 ? "prod" : "test"));
  for (uint64_t s = 0; s < secs; s++) {
    for (size_t i = 0; i < n; i++) {
      target *x = &t[i];
      uint64_t at = t0 + s * INTERVAL_US + INTERVAL_US * i / n;
      bool down = is_down(i, s);
      x->sent++;
      if (down) {
        x->lost++;
        stamp(ts, at + 120);
        emit(&o, line, (size_t)sprintf(line,
          "{\"ts\":\"%s\",\"event\":\"heartbeat\",\"target\":\"t%05zu\","
          "\"address\":\"10.%zu.%zu.%zu:6379\",\"ip\":\"10.%zu.%zu.%zu\","
          "\"seq\":%llu,\"class\":\"refused\",\"error\":\"connection "
          "refused\"}\n", ts, i, i >> 16 & 255, i >> 8 & 255, i & 255,
          i >> 16 & 255, i >> 8 & 255, i & 255, (unsigned long long)x->sent));
      } else {
        uint32_t rtt = 80 + next_rand() % 400;
        stamp(ts, at + rtt);
        emit(&o, line, (size_t)sprintf(line,
          "{\"ts\":\"%s\",\"event\":\"heartbeat\",\"target\":\"t%05zu\","
          "\"address\":\"10.%zu.%zu.%zu:6379\",\"ip\":\"10.%zu.%zu.%zu\","
          "\"seq\":%llu,\"class\":\"ok\",\"rtt_us\":%u}\n", ts, i,
          i >> 16 & 255, i >> 8 & 255, i & 255, i >> 16 & 255,
          i >> 8 & 255, i & 255, (unsigned long long)x->sent, rtt));
      }
      if (down != x->down || x->sent == 1) {
        const char *from = x->sent == 1 ? "connecting" : down ? "up" : "down";
        emit(&o, line, (size_t)sprintf(line,
          "{\"ts\":\"%s\",\"event\":\"state\",\"target\":\"t%05zu\","
          "\"address\":\"10.%zu.%zu.%zu:6379\",\"ip\":\"10.%zu.%zu.%zu\","
          "\"from\":\"%s\",\"to\":\"%s\",\"class\":\"%s\",\"error\":\"%s\"}\n",
          ts, i, i >> 16 & 255, i >> 8 & 255, i & 255, i >> 16 & 255,
          i >> 8 & 255, i & 255, from, down ? "down" : "up",
          down ? "refused" : "ok", down ? "connection refused" : ""));
        x->down = down;
      }
    }
  }
  stamp(ts, t0 + secs * INTERVAL_US);
  for (size_t i = 0; i < n; i++)
    emit(&o, line, (size_t)sprintf(line,
      "{\"ts\":\"%s\",\"event\":\"summary\",\"target\":\"t%05zu\","
      "\"address\":\"10.%zu.%zu.%zu:6379\",\"state\":\"%s\",\"sent\":%llu,"
      "\"lost\":%llu,\"classes\":{\"ok\":%llu}}\n", ts, i, i >> 16 & 255,
      i >> 8 & 255, i & 255, t[i].down ? "down" : "up",
      (unsigned long long)t[i].sent, (unsigned long long)t[i].lost,
      (unsigned long long)(t[i].sent - t[i].lost)));
  flush(&o);
  if (gz)
    gzclose(o.z);
  else if (fclose(o.f) != 0)
    return 1;
  free(t);
  return 0;
}
