/* test_reconnect.c - a persistent connection closed by the peer between
 * heartbeats is normal life (keep-alive limits, reloads): a quiet
 * reconnect, never a failure; a close under a ping waiting for its reply
 * is that ping's, unless the connection was a stale one that swallowed
 * the ping whole. Real fault servers on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "support.h"

static const tt_rec *hb(const tt_harness *h, size_t i) {
  return tt_h_hb(h, 0, i);
}

static void redis_target(tt_harness *h, const tt_fault *f) {
  tt_h_config(h,
              "defaults:\n  " TT_H_FAST
              "targets:\n  - address: 127.0.0.1:%u\n    preset: redis\n",
              tt_fault_port(f));
}

/* Every heartbeat ok, the only change connecting -> up, one heartbeat per
 * slot (300 ms apart: never sooner, later only by what a loaded machine
 * adds), and reconnects counted as the events say. */
static void assert_quiet(const tt_harness *h, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const tt_rec *r = hb(h, i);
    if (r->cls != TT_CLASS_OK)
      fail_msg("heartbeat %zu is %s: %s", i + 1, tt_class_name(r->cls),
               r->error);
    assert_int_equal(r->seq, i + 1);
    if (i > 0) {
      uint64_t gap = r->at_ms - hb(h, i - 1)->at_ms;
      if (gap < 280 || gap > 300 + 150)
        fail_msg("heartbeats %zu and %zu are %llu ms apart", i, i + 1,
                 (unsigned long long)gap);
    }
  }
  assert_int_equal(tt_h_count(h, 0, TT_EVENT_STATE), 1);
  tt_h_assert_change(tt_h_change(h, 0, 0), TT_STATE_CONNECTING, TT_STATE_UP,
                     TT_CLASS_OK);
  const tt_view *v = tt_engine_view(h->engine, 0);
  assert_int_equal(v->stats.flaps, 0);
  assert_int_equal(v->stats.lost, 0);
  assert_int_equal(v->stats.sent, n);
  assert_int_equal(v->stats.reconnects, tt_h_count(h, 0, TT_EVENT_RECONNECT));
}

/* An HTTP/1.0 server, or nginx with keepalive_timeout 0: each reply, then
 * the server closes. Each close is a reconnect event, nothing else. */
static void test_close_after_each_reply_is_quiet(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .close_after = 1 };
  tt_fault *f = tt_h_fault(&h, &o);
  redis_target(&h, f);
  tt_h_run(&h, 5, 10000);
  assert_quiet(&h, 5);
  /* Closes after replies 1 to 4 came while the run went on. */
  size_t n = tt_h_count(&h, 0, TT_EVENT_RECONNECT);
  assert_true(n >= 4);
  for (size_t i = 0; i < n; i++) {
    const tt_rec *r = tt_h_nth(&h, 0, TT_EVENT_RECONNECT, i);
    assert_int_equal(r->cls, TT_CLASS_EOF);
    assert_string_equal(r->error, "peer closed the connection");
  }
  assert_int_equal(tt_fault_accepted(f), 5);
  tt_h_teardown(&h);
}

/* A reset right behind the reply (libuv reports the hang-up as an end of
 * stream without reading again): still a reset, and still quiet. */
static void test_reset_after_each_reply_is_a_quiet_reset(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .close_after = 1,
                      .close_reset = true };
  redis_target(&h, tt_h_fault(&h, &o));
  tt_h_run(&h, 4, 10000);
  assert_quiet(&h, 4);
  size_t n = tt_h_count(&h, 0, TT_EVENT_RECONNECT);
  assert_true(n >= 3);
  for (size_t i = 0; i < n; i++)
    if (tt_h_nth(&h, 0, TT_EVENT_RECONNECT, i)->cls != TT_CLASS_RESET)
      fail_msg("reconnect %zu is %s", i + 1,
               tt_class_name(tt_h_nth(&h, 0, TT_EVENT_RECONNECT, i)->cls));
  tt_h_teardown(&h);
}

/* keepalive_requests: a few replies per connection, then a close. */
static void test_keepalive_requests_limit_is_quiet(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .close_after = 3 };
  tt_fault *f = tt_h_fault(&h, &o);
  redis_target(&h, f);
  tt_h_run(&h, 7, 10000);
  assert_quiet(&h, 7);
  assert_int_equal(tt_fault_accepted(f), 3);
  assert_true(tt_h_count(&h, 0, TT_EVENT_RECONNECT) >= 2);
  tt_h_teardown(&h);
}

/* A server that closes an idle keep-alive connection just as a ping
 * arrives: the ping was swallowed whole (not a byte of its reply came),
 * so it goes out again on a new connection, as HTTP clients retry on a
 * stale keep-alive connection. Same seq, no failure. */
static void test_stale_connection_ping_is_sent_again(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .drop_after = 2 };
  tt_fault *f = tt_h_fault(&h, &o);
  redis_target(&h, f);
  tt_h_run(&h, 5, 10000);
  for (size_t i = 0; i < 5; i++)
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_OK);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_STATE), 1);
  /* Connection 1: pings 1, 2, and 3 swallowed; connection 2: ping 3
   * again, 4, and 5 swallowed; connection 3: ping 5 again. */
  assert_int_equal(tt_fault_accepted(f), 3);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_RECONNECT), 2);
  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_int_equal(v->stats.sent, 5);
  assert_int_equal(v->stats.reconnects, 2);
  tt_h_teardown(&h);
}

/* A server that closes every fresh connection before answering anything
 * is down: nothing quiet about it. */
static void test_close_before_any_answer_is_a_failure(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  redis_target(&h, tt_h_serve(&h, TT_FAULT_CLOSE));
  tt_h_run(&h, 3, 10000);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(hb(&h, i)->cls, TT_CLASS_EOF);
    assert_string_equal(hb(&h, i)->error, "peer closed the connection");
  }
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_RECONNECT), 0);
  tt_h_assert_change(tt_h_change(&h, 0, 0), TT_STATE_CONNECTING,
                     TT_STATE_DOWN, TT_CLASS_EOF);
  tt_h_teardown(&h);
}

/* The reply came, then the server closed with the next ping already
 * half-answered: that ping's failure, and the state goes down. */
static void test_close_under_a_partly_answered_ping_fails_it(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  /* Ping 2's reply stops half way, and the server closes. */
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND, .reply = "+PONG 1234\r\n",
                      .drop_after = 1, .drop_partial = true };
  redis_target(&h, tt_h_fault(&h, &o));
  tt_h_run(&h, 2, 10000);
  assert_int_equal(hb(&h, 0)->cls, TT_CLASS_OK);
  assert_int_equal(hb(&h, 1)->cls, TT_CLASS_EOF);
  assert_int_equal(hb(&h, 1)->seq, 2);
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_RECONNECT), 0);
  tt_h_assert_change(tt_h_change(&h, 0, 1), TT_STATE_UP, TT_STATE_DOWN,
                     TT_CLASS_EOF);
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_close_after_each_reply_is_quiet),
    cmocka_unit_test(test_reset_after_each_reply_is_a_quiet_reset),
    cmocka_unit_test(test_keepalive_requests_limit_is_quiet),
    cmocka_unit_test(test_stale_connection_ping_is_sent_again),
    cmocka_unit_test(test_close_before_any_answer_is_a_failure),
    cmocka_unit_test(test_close_under_a_partly_answered_ping_fails_it),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
