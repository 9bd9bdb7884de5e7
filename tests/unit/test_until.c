/* test_until.c - --until: every target up, or any down, known at the
 * event that makes it so (not before), through targets that come and go,
 * and never for a run that ends without it; the count kept event by event
 * always agrees with a count of the views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "support.h"
#include "until.h"

#define FAST TT_H_FAST

typedef struct watch {
  tt_until u;
  bool started;
  bool met;
  size_t met_at;   /* events recorded when it was first met */
  tt_event_kind met_by;
  size_t checked;
  bool keep_going; /* do not stop the run when it holds */
} watch;

/* Follows every event, and checks the count against the views (but at
 * a removal: the view is still there while its event runs). */
static void until_cb(tt_harness *h, const tt_event *ev) {
  watch *w = h->user;
  if (!w->started) {
    tt_until_init(&w->u, w->u.cond, h->engine);
    w->started = true;
  }
  bool met = tt_until_event(&w->u, ev);
  if (ev->kind != TT_EVENT_REMOVED) {
    assert_int_equal(met, tt_until_check(h->engine, w->u.cond));
    w->checked++;
  }
  if (met && !w->met) {
    w->met = true;
    w->met_at = h->n;
    w->met_by = ev->kind;
    if (!w->keep_going)
      h->finished = true; /* as tether stops at once */
  }
}

static void start(tt_harness *h, watch *w, tt_until_cond cond) {
  memset(w, 0, sizeof *w);
  w->u.cond = cond;
  h->user = w;
  h->on_event = until_cb;
  tt_h_start(h);
  tt_until_init(&w->u, cond, h->engine);
  w->started = true;
  assert_false(tt_until_met(&w->u));
}

static bool met_or_finished(void *arg) {
  tt_harness *h = arg;
  return h->finished;
}

static void run(tt_harness *h, uint64_t timeout_ms) {
  tt_test_run_until_fn(&h->loop, met_or_finished, h, timeout_ms);
}

static void test_parse(void **unused) {
  tt_until_cond c;
  char why[160];
  assert_int_equal(tt_until_parse("up", &c, why, sizeof why), 0);
  assert_int_equal(c, TT_UNTIL_UP);
  assert_int_equal(tt_until_parse("down", &c, why, sizeof why), 0);
  assert_int_equal(c, TT_UNTIL_DOWN);
  assert_int_equal(tt_until_parse("Up", &c, why, sizeof why), -1);
  assert_string_equal(why, "must be up (every target up) or down (any target "
                           "down)");
  assert_int_equal(tt_until_parse("", &c, why, sizeof why), -1);
}

/* Up once the last target is up: at that state change, not at the first. */
static void test_until_up_at_the_last_target_up(void **unused) {
  tt_harness h;
  watch w;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n"
                  "  - { name: b, address: \"127.0.0.1:%u\", preset: redis }\n",
              tt_fault_port(f), tt_fault_port(f));
  start(&h, &w, TT_UNTIL_UP);
  run(&h, 10000);
  assert_true(w.met);
  assert_int_equal(w.met_by, TT_EVENT_STATE);
  /* Both targets changed to up, the second change is where it held. */
  size_t ups = 0;
  for (size_t i = 0; i < w.met_at; i++)
    ups += h.ev[i].kind == TT_EVENT_STATE && h.ev[i].to == TT_STATE_UP;
  assert_int_equal(ups, 2);
  assert_int_equal(h.ev[w.met_at - 1].kind, TT_EVENT_STATE);
  tt_h_teardown(&h);
}

/* Down at the first target down, whatever the others do. */
static void test_until_down_at_the_first_down(void **unused) {
  tt_harness h;
  watch w;
  tt_h_setup(&h);
  tt_fault *up = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_fault *refuse = tt_h_serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n"
                  "  - { name: b, address: \"127.0.0.1:%u\", preset: redis }\n",
              tt_fault_port(up), tt_fault_port(refuse));
  start(&h, &w, TT_UNTIL_DOWN);
  run(&h, 10000);
  assert_true(w.met);
  const tt_rec *last = &h.ev[w.met_at - 1];
  assert_int_equal(last->kind, TT_EVENT_STATE);
  assert_int_equal(last->index, 1);
  assert_int_equal(last->to, TT_STATE_DOWN);
  tt_h_teardown(&h);
}

/* A run whose count ends first never meets it: tether exits 1. */
static void test_a_count_that_ends_first(void **unused) {
  tt_harness h;
  watch w;
  tt_h_setup(&h);
  tt_fault *up = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_fault *refuse = tt_h_serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n"
                  "  - { name: b, address: \"127.0.0.1:%u\", preset: redis }\n",
              tt_fault_port(up), tt_fault_port(refuse));
  memset(&w, 0, sizeof w);
  w.u.cond = TT_UNTIL_UP;
  h.user = &w;
  h.on_event = until_cb;
  tt_h_run(&h, 3, 10000);
  assert_false(w.met);
  assert_true(w.checked >= 6);
  assert_false(tt_until_check(h.engine, TT_UNTIL_UP));
  assert_true(tt_until_check(h.engine, TT_UNTIL_DOWN));
  tt_h_teardown(&h);
}

/* Degraded is not up: up after the first reply (from connecting, a
 * success is up), a slow reply above rtt_warn makes it degraded, and no
 * longer met. */
static void test_degraded_is_not_up(void **unused) {
  tt_harness h;
  watch w;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_SLOW, .delay_ms = 30 };
  tt_fault *slow = tt_h_fault(&h, &o);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis,\n"
                  "      rtt_warn: 5ms }\n",
              tt_fault_port(slow));
  memset(&w, 0, sizeof w);
  w.u.cond = TT_UNTIL_UP;
  w.keep_going = true;
  h.user = &w;
  h.on_event = until_cb;
  tt_h_run(&h, 3, 10000);
  assert_true(w.met);
  assert_int_equal(tt_engine_view(h.engine, 0)->state, TT_STATE_DEGRADED);
  assert_false(tt_until_met(&w.u));
  assert_int_equal(w.u.count[TT_STATE_DEGRADED], 1);
  tt_h_teardown(&h);
}

/* The only target that keeps --until up waiting leaves (a reload): the
 * rest are up, and that is where it holds. */
static void test_a_target_that_leaves(void **unused) {
  tt_harness h;
  watch w;
  tt_h_setup(&h);
  tt_fault *up = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_fault *refuse = tt_h_serve(&h, TT_FAULT_REFUSE);
  unsigned pu = tt_fault_port(up), pr = tt_fault_port(refuse);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n"
                  "  - { name: b, address: \"127.0.0.1:%u\", preset: redis }\n",
              pu, pr);
  start(&h, &w, TT_UNTIL_UP);
  while (tt_engine_view(h.engine, 0)->state != TT_STATE_UP ||
         tt_engine_view(h.engine, 1)->state != TT_STATE_DOWN)
    assert_true(uv_run(&h.loop, UV_RUN_ONCE) != 0);
  assert_false(w.met);
  tt_reload_report rep = tt_h_reload(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n",
              pu);
  tt_reload_report_free(&rep);
  assert_true(w.met);
  assert_int_equal(w.met_by, TT_EVENT_REMOVED);
  /* A target that joins is connecting: not up any more. */
  rep = tt_h_reload(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n"
                  "  - { name: c, address: \"127.0.0.1:%u\", preset: redis }\n",
              pu, pu);
  tt_reload_report_free(&rep);
  assert_false(tt_until_met(&w.u));
  assert_int_equal(w.u.total, 2);
  assert_int_equal(w.u.count[TT_STATE_CONNECTING], 1);
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse),
    cmocka_unit_test(test_until_up_at_the_last_target_up),
    cmocka_unit_test(test_until_down_at_the_first_down),
    cmocka_unit_test(test_a_count_that_ends_first),
    cmocka_unit_test(test_degraded_is_not_up),
    cmocka_unit_test(test_a_target_that_leaves),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
