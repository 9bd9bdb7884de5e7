/* replaybench.c - what opening and seeking a large recorded log costs
 * (ui/replay.h), for bench/replay.sh: prints one line per measurement,
 * asserts nothing.
 *
 *   replaybench FILE [SEEKS]
 *
 * open: seconds, events, targets, checkpoints, stride, index bytes, peak
 * RSS; then seek times to the first event, the middle, the end, SEEKS
 * random moments (default 20; the median and the largest), steps to the
 * next and previous state change of one target, and a window of 10 s
 * before the middle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "replay.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static double timed_seek(tt_replay *r, uint64_t t) {
  double t0 = now_s();
  if (tt_replay_seek(r, t) != 0)
    fprintf(stderr, "replaybench: seek failed\n");
  return now_s() - t0;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static bool count_cb(const tt_replay_event *e, void *arg) {
  (void)e;
  (*(uint64_t *)arg)++;
  return true;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: replaybench FILE [SEEKS]\n");
    return 2;
  }
  int seeks = argc > 2 ? atoi(argv[2]) : 20;
  tt_replay *r;
  tt_replay_info in;
  double t0 = now_s();
  int err = tt_replay_open(argv[1], NULL, &r);
  double open_s = now_s() - t0;
  if (err != 0) {
    fprintf(stderr, "replaybench: %s: %s\n", argv[1], strerror(-err));
    return 1;
  }
  tt_replay_info_get(r, &in);
  printf("open: %.2f s, %llu events, %zu targets, %s, %zu checkpoints, "
         "stride %llu events, index %.1f MiB, peak RSS %.1f MiB%s\n",
         open_s, (unsigned long long)in.events, in.targets,
         in.gzip ? "gzip" : "plain", in.checkpoints,
         (unsigned long long)in.stride, in.index_bytes / 1048576.0,
         rss_kib() / 1024.0, in.damaged ? " (damaged)" : "");
  uint64_t mid = in.first_us + (in.last_us - in.first_us) / 2;
  printf("seek first: %.3f s\n", timed_seek(r, in.first_us));
  printf("seek middle: %.3f s\n", timed_seek(r, mid));
  printf("seek end: %.3f s\n", timed_seek(r, in.last_us));
  double *d = calloc((size_t)(seeks > 0 ? seeks : 1), sizeof *d);
  srand(1);
  for (int i = 0; i < seeks; i++)
    d[i] = timed_seek(r, in.first_us + (uint64_t)((double)rand() / RAND_MAX *
                                                  (double)(in.last_us -
                                                           in.first_us)));
  qsort(d, (size_t)seeks, sizeof *d, cmp_d);
  if (seeks > 0)
    printf("seek random (%d): median %.3f s, largest %.3f s\n", seeks,
           d[seeks / 2], d[seeks - 1]);
  free(d);
  timed_seek(r, mid);
  t0 = now_s();
  int moved = tt_replay_step(r, 1, 0, TT_REPLAY_ANY);
  printf("step next event (target 0): %.3f s%s\n", now_s() - t0,
         moved == 1 ? "" : " (none)");
  size_t flappy = tt_replay_find(r, "t00007");
  t0 = now_s();
  moved = tt_replay_step(r, 1, flappy, TT_REPLAY_CHANGES);
  printf("step next change (t00007): %.3f s%s\n", now_s() - t0,
         moved == 1 ? "" : " (none)");
  t0 = now_s();
  moved = tt_replay_step(r, -1, flappy, TT_REPLAY_CHANGES);
  printf("step previous change (t00007): %.3f s%s\n", now_s() - t0,
         moved == 1 ? "" : " (none)");
  t0 = now_s();
  moved = tt_replay_step(r, -1, SIZE_MAX, TT_REPLAY_ANY);
  printf("step previous event: %.3f s%s\n", now_s() - t0,
         moved == 1 ? "" : " (none)");
  uint64_t count = 0;
  t0 = now_s();
  tt_replay_each(r, mid - 10000000, mid, SIZE_MAX, count_cb, &count);
  printf("window of 10 s before the middle: %.3f s, %llu events\n",
         now_s() - t0, (unsigned long long)count);
  printf("peak RSS: %.1f MiB\n", rss_kib() / 1024.0);
  tt_replay_close(r);
  return 0;
}
