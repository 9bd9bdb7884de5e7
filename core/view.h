/* view.h - how a target's view (engine.h's tt_view) moves: one place for
 * the live engine's sessions and for a replay of their recorded events. */
#ifndef TETHER_VIEW_H
#define TETHER_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* A new target's view: connecting, nothing counted yet, state_since 0. */
void tt_view_init(tt_view *v, const tt_target *t, size_t index);
/* Frees what a view holds (its histogram); it may be initialized again. */
void tt_view_free(tt_view *v);
/* dst, which holds nothing (new, or freed), becomes a copy of src with a
 * histogram of its own. Returns 0, or -1 when memory ran out (the copy
 * then has no histogram: its percentiles fall back to the largest RTT). */
int tt_view_copy(tt_view *dst, const tt_view *src);

/* Records heartbeat number seq of class cls (rtt_us when ok); detail is
 * the failure's words, already escaped (kept, cut to TT_ERROR_MAX). */
void tt_view_heartbeat(tt_view *v, uint64_t seq, tt_class cls,
                       uint32_t rtt_us, const char *detail);

/* Moves the view into state `to` at now_ms and wall_us: the period in the
 * old state is closed, a flap (tt_state_is_flap) and a change counted.
 * now_ms is the clock the view's *_ms fields are kept in: uv_now() in a
 * live run, the event's wall time in milliseconds in a replay. */
void tt_view_enter_state(tt_view *v, tt_state to, uint64_t now_ms,
                         uint64_t wall_us);

/* Applies a recorded event to the view of its target, as the engine did
 * when it happened: heartbeat, late, state (at ev->ts_us, in wall-clock
 * milliseconds), reconnect; other kinds change nothing here. ev->view is
 * not read. */
void tt_view_apply(tt_view *v, const tt_event *ev);

#endif
