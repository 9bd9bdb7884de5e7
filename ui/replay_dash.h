/* replay_dash.h - the dashboard on a replay: the live dashboard's model
 * fed from a recorded log instead of an engine, with a time cursor that
 * steps, jumps to state changes, plays and goes to a typed time. */
#ifndef TETHER_REPLAY_DASH_H
#define TETHER_REPLAY_DASH_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "dashboard.h"
#include "replay.h"

typedef struct tt_replay_dash tt_replay_dash;

typedef struct tt_replay_dash_opts {
  const char *source;      /* shown in the header: the log's name */
  uint64_t refresh_ms;     /* --refresh */
  bool color;
  uint64_t at_us;          /* where the cursor starts */
  const char *damage;      /* said when it opens (NULL: none) */
  void (*on_quit)(void *arg);
  void *arg;
} tt_replay_dash_opts;

/* Opens the dashboard on rp (which must outlive it) with the cursor at
 * o->at_us. Returns 0 or a negative libuv error (UV_ENOTTY without a
 * terminal). */
int tt_replay_dash_start(uv_loop_t *loop, tt_replay *rp,
                         const tt_replay_dash_opts *o, tt_replay_dash **out);

/* The dashboard it drives: tt_dashboard_stop() ends it. */
tt_dashboard *tt_replay_dash_dashboard(tt_replay_dash *rd);

/* Frees it; after its dashboard has stopped. */
void tt_replay_dash_free(tt_replay_dash *rd);

#endif
