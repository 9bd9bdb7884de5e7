/* state.h - the session state machine of PRODUCT.md "States", as one pure
 * function so that it reads like the table and can be tested as one. */
#ifndef TETHER_STATE_H
#define TETHER_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "tether.h"

/* The state after a heartbeat of class cls. misses is the number of
 * consecutive timeouts/write timeouts including this one (0 for a
 * success); slow says the RTT of a success exceeded rtt_warn. */
tt_state tt_state_next(tt_state cur, tt_class cls, uint32_t misses,
                       uint32_t miss_threshold, bool slow);

/* Whether a heartbeat of class cls (misses counted as above) must close a
 * persistent connection and rebuild it. */
bool tt_state_must_reconnect(tt_class cls, uint32_t misses,
                             uint32_t miss_threshold);

#endif
