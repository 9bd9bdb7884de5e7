/* duration.h - durations with units ("250ms", "2s", "1.5s", "1m") as
 * people write them in config files and options, parsed and printed. */
#ifndef TETHER_DURATION_H
#define TETHER_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* The longest duration anything in tether takes: 24h. */
#define TT_DURATION_MAX_MS (24ull * 3600 * 1000)

/* The longest duration any setting takes (cert_warn): 3650 days. */
#define TT_DURATION_LONGEST_MS (3650ull * 24 * 3600 * 1000)

/* Parses a non-negative duration with a unit: ms, s, m, h or d, with an
 * optional decimal fraction ("1.5s"). The result must be a whole number of
 * milliseconds and at most 24h. Returns 0 and sets *ms, or -1 and points
 * *why at a static explanation ("needs a unit: 250ms, 2s, 1m"). */
int tt_duration_parse(const char *s, uint64_t *ms, const char **why);

/* The same, at most max_ms (up to TT_DURATION_LONGEST_MS); a longer one
 * is refused with *why "is too long". */
int tt_duration_parse_max(const char *s, uint64_t max_ms, uint64_t *ms,
                          const char **why);

/* Writes the shortest exact form ("250ms", "1.5s", "2m") into buf; returns
 * what snprintf would. */
int tt_duration_format(uint64_t ms, char *buf, size_t n);

#endif
