/* metrics.h - the engine's views in the Prometheus text exposition format
 * (version 0.0.4), written a slice at a time so that a scrape of 10 000
 * targets never holds the loop for long. */
#ifndef TETHER_METRICS_H
#define TETHER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "engine.h"

#define TT_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The upper bounds of tether_rtt_seconds' buckets, in microseconds: few
 * and fixed (a 1-2.5-5 series from 0.5 ms to 1 s, then +Inf), so that a
 * scrape stays a size Prometheus takes in easily. */
#define TT_METRICS_BUCKETS 11
extern const uint32_t tt_metrics_bucket_us[TT_METRICS_BUCKETS];

typedef struct tt_metrics_opts {
  /* Per-target RTT histograms (tether_rtt_seconds as a histogram). When
   * false, tether_rtt_seconds is a summary of _sum and _count only: 2
   * series a target instead of 14. */
  bool histograms;
} tt_metrics_opts;

/* The defaults: histograms on. */
tt_metrics_opts tt_metrics_default_opts(void);

/* Reads a scrape's query string ("histograms=0"; NULL or "" for none)
 * into o, starting from the defaults. Returns 0, or -1 for a parameter
 * it does not know or a value that is not 0/1/false/true. */
int tt_metrics_query(const char *query, size_t len, tt_metrics_opts *o);

/* Where a scrape is: the metric family being written, and the next
 * target number within it. Plain data: one per scrape, no cleanup. */
typedef struct tt_expo {
  const tt_engine *engine;
  tt_metrics_opts opts;
  size_t family;
  size_t next;   /* target number */
  bool head;     /* the family's HELP and TYPE are written */
  bool done;
} tt_expo;

void tt_expo_begin(tt_expo *x, const tt_engine *e, const tt_metrics_opts *o);

/* Appends the next slice of the exposition to out: whole lines, ending
 * once about budget bytes were added (or at the end). Returns true while
 * more remains. Targets are numbered, never renumbered, so targets that
 * come and go between slices only appear or not; each target's lines of
 * one family are written together. */
bool tt_expo_next(tt_expo *x, tt_bytes *out, size_t budget);

/* The whole exposition at once (tests, benchmarks). Returns 0, or -1 when
 * memory ran out. */
int tt_metrics_write(const tt_engine *e, const tt_metrics_opts *o,
                     tt_bytes *out);

/* A tag as a label name: "tag_" and the tag with every byte that a label
 * name may not hold made "_" ("team-a" -> "tag_team_a"). Returns the
 * length written (cut to fit n, NUL included). */
size_t tt_metrics_tag_label(const char *tag, char *buf, size_t n);

#endif
