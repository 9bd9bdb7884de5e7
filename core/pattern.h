/* pattern.h - a compiled POSIX extended regular expression, with a fast
 * path for what most presets use: an anchored literal ("^\+PONG"). */
#ifndef TETHER_PATTERN_H
#define TETHER_PATTERN_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tt_pattern {
  char *source;
  regex_t re;              /* REG_EXTENDED | REG_NOSUB */
  /* When the whole pattern is "^" and plain ASCII characters (escaped
   * ones included), optionally ending in "$": those characters, matched
   * with memcmp. NULL otherwise. */
  char *literal;
  size_t literal_len;
  bool literal_exact;      /* it ended in "$": the reply must be just that */
  struct tt_pattern *next; /* the owner's list */
} tt_pattern;

/* Compiles src into p. Returns 0, or -1 with regerror's words in err. */
int tt_pattern_compile(tt_pattern *p, const char *src, char *err, size_t n);

/* Whether data[0..n) matches. It may hold NULs; data[n] must be writable
 * (it is briefly a NUL: sanitizers' regexec reads up to one even with
 * REG_STARTEND) and is left as it was. */
bool tt_pattern_match(const tt_pattern *p, char *data, size_t n);

void tt_pattern_free(tt_pattern *p);

#endif
