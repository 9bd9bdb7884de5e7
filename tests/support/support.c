/* support.c - loop and descriptor helpers shared by the tests. */
#include <dirent.h>
#include <stdio.h>

#include "support.h"

void tt_test_libuv_once(void) {
  static bool done;
  if (done)
    return;
  /* The first loop of a process opens libuv's process-wide descriptors
   * (the signal lock pipe); open them before anyone counts. */
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_loop_close(&loop);
  done = true;
}

int tt_test_fd_count(void) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL)
    return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n - 1; /* the directory's own descriptor */
}

static void deadline_cb(uv_timer_t *t) {
  *(bool *)t->data = true;
}

bool tt_test_run_until_fn(uv_loop_t *loop, bool (*done)(void *arg),
                          void *arg, uint64_t timeout_ms) {
  uv_timer_t deadline;
  bool expired = false;
  uv_timer_init(loop, &deadline);
  deadline.data = &expired;
  uv_timer_start(&deadline, deadline_cb, timeout_ms, 0);
  uv_unref((uv_handle_t *)&deadline);
  while (!done(arg) && !expired) {
    if (uv_run(loop, UV_RUN_ONCE) == 0 && !done(arg)) {
      /* Nothing left that could make it true. */
      break;
    }
  }
  uv_close((uv_handle_t *)&deadline, NULL);
  uv_run(loop, UV_RUN_NOWAIT);
  return done(arg);
}

static bool flag_set(void *arg) {
  return *(const bool *)arg;
}

bool tt_test_run_until(uv_loop_t *loop, const bool *done, uint64_t timeout_ms) {
  return tt_test_run_until_fn(loop, flag_set, (void *)done, timeout_ms);
}

static void close_walk_cb(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

int tt_test_loop_close(uv_loop_t *loop) {
  uv_run(loop, UV_RUN_NOWAIT);
  uv_walk(loop, close_walk_cb, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  return uv_loop_close(loop);
}

static void count_walk_cb(uv_handle_t *h, void *arg) {
  if (!uv_is_closing(h))
    (*(int *)arg)++;
}

int tt_test_active_handles(uv_loop_t *loop) {
  int n = 0;
  uv_walk(loop, count_walk_cb, &n);
  return n;
}
