/* phase.h - where targets that join a running engine put their slots:
 * the widest gaps between the phases taken split evenly, and once every
 * millisecond holds a slot, the emptiest milliseconds first. */
#ifndef TETHER_PHASE_H
#define TETHER_PHASE_H

#include <stddef.h>
#include <stdint.h>

/* Phases (each below interval, in ms) for m targets that join n others
 * whose phases are taken[0..n-1] (in any order, repeats allowed; sorted
 * in place), so that joining never bunches slots together:
 *
 * - While some gap between neighbouring taken phases (the last one's
 *   reaching round to the first) can take one more joiner with every
 *   part of it still 1 ms or more, the gap whose parts are the longest
 *   takes it, and the joiners of a gap split it into equal parts.
 * - Then every millisecond of the interval holds a slot: the rest go to
 *   the milliseconds that hold the fewest, spread evenly over them.
 *
 * With nothing taken, the joiners spread over the interval from 0 as a
 * start spreads its targets. out[0..m-1] gets the phases in increasing
 * order. interval is at most TT_DURATION_MAX_MS; n and m are below 2^31.
 * Returns 0, or UV_ENOMEM (out then holds nothing of use). */
int tt_phase_place(uint64_t *taken, size_t n, uint64_t interval,
                   uint64_t *out, size_t m);

#endif
