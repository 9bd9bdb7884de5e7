/* units.h - how times read for people, the same in the engine's messages
 * ("rtt 398 ms above rtt_warn 200 ms") and in every front end ("398ms"). */
#ifndef TETHER_UNITS_H
#define TETHER_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Microseconds with 3 significant digits and a unit after sep: "87us",
 * "1.23ms", "150ms", "1.50s" with sep "", "150 ms" with sep " ". Returns
 * what snprintf returns. */
int tt_units_us(char *buf, size_t n, uint64_t us, const char *sep);

#endif
