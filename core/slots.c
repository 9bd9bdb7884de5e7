/* slots.c - a target's slots in time. Every target has fixed slots, spread
 * over the interval across targets (tt_engine_start), and every ping or
 * probe goes out at one: no start, no mass reconnect and no stall can line
 * targets up into one burst. */
#include "slots.h"

/* A new connection is started this long (at least) before the slot of its
 * first ping, so that the ping keeps the slot. */
#define LEAD_MS 250

void tt_slots_start(tt_slots *sl, uint64_t start_ms, uint64_t phase_ms,
                    uint64_t interval_ms, uint64_t lead_ms, uint64_t now_ms) {
  uint64_t base = start_ms + phase_ms % interval_ms + lead_ms;
  /* One that joins a running engine starts at the first slot still
   * ahead. */
  if (base < now_ms + lead_ms)
    base += (now_ms + lead_ms - base + interval_ms - 1) / interval_ms *
            interval_ms;
  *sl = (tt_slots){
    .phase_ms = phase_ms % interval_ms,
    .base_ms = base,
    .interval_ms = interval_ms,
  };
}

uint64_t tt_slot_ms(const tt_slots *sl, uint64_t k) {
  return sl->base_ms + k * sl->interval_ms;
}

uint64_t tt_slot_from(const tt_slots *sl, uint64_t t) {
  uint64_t k = sl->next_k, at = tt_slot_ms(sl, k);
  if (t > at)
    k += (t - at + sl->interval_ms - 1) / sl->interval_ms;
  return k;
}

uint64_t tt_slot_at(const tt_slots *sl, uint64_t t) {
  uint64_t k = sl->next_k, at = tt_slot_ms(sl, k);
  if (t > at)
    k += (t - at) / sl->interval_ms;
  return k;
}

uint64_t tt_slot_use(tt_slots *sl, uint64_t k, uint64_t *late) {
  uint64_t missed = 0;
  *late = 0;
  if (k > sl->next_k) {
    uint64_t from = sl->timer_k > sl->next_k ? sl->timer_k : sl->next_k;
    missed = k - sl->next_k;
    if (k > from)
      *late = k - from;
  }
  if (k >= sl->next_k)
    sl->next_k = k + 1;
  return missed;
}

uint32_t tt_slot_lead_ms(uint32_t handshake_us, uint64_t interval_ms) {
  uint64_t lead = LEAD_MS, hs = 2 * ((uint64_t)handshake_us / 1000);
  if (hs > lead)
    lead = hs;
  if (lead > interval_ms / 2)
    lead = interval_ms / 2;
  return (uint32_t)lead;
}
