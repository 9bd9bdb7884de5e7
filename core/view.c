/* view.c - a target's view moved by heartbeats and state changes, in one
 * place, so that a replay of a log is the live run's views, not a copy. */
#include <stdio.h>
#include <string.h>

#include "state.h"
#include "view.h"

void tt_view_init(tt_view *v, const tt_target *t, size_t index) {
  memset(v, 0, sizeof *v);
  v->target = t;
  v->index = index;
  v->state = TT_STATE_CONNECTING;
  v->last_class = TT_CLASS_OK;
  v->last_failure = TT_CLASS_OK;
  tt_stats_init(&v->stats);
}

void tt_view_free(tt_view *v) {
  tt_stats_free(&v->stats);
}

int tt_view_copy(tt_view *dst, const tt_view *src) {
  *dst = *src;
  dst->stats.hist = NULL; /* src's */
  return tt_stats_copy(&dst->stats, &src->stats);
}

void tt_view_heartbeat(tt_view *v, uint64_t seq, tt_class cls,
                       uint32_t rtt_us, const char *detail) {
  v->seq = seq;
  v->last_class = cls;
  tt_stats_heartbeat(&v->stats, cls, rtt_us);
  if (cls != TT_CLASS_OK) {
    v->last_failure = cls;
    snprintf(v->last_error, sizeof v->last_error, "%s", detail);
  }
}

void tt_view_enter_state(tt_view *v, tt_state to, uint64_t now_ms,
                         uint64_t wall_us) {
  /* A clock that stepped back closes the period as empty. */
  if (now_ms > v->state_since_ms)
    v->time_in_state_ms[v->state] += now_ms - v->state_since_ms;
  if (tt_state_is_flap(v->state, to))
    v->stats.flaps++;
  v->stats.changes++;
  v->state = to;
  v->state_since_ms = now_ms;
  v->state_since_us = wall_us;
}

void tt_view_apply(tt_view *v, const tt_event *ev) {
  switch (ev->kind) {
  case TT_EVENT_HEARTBEAT:
    tt_view_heartbeat(v, ev->seq, ev->cls, ev->has_rtt ? ev->rtt_us : 0,
                      ev->error);
    if (ev->has_tls)
      v->tls_us = ev->tls_us;
    break;
  case TT_EVENT_LATE:
    tt_stats_late(&v->stats, ev->seq, ev->rtt_us);
    break;
  case TT_EVENT_STATE:
    tt_view_enter_state(v, ev->to, ev->ts_us / 1000, ev->ts_us);
    break;
  case TT_EVENT_RECONNECT:
    v->stats.reconnects++;
    break;
  case TT_EVENT_ADDED:
  case TT_EVENT_REMOVED:
  case TT_EVENT_TLS:
    break;
  }
}
