/* test_engine.c - the heartbeat engine against real fault servers on
 * 127.0.0.1 (port 0): classes, state sequences, pairing of replies with
 * their pings, backoff, the spread of first heartbeats, and a clean stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "support.h"

/* Settings short enough for tests, generous enough for a loaded machine. */
#define FAST "interval: 300ms\n  timeout: 150ms\n  connect_timeout: 300ms\n" \
             "  backoff: { initial: 50ms, max: 200ms }\n"

static tt_fault *serve(tt_harness *h, tt_fault_kind kind) {
  tt_fault_opts o = { .kind = kind };
  return tt_h_fault(h, &o);
}

/* One redis-like target against server f, with extra YAML lines. */
static void one_target(tt_harness *h, const tt_fault *f, const char *extra) {
  tt_h_config(h,
              "defaults:\n  " FAST
              "targets:\n"
              "  - name: t\n"
              "    address: 127.0.0.1:%u\n"
              "    preset: redis\n%s",
              tt_fault_port(f), extra ? extra : "");
}

static const tt_rec *hb(const tt_harness *h, size_t i) {
  const tt_rec *r = tt_h_nth(h, 0, TT_EVENT_HEARTBEAT, i);
  if (r == NULL)
    fail_msg("no heartbeat #%zu (%zu events)", i + 1, h->n);
  return r;
}

static const tt_rec *st(const tt_harness *h, size_t i) {
  const tt_rec *r = tt_h_nth(h, 0, TT_EVENT_STATE, i);
  if (r == NULL)
    fail_msg("no state change #%zu", i + 1);
  return r;
}

static void assert_state(const tt_rec *r, tt_state from, tt_state to,
                         tt_class cls) {
  assert_int_equal(r->from, from);
  assert_int_equal(r->to, to);
  assert_int_equal(r->cls, cls);
}

/* ---- persistent mode ---------------------------------------------------- */

static void test_pong_is_ok_with_rtt(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_RESPOND), NULL);
  tt_h_run(&h, 3, 10000);

  for (size_t i = 0; i < 3; i++) {
    const tt_rec *r = hb(&h, i);
    assert_int_equal(r->seq, i + 1);
    assert_int_equal(r->cls, TT_CLASS_OK);
    assert_true(r->has_rtt);
    assert_true(r->rtt_us > 0 && r->rtt_us < 150000);
    assert_string_equal(r->error, "");
  }
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 1);
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_UP, TT_CLASS_OK);

  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_int_equal(v->stats.sent, 3);
  assert_int_equal(v->stats.received, 3);
  assert_int_equal(v->stats.lost, 0);
  assert_int_equal(v->stats.classes[TT_CLASS_OK], 3);
  assert_string_equal(v->ip, "127.0.0.1");
  assert_true(v->finished);
  tt_h_teardown(&h);
}

static void test_refused(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_REFUSE), NULL);
  tt_h_run(&h, 2, 10000);

  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_REFUSED);
  assert_string_equal(hb(&h, 0)->error, "connection refused");
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_REFUSED);
  assert_int_equal(hb(&h, 1)->seq, 2);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 1);
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_DOWN,
               TT_CLASS_REFUSED);
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.reconnects, 1);
  tt_h_teardown(&h);
}

static void test_accept_then_reset(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_RESET), NULL);
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_RESET);
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_DOWN, TT_CLASS_RESET);
  tt_h_teardown(&h);
}

static void test_accept_then_close(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_CLOSE), NULL);
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_EOF);
  assert_string_equal(hb(&h, 0)->error, "peer closed the connection");
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_DOWN, TT_CLASS_EOF);
  tt_h_teardown(&h);
}

static void test_silent_times_out_and_reconnects(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_SILENT);
  one_target(&h, f, "    miss_threshold: 2\n");
  tt_h_run(&h, 3, 10000);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_TIMEOUT);
    assert_string_equal(hb(&h, i)->error, "no reply within 150 ms");
  }
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_DOWN,
               TT_CLASS_TIMEOUT);
  /* Two misses in a row cost the connection: the third ping went on a
   * new one. */
  assert_int_equal(tt_fault_accepted(f), 2);
  tt_h_teardown(&h);
}

static void test_garbage_is_protocol_and_escaped(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_GARBAGE), NULL);
  tt_h_run(&h, 1, 10000);
  const tt_rec *r = hb(&h, 0);
  assert_int_equal(r->cls, TT_CLASS_PROTOCOL);
  if (strstr(r->error, "reply did not match ^\\+PONG: ") == NULL)
    fail_msg("detail: %s", r->error);
  assert_non_null(strstr(r->error, "\\x1b"));
  for (const char *p = r->error; *p; p++)
    assert_true(*p >= 0x20 && *p < 0x7f);
  tt_h_teardown(&h);
}

static void test_reply_over_max_reply_is_protocol(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_OVERSIZE, .size = 5000 };
  one_target(&h, tt_h_fault(&h, &o), "    max_reply: 100\n");
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_PROTOCOL);
  assert_string_equal(hb(&h, 0)->error,
                      "reply reached max_reply (100 bytes) without \\n");
  tt_h_teardown(&h);
}

/* The same limit when the long reply ends within the read that brought
 * it (handled in place, without the session's buffer). */
static void test_ended_reply_over_max_reply_is_protocol(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  static char reply[256];
  memset(reply, 'A', 200);
  memcpy(reply + 200, "\r\n", 3);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .reply = reply };
  one_target(&h, tt_h_fault(&h, &o), "    max_reply: 100\n    expect: \"^A\"\n");
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_PROTOCOL);
  assert_string_equal(hb(&h, 0)->error,
                      "reply reached max_reply (100 bytes) without \\n");
  tt_h_teardown(&h);
}

static void test_split_reply_is_ok(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_SPLIT, .delay_ms = 5 };
  one_target(&h, tt_h_fault(&h, &o), NULL);
  tt_h_run(&h, 2, 10000);
  for (size_t i = 0; i < 2; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_OK);
    /* "+PONG\r\n" came a byte every 5 ms: the RTT covers all of it. */
    assert_true(hb(&h, i)->rtt_us >= 25000);
  }
  tt_h_teardown(&h);
}

/* Ping 2's reply comes 400 ms late, after ping 3 went out (interval 300,
 * timeout 150). It must be reported as ping 2's late reply, and ping 3
 * must get its own reply, not ping 2's. */
static void test_late_reply_is_never_credited_to_a_later_ping(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_LATE, .every = 2, .delay_ms = 400 };
  one_target(&h, tt_h_fault(&h, &o), NULL);
  tt_h_run(&h, 3, 10000);

  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_OK);
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_TIMEOUT);
  assert_int_equal(hb(&h, 1)->seq, 2);

  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_LATE), 1);
  const tt_rec *late = tt_h_nth(&h, 0, TT_EVENT_LATE, 0);
  assert_int_equal(late->seq, 2);
  assert_true(late->rtt_us >= 380000);

  const tt_rec *third = hb(&h, 2);
  assert_int_equal(third->seq, 3);
  assert_int_equal(third->cls, TT_CLASS_OK);
  /* Its reply waited behind ping 2's (sent at +400 ms, ping 3 at +300). */
  assert_true(third->rtt_us >= 60000 && third->rtt_us < 150000);

  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_int_equal(v->stats.late, 1);
  assert_int_equal(v->stats.lost, 1);
  assert_int_equal(v->stats.received, 2);

  /* up, degraded by the miss, up again. */
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_UP, TT_CLASS_OK);
  assert_state(st(&h, 1), TT_STATE_UP, TT_STATE_DEGRADED, TT_CLASS_TIMEOUT);
  assert_state(st(&h, 2), TT_STATE_DEGRADED, TT_STATE_UP, TT_CLASS_OK);
  tt_h_teardown(&h);
}

/* Every 2nd reply is 1 s late: ping 2 times out (degraded), ping 3's
 * reply waits behind it and times out too, which is miss_threshold (2):
 * down, and the connection is rebuilt. */
static void test_misses_degrade_then_down(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_LATE, .every = 2, .delay_ms = 1000 };
  tt_fault *f = tt_h_fault(&h, &o);
  one_target(&h, f, "    miss_threshold: 2\n");
  tt_h_run(&h, 4, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_OK);
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_TIMEOUT);
  assert_int_equal(hb(&h, 2)->cls, TT_CLASS_TIMEOUT);
  assert_int_equal(hb(&h, 3)->cls, TT_CLASS_OK);
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_UP, TT_CLASS_OK);
  assert_state(st(&h, 1), TT_STATE_UP, TT_STATE_DEGRADED, TT_CLASS_TIMEOUT);
  assert_state(st(&h, 2), TT_STATE_DEGRADED, TT_STATE_DOWN, TT_CLASS_TIMEOUT);
  assert_state(st(&h, 3), TT_STATE_DOWN, TT_STATE_UP, TT_CLASS_OK);
  assert_int_equal(tt_fault_accepted(f), 2);
  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_int_equal(v->stats.flaps, 1);
  /* The replies still owed died with the first connection: no late
   * reply was credited across connections. */
  assert_int_equal(v->stats.late, 0);
  tt_h_teardown(&h);
}

static void stop_at_write_timeout_cb(tt_harness *h, const tt_event *ev) {
  if (ev->kind == TT_EVENT_HEARTBEAT && ev->cls == TT_CLASS_WRITE_TIMEOUT)
    h->finished = true;
}

/* The most a socket's send buffer may grow to (tcp_wmem's maximum). */
static long tcp_wmem_max(void) {
  long lo, mid, hi;
  FILE *f = fopen("/proc/sys/net/ipv4/tcp_wmem", "r");
  if (f == NULL)
    return -1;
  int n = fscanf(f, "%ld %ld %ld", &lo, &mid, &hi);
  fclose(f);
  return n == 3 ? hi : -1;
}

/* A peer that never reads: once the kernel's buffers are full a ping can
 * no longer be written before its deadline, which is a write timeout, not
 * a reply timeout. Until then, pings are written and go unanswered. */
static void test_write_timeout_when_the_peer_does_not_read(void **unused) {
  enum { PING = 64 * 1024 - 1, MAX_PINGS = 200 };
  long wmem = tcp_wmem_max();
  if (wmem < 0 || wmem / PING + 16 > MAX_PINGS) {
    fprintf(stderr, "skipped: send buffers may grow to %ld bytes here\n", wmem);
    skip();
  }
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_UNREAD);
  static char big[PING];
  memset(big, 'A', sizeof big - 1);
  tt_h_config(&h,
              "targets:\n  - address: 127.0.0.1:%u\n"
              "    interval: 30ms\n    timeout: 15ms\n    miss_threshold: 100\n"
              "    send: \"%s\\n\"\n",
              tt_fault_port(f), big);
  h.on_event = stop_at_write_timeout_cb;
  tt_h_run(&h, MAX_PINGS, 30000);

  size_t n = tt_h_count(&h, 0, TT_EVENT_HEARTBEAT);
  const tt_rec *last = hb(&h, n - 1);
  assert_int_equal(last->cls, TT_CLASS_WRITE_TIMEOUT);
  assert_string_equal(last->error, "ping not written within 15 ms");
  for (size_t i = 0; i + 1 < n; i++)
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_TIMEOUT);
  /* One connection throughout: misses below the threshold keep it. */
  assert_int_equal(tt_fault_accepted(f), 1);
  tt_h_teardown(&h);
}

static void test_stall_is_connect_timeout(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_STALL), NULL);
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_CONNECT_TIMEOUT);
  assert_string_equal(hb(&h, 0)->error, "no connection within 300 ms");
  tt_h_teardown(&h);
}

/* The listener goes away once the target is up, and comes back once it
 * is down: up, down, up again, driven by the events themselves. */
static void away_and_back_cb(tt_harness *h, const tt_event *ev) {
  tt_fault *f = h->faults[0];
  if (ev->kind != TT_EVENT_STATE)
    return;
  if (ev->to == TT_STATE_UP && ev->from == TT_STATE_CONNECTING)
    tt_fault_pause(f);
  else if (ev->to == TT_STATE_DOWN)
    assert_int_equal(tt_fault_resume(f), 0);
  else if (ev->to == TT_STATE_UP)
    h->finished = true;
}

static void test_listener_goes_away_and_comes_back(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_RESPOND), NULL);
  h.on_event = away_and_back_cb;
  tt_h_run(&h, 0, 10000);

  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 3);
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_UP, TT_CLASS_OK);
  const tt_rec *down = st(&h, 1);
  assert_int_equal(down->from, TT_STATE_UP);
  assert_int_equal(down->to, TT_STATE_DOWN);
  /* Pausing resets the connections: the peer's reset, or its close. */
  assert_true(down->cls == TT_CLASS_RESET || down->cls == TT_CLASS_EOF);
  assert_state(st(&h, 2), TT_STATE_DOWN, TT_STATE_UP, TT_CLASS_OK);
  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_int_equal(v->stats.flaps, 1);
  /* Time in state: a closed period of down, up counted up to now (its
   * open period included), nothing in degraded. */
  uint64_t now = uv_now(&h.loop);
  uint64_t t_down = tt_view_time_in_state(v, TT_STATE_DOWN, now);
  assert_true(t_down > 0);
  assert_int_equal(t_down, v->time_in_state_ms[TT_STATE_DOWN]);
  assert_int_equal(tt_view_time_in_state(v, TT_STATE_UP, now),
                   v->time_in_state_ms[TT_STATE_UP] + now - v->state_since_ms);
  assert_int_equal(tt_view_time_in_state(v, TT_STATE_DEGRADED, now), 0);
  assert_true(v->stats.reconnects >= 1);
  tt_h_teardown(&h);
}

/* Retries of a refused target back off: each wait lies within
 * [base/2, base] for base = 100, 200, 400, 800, 800 ms (capped). */
static void test_backoff_spacing(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h,
              "targets:\n"
              "  - address: 127.0.0.1:%u\n"
              "    preset: redis\n"
              "    backoff: { initial: 100ms, max: 800ms }\n",
              tt_fault_port(f));
  tt_h_run(&h, 6, 20000);
  const uint64_t base[] = { 100, 200, 400, 800, 800 };
  for (size_t i = 0; i < 5; i++) {
    uint64_t gap = hb(&h, i + 1)->at_ms - hb(&h, i)->at_ms;
    /* The loop's clock and timers are millisecond-grained; allow slack
     * above for a busy machine. */
    if (gap + 2 < base[i] / 2 || gap > base[i] + 150)
      fail_msg("retry %zu came after %llu ms, not within [%llu, %llu]", i + 1,
               (unsigned long long)gap, (unsigned long long)base[i] / 2,
               (unsigned long long)base[i]);
  }
  tt_h_teardown(&h);
}

/* Ten targets with a 1 s interval: their first heartbeats are spread over
 * the interval, not fired in one burst. stale_ms leaves the loop's clock
 * that far behind before the engine starts, as loading a large config
 * does: the spread must be measured from the real now all the same. */
static void check_first_heartbeats_are_spread(unsigned stale_ms) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_RESPOND);
  char yaml[4096];
  int k = snprintf(yaml, sizeof yaml, "defaults: { interval: 1s, timeout: 500ms }\ntargets:\n");
  for (int i = 0; i < 10; i++)
    k += snprintf(yaml + k, sizeof yaml - (size_t)k,
                  "  - { name: t%d, address: \"127.0.0.1:%u\", preset: redis }\n",
                  i, tt_fault_port(f));
  tt_h_config(&h, "%s", yaml);
  if (stale_ms > 0) {
    /* The sleep is the condition under test, not a wait for anything. */
    uv_update_time(&h.loop);
    struct timespec ts = { 0, (long)stale_ms * 1000000L };
    nanosleep(&ts, NULL);
  }
  tt_h_run(&h, 1, 10000);

  uint64_t first = UINT64_MAX, last = 0;
  for (size_t i = 0; i < 10; i++) {
    const tt_rec *r = tt_h_nth(&h, i, TT_EVENT_HEARTBEAT, 0);
    assert_non_null(r);
    assert_int_equal(r->cls, TT_CLASS_OK);
    if (r->at_ms < first)
      first = r->at_ms;
    if (r->at_ms > last)
      last = r->at_ms;
    if (i > 0)
      assert_true(r->at_ms >= tt_h_nth(&h, i - 1, TT_EVENT_HEARTBEAT, 0)->at_ms);
  }
  /* Offsets are 0, 100, ..., 900 ms. */
  if (last - first < 700)
    fail_msg("first heartbeats span %llu ms, not ~900",
             (unsigned long long)(last - first));
  tt_h_teardown(&h);
}

static void test_first_heartbeats_are_spread(void **unused) {
  check_first_heartbeats_are_spread(0);
}

static void test_first_heartbeats_are_spread_after_a_slow_start(void **unused) {
  check_first_heartbeats_are_spread(400);
}

static void test_unsolicited_bytes_are_discarded(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .reply = "+PONG\r\n+PONG\r\n" };
  one_target(&h, tt_h_fault(&h, &o), NULL);
  tt_h_run(&h, 3, 10000);
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_OK);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_LATE), 0);
  assert_true(tt_engine_view(h.engine, 0)->stats.discarded_bytes >= 7);
  tt_h_teardown(&h);
}

static void test_rtt_warn_degrades(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_SLOW, .delay_ms = 60 };
  one_target(&h, tt_h_fault(&h, &o), "    rtt_warn: 20ms\n");
  tt_h_run(&h, 2, 10000);
  /* From connecting a success is up; from up a slow one is degraded. */
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_UP, TT_CLASS_OK);
  assert_state(st(&h, 1), TT_STATE_UP, TT_STATE_DEGRADED, TT_CLASS_OK);
  assert_non_null(strstr(st(&h, 1)->error, "above rtt_warn 20 ms"));
  tt_h_teardown(&h);
}

static void test_ipv6_loopback(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .host = "::1" };
  tt_fault *f;
  if (tt_fault_start(&h.loop, &o, &f) != 0) {
    uv_loop_close(&h.loop);
    skip(); /* no IPv6 on this machine */
  }
  h.faults[h.nfaults++] = f;
  tt_h_config(&h, "targets:\n  - address: \"[::1]:%u\"\n    preset: redis\n",
              tt_fault_port(f));
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_OK);
  assert_string_equal(tt_engine_view(h.engine, 0)->ip, "::1");
  tt_h_teardown(&h);
}

static void test_name_is_resolved(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_RESPOND);
  tt_h_config(&h,
              "targets:\n  - address: localhost:%u\n    preset: redis\n"
              "    family: ipv4\n",
              tt_fault_port(f));
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_OK);
  assert_string_equal(tt_engine_view(h.engine, 0)->ip, "127.0.0.1");
  tt_h_teardown(&h);
}

/* ---- connect mode --------------------------------------------------------- */

static void test_connect_mode_times_the_handshake(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_SILENT);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n  - address: 127.0.0.1:%u\n",
              tt_fault_port(f));
  tt_h_run(&h, 3, 10000);
  assert_int_equal(h.cfg.targets[0].mode, TT_MODE_CONNECT);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_OK);
    assert_int_equal(hb(&h, i)->seq, i + 1);
    assert_true(hb(&h, i)->rtt_us > 0 && hb(&h, i)->rtt_us < 150000);
  }
  /* A fresh connection each time, at the interval's cadence. */
  assert_int_equal(tt_fault_accepted(f), 3);
  uint64_t gap = hb(&h, 2)->at_ms - hb(&h, 1)->at_ms;
  assert_true(gap >= 290 && gap <= 450);
  tt_h_teardown(&h);
}

static void test_connect_mode_refused(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_REFUSE);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n  - address: 127.0.0.1:%u\n",
              tt_fault_port(f));
  tt_h_run(&h, 2, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_REFUSED);
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_REFUSED);
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_DOWN,
               TT_CLASS_REFUSED);
  tt_h_teardown(&h);
}

static void test_connect_mode_banner_mismatch(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .banner = "HELLO\r\n" };
  tt_fault *f = tt_h_fault(&h, &o);
  tt_h_config(&h, "targets:\n  - address: 127.0.0.1:%u\n    preset: ssh\n",
              tt_fault_port(f));
  tt_h_run(&h, 1, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_PROTOCOL);
  assert_string_equal(hb(&h, 0)->error, "greeting did not match ^SSH-: HELLO");
  tt_h_teardown(&h);
}


/* ---- presets against small fakes of their protocols ----------------------- */

typedef struct fake {
  const char *preset;
  tt_fault_kind kind;
  const char *banner, *reply, *request_end;
} fake;

static void run_preset(const fake *fk) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = {
    .kind = fk->kind,
    .banner = fk->banner,
    .reply = fk->reply,
    .request_end = fk->request_end,
  };
  tt_fault *f = tt_h_fault(&h, &o);
  tt_h_config(&h,
              "defaults:\n  " FAST
              "targets:\n  - address: 127.0.0.1:%u\n    preset: %s\n",
              tt_fault_port(f), fk->preset);
  tt_h_run(&h, 2, 10000);
  for (size_t i = 0; i < 2; i++) {
    if (hb(&h, i)->cls != TT_CLASS_OK)
      fail_msg("preset %s: heartbeat %zu is %s: %s", fk->preset, i + 1,
               tt_class_name(hb(&h, i)->cls), hb(&h, i)->error);
  }
  assert_int_equal(tt_engine_view(h.engine, 0)->state, TT_STATE_UP);
  tt_h_teardown(&h);
}

static void test_preset_tcp(void **unused) {
  run_preset(&(fake){ "tcp", TT_FAULT_SILENT, NULL, NULL, NULL });
}
static void test_preset_echo(void **unused) {
  run_preset(&(fake){ "echo", TT_FAULT_ECHO, NULL, NULL, NULL });
}
static void test_preset_redis(void **unused) {
  run_preset(&(fake){ "redis", TT_FAULT_RESPOND, NULL, "+PONG\r\n", NULL });
}
static void test_preset_memcached(void **unused) {
  run_preset(&(fake){ "memcached", TT_FAULT_RESPOND, NULL,
                      "VERSION 1.6.21\r\n", NULL });
}
static void test_preset_http(void **unused) {
  run_preset(&(fake){ "http", TT_FAULT_RESPOND, NULL,
                      "HTTP/1.1 204 No Content\r\nServer: fake\r\n\r\n",
                      "\r\n\r\n" });
}
static void test_preset_smtp(void **unused) {
  run_preset(&(fake){ "smtp", TT_FAULT_RESPOND, "220 fake ESMTP\r\n",
                      "250 2.0.0 OK\r\n", NULL });
}
static void test_preset_ssh(void **unused) {
  run_preset(&(fake){ "ssh", TT_FAULT_RESPOND, "SSH-2.0-fake\r\n", NULL, NULL });
}

/* An SMTP greeting over several lines ("220-" continuations) is one
 * greeting: the NOOP pings pair with their own 250s. */
static void test_multiline_smtp_greeting(void **unused) {
  run_preset(&(fake){ "smtp", TT_FAULT_RESPOND,
                      "220-mail.example ESMTP\r\n220-no UCE\r\n220 ready\r\n",
                      "250 2.0.0 OK\r\n", NULL });
}

/* SSH servers may send lines before their version string. */
static void test_ssh_lines_before_the_banner(void **unused) {
  run_preset(&(fake){ "ssh", TT_FAULT_RESPOND,
                      "Welcome to the jump host\r\nSSH-2.0-fake\r\n", NULL,
                      NULL });
}

/* ---- lifecycle ------------------------------------------------------------ */

static void stop_at_first_event_cb(tt_harness *h, const tt_event *ev) {
  h->finished = true;
}

/* Stopping while connects, pings and resolutions are in flight leaves no
 * handle, descriptor or allocation behind. */
static void test_stop_in_flight_leaks_nothing(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *ok = serve(&h, TT_FAULT_RESPOND);
  tt_fault *silent = serve(&h, TT_FAULT_SILENT);
  tt_fault *stall = serve(&h, TT_FAULT_STALL);
  tt_h_config(&h,
              "defaults: { interval: 1s, timeout: 500ms, connect_timeout: 900ms }\n"
              "targets:\n"
              "  - { address: \"127.0.0.1:%u\", preset: redis }\n"
              "  - { address: \"127.0.0.1:%u\", preset: redis }\n"
              "  - { address: \"127.0.0.1:%u\", preset: redis }\n"
              "  - { address: \"localhost:%u\", preset: redis }\n",
              tt_fault_port(ok), tt_fault_port(silent), tt_fault_port(stall),
              tt_fault_port(ok));
  h.on_event = stop_at_first_event_cb;
  tt_h_run(&h, 0, 10000);
  tt_h_teardown(&h);
}

static void reconnect_once_cb(tt_harness *h, const tt_event *ev) {
  if (ev->kind != TT_EVENT_HEARTBEAT)
    return;
  if (ev->seq == 1)
    tt_engine_reconnect(h->engine, 0);
  else if (ev->seq == 2)
    h->finished = true;
}

static void test_reconnect_now(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_RESPOND);
  one_target(&h, f, NULL);
  h.on_event = reconnect_once_cb;
  tt_h_run(&h, 0, 10000);
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_OK);
  /* A deliberate reconnect is not a failure: still up, one state change. */
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 1);
  assert_int_equal(tt_fault_accepted(f), 2);
  /* It came at once, not a whole interval later. */
  assert_true(hb(&h, 1)->at_ms - hb(&h, 0)->at_ms < 150);
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pong_is_ok_with_rtt),
    cmocka_unit_test(test_refused),
    cmocka_unit_test(test_accept_then_reset),
    cmocka_unit_test(test_accept_then_close),
    cmocka_unit_test(test_silent_times_out_and_reconnects),
    cmocka_unit_test(test_garbage_is_protocol_and_escaped),
    cmocka_unit_test(test_reply_over_max_reply_is_protocol),
    cmocka_unit_test(test_ended_reply_over_max_reply_is_protocol),
    cmocka_unit_test(test_split_reply_is_ok),
    cmocka_unit_test(test_late_reply_is_never_credited_to_a_later_ping),
    cmocka_unit_test(test_misses_degrade_then_down),
    cmocka_unit_test(test_write_timeout_when_the_peer_does_not_read),
    cmocka_unit_test(test_stall_is_connect_timeout),
    cmocka_unit_test(test_listener_goes_away_and_comes_back),
    cmocka_unit_test(test_backoff_spacing),
    cmocka_unit_test(test_first_heartbeats_are_spread),
    cmocka_unit_test(test_first_heartbeats_are_spread_after_a_slow_start),
    cmocka_unit_test(test_unsolicited_bytes_are_discarded),
    cmocka_unit_test(test_rtt_warn_degrades),
    cmocka_unit_test(test_ipv6_loopback),
    cmocka_unit_test(test_name_is_resolved),
    cmocka_unit_test(test_connect_mode_times_the_handshake),
    cmocka_unit_test(test_connect_mode_refused),
    cmocka_unit_test(test_connect_mode_banner_mismatch),
    cmocka_unit_test(test_preset_tcp),
    cmocka_unit_test(test_preset_echo),
    cmocka_unit_test(test_preset_redis),
    cmocka_unit_test(test_preset_memcached),
    cmocka_unit_test(test_preset_http),
    cmocka_unit_test(test_preset_smtp),
    cmocka_unit_test(test_preset_ssh),
    cmocka_unit_test(test_multiline_smtp_greeting),
    cmocka_unit_test(test_ssh_lines_before_the_banner),
    cmocka_unit_test(test_stop_in_flight_leaks_nothing),
    cmocka_unit_test(test_reconnect_now),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
