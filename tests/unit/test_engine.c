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

#include "dnsd.h"
#include "harness.h"
#include "support.h"

#define FAST TT_H_FAST
#define serve tt_h_serve

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
  return tt_h_hb(h, 0, i);
}

static const tt_rec *st(const tt_harness *h, size_t i) {
  return tt_h_change(h, 0, i);
}

#define assert_state tt_h_assert_change

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
  /* A connection that never was is not rebuilt: no reconnect. */
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.reconnects, 0);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_RECONNECT), 0);
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
  if (strstr(r->error, "reply did not match ^(\\+PONG|-): ") == NULL)
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
  /* Every change is counted, flaps or not. */
  assert_int_equal(v->stats.changes, 4);
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
 * is down; once up again the test lets time pass in up, then stops. */
typedef struct away {
  uint64_t up_ms, down_ms, back_ms; /* when each change was reported */
  bool resumed;
} away;

static void away_and_back_cb(tt_harness *h, const tt_event *ev) {
  tt_fault *f = h->faults[0];
  away *a = h->user;
  uint64_t now = uv_now(&h->loop);
  if (ev->kind == TT_EVENT_HEARTBEAT && a->back_ms > 0 &&
      now >= a->back_ms + 200)
    h->finished = true;
  if (ev->kind != TT_EVENT_STATE)
    return;
  if (ev->to == TT_STATE_UP && ev->from == TT_STATE_CONNECTING) {
    a->up_ms = now;
    tt_fault_pause(f);
  } else if (ev->to == TT_STATE_DOWN) {
    a->down_ms = now;
    assert_int_equal(tt_fault_resume(f), 0);
  } else if (ev->to == TT_STATE_UP) {
    a->back_ms = now;
  }
}

static void test_listener_goes_away_and_comes_back(void **unused) {
  tt_harness h;
  away a = { 0 };
  tt_h_setup(&h);
  one_target(&h, serve(&h, TT_FAULT_RESPOND), NULL);
  h.on_event = away_and_back_cb;
  h.user = &a;
  tt_h_run(&h, 0, 10000);

  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 3);
  assert_state(st(&h, 0), TT_STATE_CONNECTING, TT_STATE_UP, TT_CLASS_OK);
  /* Pausing resets the idle connection: a quiet reconnect, whose connect
   * is refused (the port is held, nothing listens): that is the failure. */
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_RECONNECT), 1);
  assert_int_equal(tt_h_nth(&h, 0, TT_EVENT_RECONNECT, 0)->cls,
                   TT_CLASS_RESET);
  assert_state(st(&h, 1), TT_STATE_UP, TT_STATE_DOWN, TT_CLASS_REFUSED);
  assert_state(st(&h, 2), TT_STATE_DOWN, TT_STATE_UP, TT_CLASS_OK);
  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_int_equal(v->stats.flaps, 1);
  assert_int_equal(v->stats.reconnects, 1);
  /* Time in each state, against the times the changes were reported: a
   * closed period of down, and up's closed period plus its open one, in
   * which time really passed (at least 200 ms). */
  uint64_t now = uv_now(&h.loop);
  assert_true(now >= a.back_ms + 200);
  assert_int_equal(tt_view_time_in_state(v, TT_STATE_DOWN, now),
                   a.back_ms - a.down_ms);
  assert_int_equal(tt_view_time_in_state(v, TT_STATE_UP, now),
                   (a.down_ms - a.up_ms) + (now - a.back_ms));
  assert_int_equal(tt_view_time_in_state(v, TT_STATE_DEGRADED, now), 0);
  tt_h_teardown(&h);
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
  /* The second +PONG of pings 1 and 2 (7 bytes each); ping 3's comes
   * after the count was reached, when nothing is read any more. */
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.discarded_bytes, 14);
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
  /* In human units, and only where slowness is the cause. */
  assert_string_equal(st(&h, 0)->error, "");
  if (strncmp(st(&h, 1)->error, "rtt 6", 5) != 0 ||
      strstr(st(&h, 1)->error, " ms above rtt_warn 20.0 ms") == NULL)
    fail_msg("cause: %s", st(&h, 1)->error);
  tt_h_teardown(&h);
}

/* ---- lifecycle ------------------------------------------------------------ */

/* Stops once every target has something in flight: a connect that the
 * kernel never completes, a ping that is never answered, a lookup that no
 * name server answers, a polite close that waits for its server. Then
 * the stop must leave no handle, descriptor or allocation behind. */
typedef struct inflight {
  tt_dnsd *dns;
  const tt_fault *stall, *silent, *smtp;
} inflight;

static bool all_in_flight(void *arg) {
  tt_harness *h = arg;
  const inflight *in = h->user;
  if (h->engine == NULL)
    return false;
  const tt_view *pinged = tt_engine_view(h->engine, 1);
  return tt_fault_accepted(in->stall) == 0 &&        /* still connecting */
         tt_fault_requests(in->silent) >= 1 &&       /* a ping unanswered */
         pinged->stats.sent == 0 &&                  /* ... and pending */
         tt_dnsd_queries(in->dns, "hangs.test") >= 1 && /* a lookup */
         tt_fault_accepted(in->smtp) >= 1 &&
         tt_engine_view(h->engine, 3)->stats.sent >= 1; /* a QUIT sent */
}

static void test_stop_in_flight_leaks_nothing(void **unused) {
  static const tt_dnsd_name names[] = {
    { "hangs.test", TT_DNSD_SILENT, NULL },
  };
  tt_harness h;
  tt_dnsd dns;
  tt_h_setup(&h);
  assert_int_equal(tt_dnsd_start(&h.loop, &dns, names, 1), 0);
  tt_dnsd_address(&dns, h.dns_servers, sizeof h.dns_servers);
  tt_fault *stall = serve(&h, TT_FAULT_STALL);
  tt_fault *silent = serve(&h, TT_FAULT_SILENT);
  /* A server that never answers the QUIT nor closes: the polite close
   * waits for it until its deadline, or the stop. */
  tt_fault_opts so = { .kind = TT_FAULT_RESPOND, .banner = "220 x\r\n",
                       .reply = "250 ok\r\n", .request_end = "never" };
  tt_fault *smtp = tt_h_fault(&h, &so);
  inflight in = { &dns, stall, silent, smtp };
  h.user = &in;
  tt_h_config(&h,
              "defaults: { interval: 1s, timeout: 1s, connect_timeout: 1s }\n"
              "targets:\n"
              "  - { address: \"127.0.0.1:%u\", preset: redis }\n"
              "  - { address: \"127.0.0.1:%u\", preset: redis }\n"
              "  - { address: \"hangs.test:%u\", preset: redis }\n"
              "  - { address: \"127.0.0.1:%u\", preset: smtp }\n",
              tt_fault_port(stall), tt_fault_port(silent),
              tt_fault_port(silent), tt_fault_port(smtp));
  tt_engine_opts o = { .seed = 42, .dns_servers = h.dns_servers };
  assert_int_equal(tt_engine_new(&h.loop, &h.cfg, &o, &h.engine), 0);
  assert_int_equal(tt_engine_start(h.engine), 0);
  if (!tt_test_run_until_fn(&h.loop, all_in_flight, &h, 5000))
    fail_msg("not everything got in flight");
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.sent, 0);
  assert_int_equal(tt_engine_view(h.engine, 2)->stats.sent, 0);
  tt_dnsd_close(&dns);
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

/* r in the dashboard: the connection is rebuilt at once, not a failure,
 * and the next ping keeps its slot. */
static void test_reconnect_now(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = serve(&h, TT_FAULT_RESPOND);
  one_target(&h, f, NULL);
  h.on_event = reconnect_once_cb;
  tt_h_run(&h, 0, 10000);
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_OK);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 1);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_RECONNECT), 0);
  assert_int_equal(tt_fault_accepted(f), 2);
  /* Counted as a rebuilt connection, though nobody closed it. */
  assert_int_equal(tt_engine_view(h.engine, 0)->stats.reconnects, 1);
  /* One slot later (300 ms): never sooner, later only by what a loaded
   * machine adds. */
  uint64_t gap = hb(&h, 1)->at_ms - hb(&h, 0)->at_ms;
  if (gap < 295 || gap > 300 + 150)
    fail_msg("the next ping came %llu ms later", (unsigned long long)gap);
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
    cmocka_unit_test(test_unsolicited_bytes_are_discarded),
    cmocka_unit_test(test_rtt_warn_degrades),
    cmocka_unit_test(test_stop_in_flight_leaks_nothing),
    cmocka_unit_test(test_reconnect_now),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
