/* dash_filter.h - the filter's small language, compiled once per edit
 * and matched against every target per refresh:
 *
 *   word           name, address (as configured or resolved) or a tag
 *                  contains it; a state name alone (up, down...) is
 *                  that state
 *   state:S        the state is S (a prefix: state:d is degraded or
 *                  down; S,T for either)
 *   class:C        the latest heartbeat's class is C (prefix, C,D)
 *   tag:T          one of the tags is T, exactly (T,U for either)
 *   name:W addr:W  only the name, only the address contains W
 *   !TERM          negation
 *
 * Terms are separated by spaces and must all match; case is ignored. */
#ifndef TETHER_DASH_FILTER_H
#define TETHER_DASH_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

#define TT_FILTER_TERMS 16

typedef enum tt_term_kind {
  TT_TERM_TEXT = 0, /* name, address, ip or a tag contains it */
  TT_TERM_NAME,
  TT_TERM_ADDRESS,
  TT_TERM_TAG,
  TT_TERM_STATE,
  TT_TERM_CLASS
} tt_term_kind;

typedef struct tt_term {
  tt_term_kind kind;
  bool negate;
  unsigned mask;      /* STATE, CLASS: the states or classes it names */
  const char *word;   /* TEXT, NAME, ADDRESS, TAG: into the filter's copy */
  size_t len;
} tt_term;

typedef struct tt_filter {
  char text[256];     /* the words, NUL-separated */
  tt_term term[TT_FILTER_TERMS];
  size_t nterms;
  bool on_states;     /* a term depends on the targets' states */
  bool on_results;    /* a term depends on every heartbeat (class:) */
} tt_filter;

/* What a target is matched on. tags may be NULL when ntags is 0. */
typedef struct tt_match_subject {
  const char *name;
  const char *address; /* NULL when not known */
  const char *ip;      /* "" when not resolved */
  char *const *tags;
  size_t ntags;
  const tt_view *view; /* NULL: state and class terms never match */
} tt_match_subject;

/* Compiles src; an empty one matches everything. */
void tt_filter_compile(tt_filter *f, const char *src);

bool tt_filter_match(const tt_filter *f, const tt_match_subject *s);

#endif
