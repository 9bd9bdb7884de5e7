/* slots.h - a target's schedule: slot k of its interval falls at base_ms +
 * k * interval_ms (loop time), and every ping or probe goes out at one.
 * Which slot is next, which went by unused, and how far ahead of its slot
 * a connection starts. Arithmetic only: the caller reads the clock. */
#ifndef TETHER_SLOTS_H
#define TETHER_SLOTS_H

#include <stdint.h>

typedef struct tt_slots {
  uint64_t phase_ms;    /* where in the interval, from the engine's start
                           (base_ms adds the lead to it) */
  uint64_t base_ms;     /* slot 0 */
  uint64_t interval_ms;
  uint64_t next_k;      /* the first slot not yet used */
  uint64_t aim_k;       /* the slot a connection in progress is for */
  uint64_t timer_k;     /* the slot the timer was last set for */
} tt_slots;

/* Slots at phase_ms (taken modulo interval_ms) from start_ms, each lead_ms
 * later (a persistent connection starts a lead ahead of its first ping);
 * slot 0 is the first whose connect is not before now_ms. */
void tt_slots_start(tt_slots *sl, uint64_t start_ms, uint64_t phase_ms,
                    uint64_t interval_ms, uint64_t lead_ms, uint64_t now_ms);

/* When slot k falls. */
uint64_t tt_slot_ms(const tt_slots *sl, uint64_t k);

/* The first slot at or after t, and the last at or before t; never one
 * already used. */
uint64_t tt_slot_from(const tt_slots *sl, uint64_t t);
uint64_t tt_slot_at(const tt_slots *sl, uint64_t t);

/* Uses slot k for a ping or a probe. Returns how many slots before it went
 * by unused; *late gets those of them that went by after the slot the
 * timer was set for (the loop came to it late), the others the target's
 * own attempt ran over (a slow connect). */
uint64_t tt_slot_use(tt_slots *sl, uint64_t k, uint64_t *late);

/* How long before its slot a connection starts: 250 ms, or twice the last
 * handshake when that is longer, and never more than half an interval. */
uint32_t tt_slot_lead_ms(uint32_t handshake_us, uint64_t interval_ms);

#endif
