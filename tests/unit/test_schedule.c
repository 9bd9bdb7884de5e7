/* test_schedule.c - every target keeps its own fixed slots in the
 * interval: first heartbeats spread, phases kept across reconnects, a
 * mass reconnect that does not turn into a burst, retries while down on
 * the same slots (backoff skipping whole slots), recovery seen within an
 * interval, and missed slots counted. Real fault servers on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "support.h"

static const tt_rec *hb(const tt_harness *h, size_t i) {
  return tt_h_hb(h, 0, i);
}

static void sleep_ms(unsigned ms) {
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

/* ---- first heartbeats ----------------------------------------------------- */

/* Ten targets with a 1 s interval: their first heartbeats are spread over
 * the interval, not fired in one burst. stale_ms leaves the loop's clock
 * that far behind before the engine starts, as loading a large config
 * does: the spread must be measured from the real now all the same. */
static void check_first_heartbeats_are_spread(unsigned stale_ms) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  char yaml[4096];
  int k = snprintf(yaml, sizeof yaml,
                   "defaults: { interval: 1s, timeout: 500ms }\ntargets:\n");
  for (int i = 0; i < 10; i++)
    k += snprintf(yaml + k, sizeof yaml - (size_t)k,
                  "  - { name: t%d, address: \"127.0.0.1:%u\", preset: redis }\n",
                  i, tt_fault_port(f));
  tt_h_config(&h, "%s", yaml);
  if (stale_ms > 0) {
    /* The sleep is the condition under test, not a wait for anything. */
    uv_update_time(&h.loop);
    sleep_ms(stale_ms);
  }
  tt_h_run(&h, 1, 10000);

  for (size_t i = 0; i < 10; i++) {
    const tt_rec *r = tt_h_nth(&h, i, TT_EVENT_HEARTBEAT, 0);
    assert_non_null(r);
    assert_int_equal(r->cls, TT_CLASS_OK);
    /* Offsets are 0, 100, ..., 900 ms: each a tenth of the interval
     * after the one before, give or take what a loaded machine adds. */
    if (i > 0) {
      uint64_t gap = r->at_ms - tt_h_nth(&h, i - 1, TT_EVENT_HEARTBEAT, 0)->at_ms;
      if (gap < 50 || gap > 150)
        fail_msg("targets %zu and %zu first pinged %llu ms apart", i - 1, i,
                 (unsigned long long)gap);
    }
  }
  tt_h_teardown(&h);
}

static void test_first_heartbeats_are_spread(void **unused) {
  check_first_heartbeats_are_spread(0);
}

static void test_first_heartbeats_are_spread_after_a_slow_start(void **u) {
  check_first_heartbeats_are_spread(400);
}

/* ---- phases kept ---------------------------------------------------------- */

/* A server that closes after every reply makes every ping the first of a
 * new connection; each still goes out at its slot: ping i is i intervals
 * after ping 0, with no drift however many reconnects there were. */
static void test_pings_keep_their_phase_across_reconnects(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .close_after = 1 };
  tt_fault *f = tt_h_fault(&h, &o);
  tt_h_config(&h,
              "defaults:\n  " TT_H_FAST
              "targets:\n  - address: 127.0.0.1:%u\n    preset: redis\n",
              tt_fault_port(f));
  tt_h_run(&h, 8, 10000);
  uint64_t t0 = hb(&h, 0)->at_us - hb(&h, 0)->rtt_us;
  for (size_t i = 1; i < 8; i++) {
    const tt_rec *r = hb(&h, i);
    assert_int_equal(r->cls, TT_CLASS_OK);
    int64_t off = (int64_t)(r->at_us - r->rtt_us - t0) - (int64_t)i * 300000;
    /* Slots are whole milliseconds of the loop's clock, read once per
     * loop pass, at both ends of the comparison: a few milliseconds either
     * way; late only by what a loaded machine adds, and never piling up
     * (without kept phases ping 2 is already 150 ms off). */
    if (off < -5000 || off > 60000)
      fail_msg("ping %zu sent %lld us off its slot", i + 1, (long long)off);
  }
  assert_int_equal(tt_fault_accepted(f), 8);
  tt_h_teardown(&h);
}

/* ---- a mass reconnect ----------------------------------------------------- */

#define MASS_N 300
#define MASS_INTERVAL_MS 600
#define MASS_BUCKET_MS 50

typedef struct mass {
  bool stall;               /* stall the loop instead of pausing the server */
  uv_timer_t resume;
  size_t up;                /* targets up now */
  bool paused, resumed;
  uint64_t resumed_ms, all_back_ms;
  uint64_t window_from_us;  /* when sends are counted, and for how long */
  uint32_t buckets[2 * MASS_INTERVAL_MS / MASS_BUCKET_MS];
  uint64_t counted;
} mass;

static void resume_cb(uv_timer_t *t) {
  tt_harness *h = t->data;
  mass *m = h->user;
  assert_int_equal(tt_fault_resume(h->faults[0]), 0);
  m->resumed = true;
  m->resumed_ms = uv_now(&h->loop);
}

static void mass_cb(tt_harness *h, const tt_event *ev) {
  mass *m = h->user;
  if (m->stall && !m->paused) {
    /* The loop stops for longer than an interval while most targets have
     * not connected yet: their connects all start, and complete, in the
     * loop pass after it. The sleep is the condition under test. */
    m->paused = true;
    sleep_ms(MASS_INTERVAL_MS + 100);
    m->resumed = true;
    m->resumed_ms = uv_now(&h->loop);
  }
  if (ev->kind == TT_EVENT_STATE) {
    if (ev->to == TT_STATE_UP)
      m->up++;
    else if (ev->from == TT_STATE_UP || ev->from == TT_STATE_DEGRADED)
      m->up--;
    if (m->up == MASS_N && !m->paused && !m->stall) {
      /* Every connection reset at once, the port refusing for a while. */
      m->paused = true;
      tt_fault_pause(h->faults[0]);
      uv_timer_start(&m->resume, resume_cb, 1500, 0);
    } else if (m->up == MASS_N && m->resumed && m->all_back_ms == 0) {
      m->all_back_ms = uv_now(&h->loop);
      /* Count the pings of the two intervals that follow. */
      m->window_from_us = uv_hrtime() / 1000 + MASS_INTERVAL_MS * 1000 / 2;
    }
    return;
  }
  if (ev->kind != TT_EVENT_HEARTBEAT || m->window_from_us == 0 ||
      ev->cls != TT_CLASS_OK)
    return;
  uint64_t sent = uv_hrtime() / 1000 - ev->rtt_us;
  if (sent < m->window_from_us)
    return;
  uint64_t b = (sent - m->window_from_us) / (MASS_BUCKET_MS * 1000);
  if (b < sizeof m->buckets / sizeof m->buckets[0]) {
    m->buckets[b]++;
    m->counted++;
  } else {
    h->finished = true;
  }
}

static void run_mass(mass *m) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  size_t cap = 64 * MASS_N + 256, k = 0;
  char *yaml = malloc(cap);
  assert_non_null(yaml);
  k += (size_t)snprintf(yaml + k, cap - k,
                        "defaults:\n  interval: %dms\n  timeout: 300ms\n"
                        "  connect_timeout: 300ms\n"
                        "  backoff: { initial: 100ms, max: %dms }\n"
                        "targets:\n", MASS_INTERVAL_MS, MASS_INTERVAL_MS);
  for (int i = 0; i < MASS_N; i++)
    k += (size_t)snprintf(yaml + k, cap - k,
                          "  - { name: t%d, address: \"127.0.0.1:%u\", "
                          "preset: redis }\n", i, tt_fault_port(f));
  tt_h_config(&h, "%s", yaml);
  free(yaml);
  uv_timer_init(&h.loop, &m->resume);
  m->resume.data = &h;
  h.user = m;
  h.on_event = mass_cb;
  tt_h_run(&h, 0, 20000);
  uv_close((uv_handle_t *)&m->resume, NULL);

  uint64_t back = m->all_back_ms - m->resumed_ms;
  if (back > MASS_INTERVAL_MS + 1000)
    fail_msg("all up %llu ms after the server came back",
             (unsigned long long)back);
  size_t nb = sizeof m->buckets / sizeof m->buckets[0];
  uint32_t most = 0;
  for (size_t i = 0; i < nb; i++)
    if (m->buckets[i] > most)
      most = m->buckets[i];
  double even = (double)m->counted / (double)nb;
  print_message("pings counted %llu, even share %.1f per %d ms, most %u\n",
                (unsigned long long)m->counted, even, MASS_BUCKET_MS, most);
  /* Two intervals of every target's pings. */
  assert_true(m->counted >= 2 * MASS_N - MASS_N / 10);
  if (most > 2 * even)
    fail_msg("%u pings in one 50 ms window, even share %.1f", most, even);
  tt_h_teardown(&h);
}

/* 300 targets up, then the server goes away (every connection reset) and
 * comes back 1.5 s later. Recovery is seen within an interval (plus a
 * second of slack), and afterwards the pings of any 50 ms stay within 2x
 * of the even share: the reconnects did not line the targets up. */
static void test_mass_reconnect_keeps_pings_spread(void **unused) {
  mass m = { 0 };
  run_mass(&m);
}

/* Connections that all complete in one burst (here: the loop stalled as
 * they were due) still ping at their own slots, not all at once. */
static void test_connects_completing_together_keep_pings_spread(void **u) {
  mass m = { .stall = true };
  run_mass(&m);
}

/* ---- while down ----------------------------------------------------------- */

typedef struct comeback {
  uv_timer_t timer;
  uint64_t back_ms;
} comeback;

static void comeback_cb(uv_timer_t *t) {
  tt_harness *h = t->data;
  comeback *c = h->user;
  assert_int_equal(tt_fault_resume(h->faults[0]), 0);
  c->back_ms = uv_now(&h->loop);
}

static void stop_when_up_cb(tt_harness *h, const tt_event *ev) {
  if (ev->kind == TT_EVENT_STATE && ev->to == TT_STATE_UP)
    h->finished = true;
}

/* A server that is away for 1.2 s: one refused connect per slot while it
 * is (backoff max = interval), and once it is back, up within an
 * interval. */
static void test_retries_every_slot_and_recovers_within_an_interval(void **u) {
  tt_harness h;
  comeback c = { 0 };
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_fault_pause(f);
  tt_h_config(&h,
              "defaults:\n  interval: 300ms\n  timeout: 150ms\n"
              "  connect_timeout: 300ms\n"
              "  backoff: { initial: 100ms, max: 300ms }\n"
              "targets:\n  - address: 127.0.0.1:%u\n    preset: redis\n",
              tt_fault_port(f));
  uv_timer_init(&h.loop, &c.timer);
  c.timer.data = &h;
  uv_timer_start(&c.timer, comeback_cb, 1200, 0);
  h.user = &c;
  h.on_event = stop_when_up_cb;
  tt_h_run(&h, 0, 10000);
  uv_close((uv_handle_t *)&c.timer, NULL);

  size_t n = tt_h_count(&h, 0, TT_EVENT_HEARTBEAT);
  assert_true(n >= 4);
  for (size_t i = 0; i + 1 < n; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_REFUSED);
    if (i > 0) {
      uint64_t gap = hb(&h, i)->at_ms - hb(&h, i - 1)->at_ms;
      if (gap < 280 || gap > 300 + 150)
        fail_msg("retries %zu and %zu are %llu ms apart", i, i + 1,
                 (unsigned long long)gap);
    }
  }
  assert_int_equal(hb(&h, n - 1)->cls, TT_CLASS_OK);
  uint64_t seen = hb(&h, n - 1)->at_ms - c.back_ms;
  if (seen > 300 + 150)
    fail_msg("up %llu ms after the server came back", (unsigned long long)seen);
  tt_h_teardown(&h);
}

/* A backoff longer than the interval waits out whole slots: each wait is
 * the backoff (base/2 to base for base = 200, 400, 800, 800 ms) rounded up
 * to a slot of the 100 ms interval. */
static void test_backoff_waits_out_whole_slots(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h,
              "targets:\n"
              "  - address: 127.0.0.1:%u\n"
              "    preset: redis\n"
              "    interval: 100ms\n    timeout: 100ms\n"
              "    backoff: { initial: 200ms, max: 800ms }\n",
              tt_fault_port(f));
  tt_h_run(&h, 5, 20000);
  const uint64_t base[] = { 200, 400, 800, 800 };
  for (size_t i = 0; i < 4; i++) {
    uint64_t gap = hb(&h, i + 1)->at_ms - hb(&h, i)->at_ms;
    /* Timers are millisecond-grained; a loaded machine may add more. */
    if (gap + 2 < base[i] / 2 || gap > base[i] + 100 + 150)
      fail_msg("retry %zu came after %llu ms, not within [%llu, %llu]", i + 1,
               (unsigned long long)gap, (unsigned long long)base[i] / 2,
               (unsigned long long)base[i] + 100);
  }
  /* Slots waited out on purpose are not missed ones. */
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.skipped, 0);
  assert_int_equal(tt_engine_skipped(h.engine), 0);
  tt_h_teardown(&h);
}

/* ---- missed slots ------------------------------------------------------- */

static void block_once_cb(tt_harness *h, const tt_event *ev) {
  if (ev->kind == TT_EVENT_HEARTBEAT && ev->seq == 3)
    sleep_ms(450); /* the loop falls behind: the condition under test */
}

/* The loop stalls for 4.5 intervals: the slots that went by are counted
 * as skipped, and the pings after the stall keep their spacing instead of
 * catching up in a burst. */
static void test_missed_slots_are_counted_not_bunched(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_h_config(&h,
              "targets:\n  - address: 127.0.0.1:%u\n    preset: redis\n"
              "    interval: 100ms\n    timeout: 50ms\n",
              tt_fault_port(f));
  h.on_event = block_once_cb;
  tt_h_run(&h, 7, 10000);
  const tt_view *v = tt_engine_view(h.engine, 0);
  /* Slots 4 to 6 went by during the stall (7 came due as it ended): 3,
   * or one more if the machine was slow to come back. */
  if (v->stats.skipped < 3 || v->stats.skipped > 4)
    fail_msg("%llu slots skipped", (unsigned long long)v->stats.skipped);
  for (size_t i = 4; i < 7; i++) {
    uint64_t gap = hb(&h, i)->at_ms - hb(&h, i - 1)->at_ms;
    /* The first ping after the stall goes out late within its slot; the
     * next keeps its own: apart, never back to back. */
    if (gap < 40)
      fail_msg("pings %zu and %zu only %llu ms apart", i, i + 1,
               (unsigned long long)gap);
  }
  assert_int_equal(v->stats.sent, 7);
  /* The loop fell behind: the engine says so too. */
  assert_int_equal(tt_engine_skipped(h.engine), v->stats.skipped);
  tt_h_teardown(&h);
}

/* A connect-mode probe whose handshake never completes runs past its
 * interval into the next slots: the target missed them (its skipped
 * says so), the loop did not fall behind (the engine's count stays 0,
 * and the dashboard shows no BEHIND). */
static void test_slow_connects_are_the_targets_not_the_loops(void **u) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_STALL);
  tt_h_config(&h,
              "targets:\n  - address: 127.0.0.1:%u\n"
              "    interval: 100ms\n    timeout: 100ms\n"
              "    connect_timeout: 250ms\n",
              tt_fault_port(f));
  tt_h_run(&h, 3, 10000);
  const tt_view *v = tt_engine_view(h.engine, 0);
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_CONNECT_TIMEOUT);
  /* Each probe takes 250 ms: two slots at least go by between two. */
  if (v->stats.skipped < 4)
    fail_msg("%llu slots skipped, expected 4 or more",
             (unsigned long long)v->stats.skipped);
  assert_int_equal(tt_engine_skipped(h.engine), 0);
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_first_heartbeats_are_spread),
    cmocka_unit_test(test_first_heartbeats_are_spread_after_a_slow_start),
    cmocka_unit_test(test_pings_keep_their_phase_across_reconnects),
    cmocka_unit_test(test_mass_reconnect_keeps_pings_spread),
    cmocka_unit_test(test_connects_completing_together_keep_pings_spread),
    cmocka_unit_test(test_retries_every_slot_and_recovers_within_an_interval),
    cmocka_unit_test(test_backoff_waits_out_whole_slots),
    cmocka_unit_test(test_missed_slots_are_counted_not_bunched),
    cmocka_unit_test(test_slow_connects_are_the_targets_not_the_loops),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
