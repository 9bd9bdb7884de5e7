/* test_reload_soak.c - a hundred reloads at a thousand targets: each one
 * removes half the targets, adds as many and restarts a tenth of those it
 * keeps, while every target probes a real server. Afterwards the process
 * holds the descriptors and the memory it held after the tenth reload, the
 * targets that never changed kept their sessions and their sequence, and
 * the engine stops clean (in the sanitizer build, LeakSanitizer checks
 * every byte). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer's own count (its header ships with clang, not gcc). */
size_t __sanitizer_get_current_allocated_bytes(void);
#else
#include <malloc.h>
#endif

#include "harness.h"
#include "support.h"

enum {
  TARGETS = 1000,
  RELOADS = 100,
  MARK = 10,           /* the reload whose footprint the last must match */
  PROBES = 200,        /* heartbeats anywhere between two reloads */
  SLACK = 128 * 1024,  /* bytes: less than 3 bytes per removed target */
  YAML_MAX = 128 * 1024,
};

/* Bytes the program holds on the heap now. */
static size_t heap_in_use(void) {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd; /* large blocks are mapped */
#endif
}

/* Targets k0..k499 stay in every file; k0..k99 alternate their interval
 * (a restart); the other half is "a*" in one file and "b*" in the next. */
static void write_file(char *buf, unsigned port, int round) {
  size_t n = (size_t)snprintf(buf, YAML_MAX,
    "defaults:\n  " TT_H_FAST "  preset: redis\ntargets:\n");
  for (int i = 0; i < TARGETS / 2; i++) {
    bool odd = i < TARGETS / 10 && round % 2 == 1;
    const char *iv = odd ? ", interval: 250ms" : "";
    n += (size_t)snprintf(buf + n, YAML_MAX - n,
                          "  - { name: k%d, address: \"127.0.0.1:%u\"%s }\n",
                          i, port, iv);
  }
  for (int i = 0; i < TARGETS / 2; i++)
    n += (size_t)snprintf(buf + n, YAML_MAX - n,
                          "  - { name: %c%d, address: \"127.0.0.1:%u\" }\n",
                          round % 2 == 0 ? 'a' : 'b', i, port);
  assert_true(n < YAML_MAX);
}

typedef struct soak {
  tt_harness h;
  uint64_t heartbeats;  /* since the start */
  uint64_t until;       /* run until heartbeats reaches this */
  int fds;              /* the footprint to return to (0: any) */
} soak;

static void count_cb(tt_harness *h, const tt_event *ev) {
  soak *s = h->user;
  s->heartbeats += ev->kind == TT_EVENT_HEARTBEAT;
}

static bool probed(void *arg) {
  soak *s = arg;
  return s->heartbeats >= s->until;
}

/* Every target in the engine is up, and, when a footprint is known, the
 * process holds exactly its descriptors (nothing of a removed target is
 * still closing). */
static bool settled(void *arg) {
  soak *s = arg;
  size_t live = 0;
  for (size_t i = 0; i < tt_engine_size(s->h.engine); i++) {
    const tt_view *v = tt_engine_view(s->h.engine, i);
    if (v == NULL)
      continue;
    if (v->state != TT_STATE_UP)
      return false;
    live++;
  }
  if (live != TARGETS)
    return false;
  return s->fds == 0 || tt_test_fd_count() == s->fds;
}

static void settle(soak *s, const char *when) {
  if (!tt_test_run_until_fn(&s->h.loop, settled, s, 20000))
    fail_msg("%s: targets not all up, or %d descriptors instead of %d",
             when, tt_test_fd_count(), s->fds);
}

static void test_hundred_reloads_leave_nothing(void **unused) {
  /* Two descriptors per target (ours and the server's) and room. */
  struct rlimit rl;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur < 4 * TARGETS) {
    rl.rlim_cur = rl.rlim_max < 8 * TARGETS ? rl.rlim_max : 8 * TARGETS;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < 4 * TARGETS)
      skip();
  }
  soak *s = calloc(1, sizeof *s);
  char *yaml = malloc(YAML_MAX);
  assert_non_null(s);
  assert_non_null(yaml);
  tt_harness *h = &s->h;
  tt_h_setup(h);
  h->user = s;
  h->on_event = count_cb;
  tt_fault *f = tt_h_serve(h, TT_FAULT_RESPOND);
  unsigned port = tt_fault_port(f);
  write_file(yaml, port, 0);
  tt_h_config(h, "%s", yaml);
  tt_h_start(h);
  settle(s, "start");
  const tt_view *kept = tt_engine_view(h->engine, TARGETS / 2 - 1);
  assert_string_equal(kept->target->name, "k499");

  size_t heap_mark = 0;
  uint64_t kept_seq = 0;
  for (int round = 1; round <= RELOADS; round++) {
    write_file(yaml, port, round);
    tt_reload_report rep = tt_h_reload(h, "%s", yaml);
    assert_int_equal(rep.nadded, TARGETS / 2);
    assert_int_equal(rep.nremoved, TARGETS / 2);
    assert_int_equal(rep.nchanged, TARGETS / 10);
    tt_reload_report_free(&rep);
    s->until = s->heartbeats + PROBES;
    if (!tt_test_run_until_fn(&h->loop, probed, s, 20000))
      fail_msg("reload %d: only %llu heartbeats after it", round,
               (unsigned long long)(s->heartbeats + PROBES - s->until));
    if (round == MARK) {
      s->fds = 0;
      settle(s, "the mark");
      /* The footprint with every target connected, and every removed
       * one gone: measured until it holds still, with a deadline. */
      s->fds = tt_test_fd_count();
      settle(s, "the mark, again");
      heap_mark = heap_in_use();
      kept_seq = kept->seq;
    }
  }
  settle(s, "the last reload");
  size_t heap_end = heap_in_use();
  fprintf(stderr, "# %d reloads at %d targets: %d descriptors; heap %zu "
          "bytes after reload %d, %zu after the last\n", RELOADS, TARGETS,
          s->fds, heap_mark, MARK, heap_end);
  if (heap_end > heap_mark + SLACK)
    fail_msg("the heap grew by %zu bytes over %d reloads",
             heap_end - heap_mark, RELOADS - MARK);

  /* k499 never changed: the same session, its sequence going on. */
  assert_ptr_equal(tt_engine_view(h->engine, TARGETS / 2 - 1), kept);
  assert_true(kept->seq > kept_seq);
  /* A target removed and added again each other round starts anew. */
  assert_int_equal(tt_engine_size(h->engine),
                   TARGETS + (size_t)RELOADS * TARGETS / 2);

  tt_h_teardown(h);
  free(yaml);
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hundred_reloads_leave_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
