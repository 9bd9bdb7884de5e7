/* fuzz_replay.c - libFuzzer target: any bytes as a recorded log, plain or
 * gzip, opened for replay with small checkpoints, then sought, stepped
 * and windowed, and every line read on its own: never a crash, a leak,
 * a hang or a read past a buffer, whatever the damage.
 *
 * Inputs that start with gzip's magic bytes are read as gzip; the seeds
 * hold both, and lines that are damaged in every way the reader knows. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "replay.h"
#include "replay_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool count_cb(const tt_replay_event *e, void *arg) {
  (*(size_t *)arg)++;
  return *(size_t *)arg < 50;
}

/* Each line on its own, as the parser sees it. */
static void each_line(const uint8_t *data, size_t size) {
  static tt_rp_event ev;
  char why[160];
  while (size > 0) {
    const uint8_t *nl = memchr(data, '\n', size);
    size_t n = nl ? (size_t)(nl - data) : size;
    tt_rp_parse((const char *)data, n, &ev, why, sizeof why);
    if (nl == NULL)
      break;
    data += n + 1;
    size -= n + 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tt_replay *r;
  tt_replay_info in;
  tt_replay_opts o = { .budget = 4096, .min_stride = 3 };
  uint64_t t;
  char why[200];
  size_t seen = 0;

  char path[64];
  int rc;

  each_line(data, size);
  /* The log as a file in memory: nothing left behind. */
  int fd = memfd_create("replay", 0);
  if (fd < 0)
    return 0;
  if (write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return 0;
  }
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  rc = tt_replay_open(path, &o, &r);
  close(fd);
  if (rc != 0)
    return 0;
  tt_replay_info_get(r, &in);
  uint64_t span = in.last_us - in.first_us;
  tt_replay_seek(r, in.last_us);
  tt_replay_seek(r, in.first_us + span / 3);
  tt_replay_seek(r, in.first_us);
  tt_replay_seek_event(r, in.events / 2);
  for (size_t i = 0; i < tt_replay_size(r) && i < 4; i++) {
    tt_replay_step(r, 1, i, TT_REPLAY_CHANGES);
    tt_replay_step(r, -1, i, TT_REPLAY_ANY);
    const tt_view *v = tt_replay_view(r, i);
    if (v != NULL && strlen(v->last_error) >= TT_ERROR_MAX)
      abort();
  }
  tt_replay_step(r, 1, SIZE_MAX, TT_REPLAY_ANY);
  tt_replay_step(r, -1, SIZE_MAX, TT_REPLAY_CHANGES);
  tt_replay_each(r, in.first_us, in.last_us, SIZE_MAX, count_cb, &seen);
  tt_replay_parse_time(r, "03:12", &t, why, sizeof why);
  tt_replay_close(r);
  return 0;
}
