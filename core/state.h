/* state.h - the session state machine of PRODUCT.md "States", as one pure
 * step function: a heartbeat's result in, the new state and what to do
 * and report out, so that it reads like the table and is tested as one. */
#ifndef TETHER_STATE_H
#define TETHER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tether.h"

/* What the machine remembers between heartbeats. */
typedef struct tt_machine {
  tt_state state;
  uint32_t misses; /* consecutive timeouts and write timeouts */
} tt_machine;

/* A target's rules. */
typedef struct tt_rules {
  uint32_t miss_threshold;
  uint64_t rtt_warn_ms;    /* 0: a success is never too slow */
  /* When the certificate of the connection expires within cert_warn: its
   * notAfter (seconds since the epoch), which makes a success not quite
   * well. 0: no such certificate. */
  int64_t cert_expires;
  int64_t now;             /* seconds since the epoch, for how long */
} tt_rules;

/* One heartbeat's consequences. */
typedef struct tt_step {
  tt_state from, to;       /* equal when the state did not change */
  bool flap;               /* up or degraded went down */
  bool reconnect;          /* the persistent connection must be rebuilt */
  bool slow;               /* a success above rtt_warn made it degraded */
  bool cert_soon;          /* ... or a certificate about to expire did */
} tt_step;

void tt_machine_init(tt_machine *m);

/* Whether a change from `from` to `to` is a flap: up or degraded went
 * down. The step's flap says it for a heartbeat; a replay of a log's
 * state events asks it of each. */
bool tt_state_is_flap(tt_state from, tt_state to);

/* Applies one heartbeat of class cls (rtt_us when ok) to m. */
tt_step tt_state_step(tt_machine *m, const tt_rules *r, tt_class cls,
                      uint32_t rtt_us);

/* The words a state change carries: for a change to degraded by
 * slowness "rtt 398 ms above rtt_warn 200 ms", by a certificate
 * "certificate expires in 5 days (2026-12-01)", for a success nothing, for a
 * failure its detail. Returns buf. */
const char *tt_state_cause(const tt_step *st, const tt_rules *r, tt_class cls,
                           uint32_t rtt_us, const char *detail, char *buf,
                           size_t n);

#endif
