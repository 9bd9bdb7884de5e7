/* test_replay_live.c - a replay is the live run: the engine watches a
 * server that answers, goes away and comes back (up, down, up) and a
 * port that refuses, every event written by the real JSON writer as
 * --log writes it; the replay's views at the moment the server went down
 * and at the end are the engine's own at those moments, statistic by
 * statistic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "replay.h"
#include "replaylog.h"
#include "support.h"
#include "view.h"

enum { N = 2 }; /* svc, and closed */

typedef struct run {
  tt_rlog log;
  uint64_t lines;        /* events written */
  bool writing;
  unsigned ok_before, fails_while_down, ok_after;
  bool paused, resumed;
  /* The engine's views when svc went down (just after that event was
   * written), and at the end. */
  tt_view mid[N], end[N];
  uint64_t mid_lines, end_lines, mid_us;
} run;

static void write_event(run *u, const tt_event *ev) {
  if (!u->writing)
    return;
  tt_json_event(&u->log.sink, ev);
  u->lines++;
}

static void copy_views(tt_harness *h, tt_view *out) {
  for (size_t i = 0; i < N; i++) {
    tt_view_free(&out[i]);
    assert_int_equal(tt_view_copy(&out[i], tt_engine_view(h->engine, i)), 0);
  }
}

/* up (three answers), the server taken away, down (two failures), the
 * server back, up again (three answers), the end. */
static void drive_cb(tt_harness *h, const tt_event *ev) {
  run *u = h->user;
  tt_fault *f = h->faults[0];
  write_event(u, ev);
  if (ev->view->index != 0 || !u->writing)
    return;
  if (ev->kind == TT_EVENT_STATE && ev->to == TT_STATE_DOWN) {
    copy_views(h, u->mid);
    u->mid_lines = u->lines;
    u->mid_us = ev->ts_us;
  }
  if (ev->kind != TT_EVENT_HEARTBEAT)
    return;
  if (!u->paused && ev->cls == TT_CLASS_OK && ++u->ok_before == 3) {
    tt_fault_pause(f);
    u->paused = true;
  } else if (u->paused && !u->resumed && ev->cls != TT_CLASS_OK &&
             ++u->fails_while_down == 2) {
    assert_int_equal(tt_fault_resume(f), 0);
    u->resumed = true;
  } else if (u->resumed && ev->cls == TT_CLASS_OK && ++u->ok_after == 3) {
    copy_views(h, u->end);
    u->end_lines = u->lines;
    u->writing = false;
    h->finished = true;
  }
}

static void assert_replay_is(tt_replay *r, const tt_view *live) {
  for (size_t i = 0; i < N; i++) {
    size_t k = tt_replay_find(r, live[i].target->name);
    assert_true(k != SIZE_MAX);
    assert_non_null(tt_replay_view(r, k));
    /* The loop's clock is the replay's wall clock, and the slots nobody
     * reported are not in the log: the rest is the same. */
    tt_assert_view_equal(tt_replay_view(r, k), &live[i],
                         TT_CMP_NO_LOOP_TIME | TT_CMP_NO_SILENT);
    assert_int_equal(tt_replay_view(r, k)->target->interval_ms,
                     live[i].target->interval_ms);
  }
}

static void test_the_replay_is_the_live_run(void **unused) {
  tt_harness h;
  run u = { .writing = true };
  tt_h_setup(&h);
  tt_fault *svc = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_fault *closed = tt_h_serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h,
              "defaults:\n  " TT_H_FAST
              "targets:\n"
              "  - { name: svc, address: '127.0.0.1:%u', preset: redis,"
              " tags: [prod] }\n"
              "  - { name: closed, address: '127.0.0.1:%u' }\n",
              tt_fault_port(svc), tt_fault_port(closed));
  tt_rlog_open(&u.log);
  h.on_event = drive_cb;
  h.user = &u;
  tt_h_start(&h);
  /* As tether does before its first heartbeat. */
  for (size_t i = 0; i < N; i++) {
    tt_json_target(&u.log.sink, tt_engine_view(h.engine, i), tt_wall_us());
    u.lines++;
  }
  assert_true(tt_test_run_until(&h.loop, &h.finished, 20000));
  tt_rlog_flush(&u.log);

  tt_replay *r;
  tt_replay_info in;
  tt_replay_opts o = { .min_stride = 4 };
  assert_int_equal(tt_replay_open(u.log.path, &o, &r), 0);
  tt_replay_info_get(r, &in);
  assert_false(in.damaged);
  assert_int_equal(in.events, u.end_lines);
  assert_int_equal(tt_replay_size(r), N);

  /* The moment svc went down. */
  assert_int_equal(tt_replay_seek_event(r, u.mid_lines), 0);
  assert_replay_is(r, u.mid);
  const tt_view *v = tt_replay_view(r, 0);
  assert_int_equal(v->state, TT_STATE_DOWN);
  assert_int_equal(v->state_since_us, u.mid_us);
  assert_true(v->last_failure == TT_CLASS_REFUSED ||
              v->last_failure == TT_CLASS_RESET);
  assert_string_equal(v->target->tags[0], "prod");
  /* ... and by its time: down since then. */
  assert_int_equal(tt_replay_seek(r, u.mid_us), 0);
  assert_int_equal(tt_replay_view(r, 0)->state, TT_STATE_DOWN);
  assert_int_equal(tt_replay_seek(r, u.mid_us - 1), 0);
  assert_int_equal(tt_replay_view(r, 0)->state, TT_STATE_UP);

  /* The end: up again, and every statistic as the engine has it. */
  assert_int_equal(tt_replay_seek(r, UINT64_MAX), 0);
  assert_int_equal(tt_replay_position(r), u.end_lines);
  assert_replay_is(r, u.end);
  assert_int_equal(tt_replay_view(r, 0)->state, TT_STATE_UP);
  assert_int_equal(tt_replay_view(r, 0)->stats.flaps, 1);
  assert_int_equal(tt_replay_view(r, 1)->state, TT_STATE_DOWN);

  /* And back to the moment it went down, from the end. */
  assert_int_equal(tt_replay_step(r, -1, 0, TT_REPLAY_CHANGES), 1);
  assert_int_equal(tt_replay_view(r, 0)->state, TT_STATE_DOWN);
  assert_int_equal(tt_replay_step(r, -1, 0, TT_REPLAY_CHANGES), 1);
  assert_int_equal(tt_replay_position(r), u.mid_lines - 1);
  assert_int_equal(tt_replay_view(r, 0)->state, TT_STATE_UP);
  assert_int_equal(tt_replay_step(r, 1, 0, TT_REPLAY_CHANGES), 1);
  assert_replay_is(r, u.mid);

  tt_replay_close(r);
  for (size_t i = 0; i < N; i++) {
    tt_view_free(&u.mid[i]);
    tt_view_free(&u.end[i]);
  }
  tt_rlog_done(&u.log);
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_the_replay_is_the_live_run),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
