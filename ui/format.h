/* format.h - how numbers read in every front end: RTTs, ages, loss and
 * timestamps, into caller buffers. */
#ifndef TETHER_FORMAT_H
#define TETHER_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* An RTT in microseconds, 3 significant digits: "87us", "812us", "1.23ms",
 * "15.0ms", "150ms", "1.50s". Returns the length. */
int tt_fmt_rtt(char *buf, size_t n, uint32_t us);

/* An age or a span in milliseconds, coarsely: "0s", "45s", "12m03s",
 * "3h05m", "2d04h". Returns the length. */
int tt_fmt_age(char *buf, size_t n, uint64_t ms);

/* A loss percentage: "0%", "0.3%", "12%", "100%". */
int tt_fmt_pct(char *buf, size_t n, double pct);

/* RFC 3339 UTC with microseconds: "2026-11-25T10:04:05.123456Z". */
int tt_fmt_rfc3339(char *buf, size_t n, uint64_t wall_us);

#endif
