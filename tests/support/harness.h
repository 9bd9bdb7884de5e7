/* harness.h - an engine under test: a loop, fault servers, a config from
 * YAML, every event recorded, and a teardown that proves nothing leaked
 * (handles, descriptors; memory is LeakSanitizer's job). */
#ifndef TETHER_TEST_HARNESS_H
#define TETHER_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "engine.h"
#include "fault.h"

#define TT_H_EVENTS 1024
#define TT_H_FAULTS 16

typedef struct tt_rec {
  tt_event_kind kind;
  size_t index;        /* target */
  uint64_t seq;
  tt_class cls;
  bool has_rtt;
  uint32_t rtt_us;
  bool has_reply;
  uint32_t reply_us;
  tt_state from, to;
  char error[TT_ERROR_MAX];
  char ip[TT_IP_MAX];  /* the target's address in use at the time */
  uint64_t at_ms;      /* uv_now when it happened */
  uint64_t at_us;      /* uv_hrtime when it happened, in microseconds */
} tt_rec;

typedef struct tt_harness tt_harness;
typedef void (*tt_harness_cb)(tt_harness *h, const tt_event *ev);

struct tt_harness {
  uv_loop_t loop;
  tt_config cfg;
  bool have_cfg;
  tt_engine *engine;
  tt_fault *faults[TT_H_FAULTS];
  size_t nfaults;
  tt_rec ev[TT_H_EVENTS];
  size_t n;
  bool finished;
  bool stopped;
  int fd_start;
  tt_harness_cb on_event; /* optional: drive faults from events */
  void *user;
  char dns_servers[64];   /* optional: the engine's name servers */
};

/* Settings short enough for tests, generous enough for a loaded machine:
 * for a YAML mapping indented by 2 (defaults:). */
#define TT_H_FAST "interval: 300ms\n  timeout: 150ms\n  connect_timeout: 300ms\n" \
                  "  backoff: { initial: 50ms, max: 200ms }\n"

void tt_h_setup(tt_harness *h);
/* Starts a fault server and returns it (fails the test on error). */
tt_fault *tt_h_fault(tt_harness *h, const tt_fault_opts *o);
/* Loads a config from printf-formatted YAML (fails the test on any
 * diagnostic, printing it). */
void tt_h_config(tt_harness *h, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Loads a new config from printf-formatted YAML and makes it the running
 * engine's (tt_engine_reload); the old config is freed. */
tt_reload_report tt_h_reload(tt_harness *h, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Makes and starts the engine, without running the loop. */
void tt_h_start(tt_harness *h);
/* Runs the engine until every target did `count` heartbeats, or until
 * h->finished is set by a callback; fails the test after timeout_ms. */
void tt_h_run(tt_harness *h, uint64_t count, uint64_t timeout_ms);
/* Stops everything and asserts that no handle or descriptor is left. */
void tt_h_teardown(tt_harness *h);

/* Asserts that a test left nothing behind on loop: no active handle, the
 * loop closes, and the descriptor count is back at fd_start. */
void tt_h_assert_clean(uv_loop_t *loop, int fd_start);

/* A fault server of one kind with default options. */
tt_fault *tt_h_serve(tt_harness *h, tt_fault_kind kind);

/* The i-th heartbeat / state change of target idx; fails the test when
 * there is none. */
const tt_rec *tt_h_hb(const tt_harness *h, size_t idx, size_t i);
const tt_rec *tt_h_change(const tt_harness *h, size_t idx, size_t i);
void tt_h_assert_change(const tt_rec *r, tt_state from, tt_state to,
                        tt_class cls);

/* The i-th recorded event of one kind for target idx, or NULL. */
const tt_rec *tt_h_nth(const tt_harness *h, size_t idx, tt_event_kind kind,
                       size_t i);
size_t tt_h_count(const tt_harness *h, size_t idx, tt_event_kind kind);

#endif
