/* until.c - --until: a count of targets per state, moved by each state
 * change, so that 10 000 targets cost the same as one per event. */
#include <stdio.h>
#include <string.h>

#include "until.h"

int tt_until_parse(const char *arg, tt_until_cond *out, char *why, size_t n) {
  if (strcmp(arg, "up") == 0) {
    *out = TT_UNTIL_UP;
    return 0;
  }
  if (strcmp(arg, "down") == 0) {
    *out = TT_UNTIL_DOWN;
    return 0;
  }
  snprintf(why, n, "must be up (every target up) or down (any target "
                   "down)");
  return -1;
}

void tt_until_init(tt_until *u, tt_until_cond cond, const tt_engine *e) {
  memset(u, 0, sizeof *u);
  u->cond = cond;
  for (size_t i = 0; i < tt_engine_size(e); i++) {
    const tt_view *v = tt_engine_view(e, i);
    if (v == NULL)
      continue;
    u->count[v->state]++;
    u->total++;
  }
}

static void drop(tt_until *u, tt_state s) {
  if (u->count[s] > 0) {
    u->count[s]--;
    u->total--;
  }
}

bool tt_until_event(tt_until *u, const tt_event *ev) {
  switch (ev->kind) {
  case TT_EVENT_STATE:
    drop(u, ev->from);
    u->count[ev->to]++;
    u->total++;
    break;
  case TT_EVENT_ADDED:
    u->count[ev->view->state]++;
    u->total++;
    break;
  case TT_EVENT_REMOVED:
    drop(u, ev->view->state);
    break;
  default:
    break;
  }
  return tt_until_met(u);
}

bool tt_until_met(const tt_until *u) {
  switch (u->cond) {
  case TT_UNTIL_UP:
    return u->total > 0 && u->count[TT_STATE_UP] == u->total;
  case TT_UNTIL_DOWN:
    return u->count[TT_STATE_DOWN] > 0;
  default:
    return false;
  }
}

bool tt_until_check(const tt_engine *e, tt_until_cond cond) {
  tt_until u;
  tt_until_init(&u, cond, e);
  return tt_until_met(&u);
}
