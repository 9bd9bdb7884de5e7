/* until.h - --until up|down: whether every target is up, or any is down,
 * followed event by event at constant cost, for a run that ends as soon as
 * the condition holds. */
#ifndef TETHER_UNTIL_H
#define TETHER_UNTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

typedef enum tt_until_cond {
  TT_UNTIL_NONE = 0,
  TT_UNTIL_UP,   /* every target up (degraded is not up) */
  TT_UNTIL_DOWN  /* some target down */
} tt_until_cond;

/* Reads --until's value. Returns 0, or -1 with why set to words that
 * follow "--until: ". */
int tt_until_parse(const char *arg, tt_until_cond *out, char *why, size_t n);

/* How many targets are in each state: the condition is read from it. */
typedef struct tt_until {
  tt_until_cond cond;
  size_t count[TT_STATE_COUNT];
  size_t total;
} tt_until;

/* Counts e's targets as they are now. */
void tt_until_init(tt_until *u, tt_until_cond cond, const tt_engine *e);

/* Follows one event (state changes, targets added and removed; others
 * change nothing) and returns whether the condition holds now. */
bool tt_until_event(tt_until *u, const tt_event *ev);

/* Whether the condition holds: every target up (and at least one), or at
 * least one down. Never for TT_UNTIL_NONE. */
bool tt_until_met(const tt_until *u);

/* The same from the views, at the cost of reading them all. */
bool tt_until_check(const tt_engine *e, tt_until_cond cond);

#endif
