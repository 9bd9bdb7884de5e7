/* pattern.h - a target's expect: a POSIX extended regular expression,
 * matched byte by byte in time linear in the reply, whatever the pattern. */
#ifndef TETHER_PATTERN_H
#define TETHER_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most instructions a pattern may compile to, once {n,m} counts are
 * expanded; bigger patterns are refused. Matching a reply of n bytes
 * visits at most about 2 x (n + 1) x this many instructions. */
#define TT_PATTERN_MAX_SIZE 2048
/* The most bytes a pattern's cache of DFA states may take. */
#define TT_PATTERN_CACHE_MAX (32 * 1024)

/* What matching has cost a pattern so far, for tests and benchmarks. */
typedef struct tt_pattern_stats {
  size_t size;        /* instructions of the compiled program */
  size_t memory;      /* bytes the pattern holds now, cache included */
  size_t cache;       /* of which the DFA state cache */
  uint64_t work;      /* instructions visited plus cached steps taken */
  uint64_t states;    /* DFA states built */
  uint64_t flushes;   /* times the full state cache was emptied */
  uint64_t nfa_bytes; /* bytes run through plain NFA simulation */
} tt_pattern_stats;

struct tt_re_prog;

/* A compiled pattern. Matching updates its state cache: one thread (the
 * loop's) may use it at a time. */
typedef struct tt_pattern {
  char *source;            /* the pattern as written, owned */
  struct tt_re_prog *prog; /* the program and its state cache */
  /* When the whole pattern is "^" and plain ASCII characters (escaped
   * ones included), optionally ending in "$": those characters, matched
   * with memcmp. NULL otherwise. */
  char *literal;
  size_t literal_len;
  bool literal_exact;      /* it ended in "$": the reply must be just that */
  struct tt_pattern *next; /* the owner's list */
} tt_pattern;

/* Compiles src into p. Returns 0, or -1 with a message for people in err
 * (what is wrong, and what to write instead). */
int tt_pattern_compile(tt_pattern *p, const char *src, char *err, size_t n);

/* Whether the pattern occurs in data[0..n), which may hold any bytes. */
bool tt_pattern_match(const tt_pattern *p, const char *data, size_t n);

void tt_pattern_free(tt_pattern *p);

void tt_pattern_get_stats(const tt_pattern *p, tt_pattern_stats *out);

#endif
