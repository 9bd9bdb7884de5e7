/* rng.h - a small seeded pseudo-random generator (xorshift64*), enough to
 * spread retries and jitter replies; not for anything secret. */
#ifndef TETHER_RNG_H
#define TETHER_RNG_H

#include <stdint.h>

/* A state that must never be 0: the generator would stay there. */
#define TT_RNG_SEED_FALLBACK UINT64_C(0x9e3779b97f4a7c15)

static inline uint64_t tt_rng_next(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * UINT64_C(0x2545f4914f6cdd1d);
}

#endif
