/* test_reload.c - targets that change while the engine runs: a reload
 * keeps what did not change (connection, statistics), restarts what did,
 * removes what left (its final view in the event) and adds what is new at
 * a phase of its own; addresses: all makes every address of a name a
 * target that comes and goes with the name's answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "dnsd.h"
#include "harness.h"
#include "support.h"

#define FAST TT_H_FAST

/* ---- running until something happened ----------------------------------- */

typedef struct want {
  size_t index;
  uint64_t sent;  /* the target's heartbeats at least this many */
} want;

static bool sent_enough(void *arg) {
  tt_harness *h = arg;
  const want *w = h->user;
  const tt_view *v = tt_engine_view(h->engine, w->index);
  return v != NULL && v->stats.sent >= w->sent;
}

/* Runs until target index has sent heartbeats in all (fails after 10 s). */
static void run_until_sent(tt_harness *h, size_t index, uint64_t sent) {
  want w = { index, sent };
  void *user = h->user;
  h->user = &w;
  if (!tt_test_run_until_fn(&h->loop, sent_enough, h, 10000))
    fail_msg("target %zu did not reach %llu heartbeats", index,
             (unsigned long long)sent);
  h->user = user;
}

static size_t count_kind(const tt_harness *h, tt_event_kind kind) {
  size_t n = 0;
  for (size_t i = 0; i < h->n; i++)
    n += h->ev[i].kind == kind;
  return n;
}

static const tt_rec *last_of(const tt_harness *h, tt_event_kind kind) {
  for (size_t i = h->n; i-- > 0;)
    if (h->ev[i].kind == kind)
      return &h->ev[i];
  return NULL;
}

/* ---- reload ------------------------------------------------------------------ */

#define TWO "defaults:\n  " FAST "targets:\n" \
            "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n" \
            "  - { name: b, address: \"127.0.0.1:%u\", preset: redis }\n"

/* The same file again: nothing restarts, nothing is reported. */
static void test_reload_unchanged_keeps_everything(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  unsigned p = tt_fault_port(f);
  tt_h_config(&h, TWO, p, p);
  tt_h_start(&h);
  run_until_sent(&h, 1, 2);
  const tt_view *before = tt_engine_view(h.engine, 0);
  uint64_t sent = before->stats.sent;

  tt_reload_report rep = tt_h_reload(&h, TWO, p, p);
  assert_int_equal(rep.nadded + rep.nremoved + rep.nchanged, 0);
  tt_reload_report_free(&rep);
  /* The same session, now on the new config's target. */
  assert_ptr_equal(tt_engine_view(h.engine, 0), before);
  assert_ptr_equal(before->target, &h.cfg.targets[0]);
  run_until_sent(&h, 0, sent + 2);
  assert_int_equal(tt_fault_accepted(f), 2); /* connections kept */
  assert_int_equal(count_kind(&h, TT_EVENT_ADDED), 0);
  assert_int_equal(count_kind(&h, TT_EVENT_REMOVED), 0);
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.lost, 0);
  tt_h_teardown(&h);
}

/* b leaves (its final view is in the event), c joins, a changes its
 * interval (restarted, statistics kept: same address). */
static void test_reload_adds_removes_and_restarts(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  unsigned p = tt_fault_port(f);
  tt_h_config(&h, TWO, p, p);
  tt_h_start(&h);
  run_until_sent(&h, 1, 2);
  uint64_t a_sent = tt_engine_view(h.engine, 0)->stats.sent;
  uint64_t b_sent = tt_engine_view(h.engine, 1)->stats.sent;

  tt_reload_report rep = tt_h_reload(&h,
    "defaults:\n  " FAST "targets:\n"
    "  - { name: a, address: \"127.0.0.1:%u\", preset: redis, "
    "interval: 200ms }\n"
    "  - { name: c, address: \"127.0.0.1:%u\", preset: redis }\n", p, p);
  assert_int_equal(rep.nadded, 1);
  assert_string_equal(rep.added[0], "c");
  assert_int_equal(rep.nremoved, 1);
  assert_string_equal(rep.removed[0], "b");
  assert_int_equal(rep.nchanged, 1);
  assert_string_equal(rep.changed[0], "a");
  tt_reload_report_free(&rep);

  /* b: removed with its statistics, and gone. */
  const tt_rec *rm = last_of(&h, TT_EVENT_REMOVED);
  assert_non_null(rm);
  assert_int_equal(rm->index, 1);
  assert_null(tt_engine_view(h.engine, 1));
  (void)b_sent;
  /* c: a new number, announced. */
  const tt_rec *add = last_of(&h, TT_EVENT_ADDED);
  assert_non_null(add);
  assert_int_equal(add->index, 2);
  assert_int_equal(tt_engine_size(h.engine), 3);
  /* a: restarted on its new interval, its statistics and seq kept. */
  const tt_view *a = tt_engine_view(h.engine, 0);
  assert_int_equal(a->target->interval_ms, 200);
  assert_int_equal(a->stats.sent, a_sent);
  run_until_sent(&h, 0, a_sent + 2);
  run_until_sent(&h, 2, 2);
  assert_int_equal(tt_h_nth(&h, 0, TT_EVENT_HEARTBEAT,
                            (size_t)a_sent)->seq, a_sent + 1);
  assert_int_equal(tt_engine_view(h.engine, 2)->stats.received, 2);
  /* No event of b's after it left. */
  size_t after = (size_t)(rm - h.ev);
  for (size_t i = after + 1; i < h.n; i++)
    assert_int_not_equal(h.ev[i].index, 1);
  tt_h_teardown(&h);
}

/* An address that changed is a new target in all but its name: its
 * statistics start again. */
static void test_reload_new_address_starts_statistics_again(void **u) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_fault *g = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
              "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n",
              tt_fault_port(f));
  tt_h_start(&h);
  run_until_sent(&h, 0, 2);
  tt_reload_report rep = tt_h_reload(&h, "defaults:\n  " FAST "targets:\n"
              "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n",
              tt_fault_port(g));
  assert_int_equal(rep.nchanged, 1);
  tt_reload_report_free(&rep);
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.sent, 0);
  run_until_sent(&h, 0, 1);
  assert_int_equal(tt_fault_accepted(g), 1);
  tt_h_teardown(&h);
}

/* Where in the interval ping n of target i went out (ms, from the
 * loop's clock). */
static uint64_t send_phase(const tt_harness *h, size_t i, size_t n,
                           uint64_t interval) {
  const tt_rec *r = tt_h_nth(h, i, TT_EVENT_HEARTBEAT, n);
  assert_non_null(r);
  return ((r->at_us - r->rtt_us) / 1000) % interval;
}

/* How far apart two phases are, round the interval. */
static uint64_t phase_distance(uint64_t a, uint64_t b, uint64_t interval) {
  uint64_t d = a > b ? a - b : b - a;
  return d > interval / 2 ? interval - d : d;
}

/* Target i's phase as pings n..n+k-1 show it: a ping goes out at its slot
 * or later (a busy machine delays it), so the earliest of them, round the
 * interval from the first. */
static uint64_t slot_phase(const tt_harness *h, size_t i, size_t n, size_t k,
                           uint64_t interval) {
  uint64_t first = send_phase(h, i, n, interval);
  int64_t least = 0;
  for (size_t j = 1; j < k; j++) {
    int64_t d = (int64_t)((send_phase(h, i, n + j, interval) + interval -
                           first + interval / 2) % interval) -
                (int64_t)(interval / 2);
    if (d < least)
      least = d;
  }
  return (uint64_t)((int64_t)first + (int64_t)interval + least) % interval;
}

/* A target that restarts on the same interval keeps its slots: its new
 * connection is made a lead before the same phase, not a lead later
 * (300 ms interval, 150 ms lead). */
static void test_restarted_target_keeps_its_phase(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  unsigned p = tt_fault_port(f);
  tt_h_config(&h, TWO, p, p);
  tt_h_start(&h);
  run_until_sent(&h, 0, 4);
  size_t before = tt_h_count(&h, 0, TT_EVENT_HEARTBEAT);
  uint64_t phase = slot_phase(&h, 0, before - 3, 3, 300);

  tt_reload_report rep = tt_h_reload(&h,
    "defaults:\n  " FAST "targets:\n"
    "  - { name: a, address: \"127.0.0.1:%u\", preset: redis, "
    "timeout: 100ms }\n"
    "  - { name: b, address: \"127.0.0.1:%u\", preset: redis }\n", p, p);
  assert_int_equal(rep.nchanged, 1);
  tt_reload_report_free(&rep);
  run_until_sent(&h, 0, before + 3);
  uint64_t d = phase_distance(slot_phase(&h, 0, before, 3, 300), phase, 300);
  if (d > 30)
    fail_msg("after the restart the pings went out %llu ms off their phase",
             (unsigned long long)d);
  tt_h_teardown(&h);
}

/* A target that joins takes the middle of the widest gap between the
 * others' slots: with four at 0, 250, 500 and 750 ms of a 1 s interval,
 * its pings are 125 ms away from its neighbours'. */
static void test_joining_target_takes_its_own_phase(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  unsigned p = tt_fault_port(f);
#define FOUR \
    "defaults: { interval: 1s, timeout: 500ms }\ntargets:\n" \
    "  - { name: t0, address: \"127.0.0.1:%u\", preset: redis }\n" \
    "  - { name: t1, address: \"127.0.0.1:%u\", preset: redis }\n" \
    "  - { name: t2, address: \"127.0.0.1:%u\", preset: redis }\n" \
    "  - { name: t3, address: \"127.0.0.1:%u\", preset: redis }\n%s"
  char t4[128];
  snprintf(t4, sizeof t4,
           "  - { name: t4, address: \"127.0.0.1:%u\", preset: redis }\n", p);
  tt_h_config(&h, FOUR, p, p, p, p, "");
  tt_h_start(&h);
  run_until_sent(&h, 3, 1);
  tt_reload_report rep = tt_h_reload(&h, FOUR, p, p, p, p, t4);
  assert_int_equal(rep.nadded, 1);
  tt_reload_report_free(&rep);
  run_until_sent(&h, 4, 2);
  run_until_sent(&h, 3, 3);
  /* Send times modulo the interval, in ms. */
  uint64_t ph[5];
  for (size_t i = 0; i < 5; i++) {
    const tt_rec *r = tt_h_nth(&h, i, TT_EVENT_HEARTBEAT,
                               tt_h_count(&h, i, TT_EVENT_HEARTBEAT) - 1);
    ph[i] = ((r->at_us - r->rtt_us) / 1000) % 1000;
  }
  for (size_t i = 0; i < 4; i++) {
    uint64_t d = ph[4] > ph[i] ? ph[4] - ph[i] : ph[i] - ph[4];
    if (d > 500)
      d = 1000 - d;
    if (d < 100)
      fail_msg("the new target's slot is %llu ms from t%zu's",
               (unsigned long long)d, i);
  }
  tt_h_teardown(&h);
}

/* Targets that leave go before any joins: with t2 and t3 (at 500 and
 * 750 ms) replaced by t4 and t5, the new ones split the 750 ms that t0
 * and t1 leave between them, 250 ms apart, rather than squeeze in next to
 * the phases of targets on their way out. */
static void test_joiners_take_phases_among_the_targets_that_stay(void **u) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  unsigned p = tt_fault_port(f);
  tt_h_config(&h, FOUR, p, p, p, p, "");
  tt_h_start(&h);
  run_until_sent(&h, 3, 1);
  tt_reload_report rep = tt_h_reload(&h,
    "defaults: { interval: 1s, timeout: 500ms }\ntargets:\n"
    "  - { name: t0, address: \"127.0.0.1:%u\", preset: redis }\n"
    "  - { name: t1, address: \"127.0.0.1:%u\", preset: redis }\n"
    "  - { name: t4, address: \"127.0.0.1:%u\", preset: redis }\n"
    "  - { name: t5, address: \"127.0.0.1:%u\", preset: redis }\n",
    p, p, p, p);
  assert_int_equal(rep.nadded, 2);
  assert_int_equal(rep.nremoved, 2);
  tt_reload_report_free(&rep);
  /* Removed before added: every removed event comes first. */
  size_t last_removed = 0, first_added = h.n;
  for (size_t i = 0; i < h.n; i++) {
    if (h.ev[i].kind == TT_EVENT_REMOVED)
      last_removed = i;
    if (h.ev[i].kind == TT_EVENT_ADDED && i < first_added)
      first_added = i;
  }
  assert_true(last_removed < first_added);
  run_until_sent(&h, 4, 3);
  run_until_sent(&h, 5, 3);
  run_until_sent(&h, 1, tt_engine_view(h.engine, 1)->stats.sent + 1);
  size_t who[4] = { 0, 1, 4, 5 };
  uint64_t ph[4];
  for (size_t i = 0; i < 4; i++)
    ph[i] = slot_phase(&h, who[i],
                       tt_h_count(&h, who[i], TT_EVENT_HEARTBEAT) - 3, 3,
                       1000);
  for (size_t i = 0; i < 4; i++)
    for (size_t k = i + 1; k < 4; k++)
      if (phase_distance(ph[i], ph[k], 1000) < 200)
        fail_msg("t%zu's and t%zu's slots are %llu ms apart", who[i],
                 who[k],
                 (unsigned long long)phase_distance(ph[i], ph[k], 1000));
  tt_h_teardown(&h);
}

/* Many targets that leave at once are closed over several loop passes,
 * not within the reload (10 000 TCP closes in one go held every heartbeat
 * for a tenth of a second): the reload closes none, the next pass some,
 * and in the end every one; none reports anything after it left. */
enum { MANY = 600 };

typedef struct leaving {
  bool reloaded;
  size_t after;      /* events of the targets that left, after the reload
                        (their removal aside) */
} leaving;

static void leaving_cb(tt_harness *h, const tt_event *ev) {
  leaving *l = h->user;
  if (l->reloaded && ev->view->index > 0 && ev->kind != TT_EVENT_REMOVED)
    l->after++;
}

static bool all_up(void *arg) {
  tt_harness *h = arg;
  for (size_t i = 0; i < tt_engine_size(h->engine); i++) {
    const tt_view *v = tt_engine_view(h->engine, i);
    if (v != NULL && v->state != TT_STATE_UP)
      return false;
  }
  return true;
}

static int fds_goal;

static bool fds_down(void *arg) {
  return tt_test_fd_count() <= fds_goal;
}

static void test_many_leaving_close_over_several_passes(void **unused) {
  /* Two descriptors per target (ours and the server's) and room. */
  struct rlimit rl;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur < 4 * MANY) {
    rl.rlim_cur = rl.rlim_max < 4 * MANY ? rl.rlim_max : 4 * MANY;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < 4 * MANY)
      skip();
  }
  size_t cap = 64 * MANY;
  char *yaml = malloc(cap);
  assert_non_null(yaml);
  leaving l = { false, 0 };
  tt_harness h;
  tt_h_setup(&h);
  h.user = &l;
  h.on_event = leaving_cb;
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  unsigned p = tt_fault_port(f);
  size_t n = (size_t)snprintf(yaml, cap, "defaults:\n  " FAST "targets:\n");
  for (int i = 0; i < MANY; i++)
    n += (size_t)snprintf(yaml + n, cap - n, "  - { name: m%d, address: "
                          "\"127.0.0.1:%u\", preset: redis }\n", i, p);
  tt_h_config(&h, "%s", yaml);
  tt_h_start(&h);
  if (!tt_test_run_until_fn(&h.loop, all_up, &h, 10000))
    fail_msg("the targets did not all come up");
  int before = tt_test_fd_count();

  /* Only m0 stays. */
  l.reloaded = true;
  tt_reload_report rep = tt_h_reload(&h, "defaults:\n  " FAST "targets:\n"
    "  - { name: m0, address: \"127.0.0.1:%u\", preset: redis }\n", p);
  assert_int_equal(rep.nremoved, MANY - 1);
  tt_reload_report_free(&rep);
  assert_int_equal(tt_test_fd_count(), before);
  uv_run(&h.loop, UV_RUN_NOWAIT);
  int after_one = tt_test_fd_count();
  if (after_one >= before || after_one <= before - 2 * (MANY - 1))
    fail_msg("one pass after the reload: %d descriptors, %d before", after_one,
             before);
  /* Both ends of every connection that left. */
  fds_goal = before - 2 * (MANY - 1);
  if (!tt_test_run_until_fn(&h.loop, fds_down, NULL, 10000))
    fail_msg("%d descriptors, not %d", tt_test_fd_count(), fds_goal);
  assert_int_equal(l.after, 0);
  assert_int_equal(tt_engine_view(h.engine, 0)->state, TT_STATE_UP);
  tt_h_teardown(&h);
  free(yaml);
}

/* ---- addresses: all ------------------------------------------------------ */

/* A name on 127.0.0.1 and 127.0.0.2, the server on the first only: two
 * targets, one up and one refused; an address that vanishes from the
 * name's answer leaves. */
static void test_every_address_is_a_target(void **unused) {
  static tt_dnsd_name names[] = {
    { "two.test", TT_DNSD_ANSWER, "127.0.0.1 127.0.0.2" },
  };
  tt_harness h;
  tt_dnsd d;
  tt_h_setup(&h);
  assert_int_equal(tt_dnsd_start(&h.loop, &d, names, 1), 0);
  tt_dnsd_address(&d, h.dns_servers, sizeof h.dns_servers);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
              "  - { name: two, address: \"two.test:%u\", preset: redis,\n"
              "      family: ipv4, addresses: all, resolve_every: 300ms }\n",
              tt_fault_port(f));
  tt_h_start(&h);
  /* The name itself first, then its two addresses. */
  run_until_sent(&h, 2, 2);
  assert_null(tt_engine_view(h.engine, 0));
  const tt_view *one = tt_engine_view(h.engine, 1);
  const tt_view *two = tt_engine_view(h.engine, 2);
  assert_non_null(one);
  assert_non_null(two);
  /* Children are added in the answer's order. */
  assert_string_equal(one->target->name, "two[127.0.0.1]");
  assert_string_equal(two->target->name, "two[127.0.0.2]");
  run_until_sent(&h, 1, 2);
  assert_int_equal(one->state, TT_STATE_UP);
  assert_int_equal(two->state, TT_STATE_DOWN);
  assert_int_equal(two->last_failure, TT_CLASS_REFUSED);
  assert_int_equal(count_kind(&h, TT_EVENT_ADDED), 2);
  assert_int_equal(count_kind(&h, TT_EVENT_REMOVED), 1);

  /* 127.0.0.2 leaves the name. */
  names[0].addrs = "127.0.0.1";
  size_t removed = count_kind(&h, TT_EVENT_REMOVED);
  while (count_kind(&h, TT_EVENT_REMOVED) == removed)
    assert_true(uv_run(&h.loop, UV_RUN_ONCE) != 0);
  assert_int_equal(last_of(&h, TT_EVENT_REMOVED)->index, 2);
  assert_null(tt_engine_view(h.engine, 2));
  assert_non_null(tt_engine_view(h.engine, 1));
  tt_dnsd_close(&d);
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reload_unchanged_keeps_everything),
    cmocka_unit_test(test_reload_adds_removes_and_restarts),
    cmocka_unit_test(test_reload_new_address_starts_statistics_again),
    cmocka_unit_test(test_restarted_target_keeps_its_phase),
    cmocka_unit_test(test_joining_target_takes_its_own_phase),
    cmocka_unit_test(test_joiners_take_phases_among_the_targets_that_stay),
    cmocka_unit_test(test_many_leaving_close_over_several_passes),
    cmocka_unit_test(test_every_address_is_a_target),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
