/* dashboard.h - the live ncurses dashboard, a view on the engine's
 * snapshot. It never touches sockets. */
#ifndef TETHER_DASHBOARD_H
#define TETHER_DASHBOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "engine.h"

typedef struct tt_dashboard tt_dashboard;

typedef struct tt_dashboard_opts {
  const char *source;      /* shown in the header: config file or "demo" */
  uint64_t refresh_ms;     /* redraw at most this often (--refresh) */
  bool color;              /* false for --no-color or NO_COLOR */
  tt_engine *engine;       /* the snapshot it shows; r reconnects on it */
  void (*on_quit)(void *arg); /* q was pressed */
  void *arg;
} tt_dashboard_opts;

/* Takes over the terminal and starts drawing on loop. Returns 0, or a
 * negative libuv error (UV_ENOTTY when stdin/stdout is not a terminal)
 * with the terminal left as it was. */
int tt_dashboard_start(uv_loop_t *loop, const tt_dashboard_opts *opts,
                       tt_dashboard **out);

/* Feeds an engine event (for the event log and the detail view). */
void tt_dashboard_event(tt_dashboard *d, const tt_event *ev);

/* Restores the terminal and closes the dashboard's handles; its memory is
 * freed in their close callbacks. Calling it twice is harmless. */
void tt_dashboard_stop(tt_dashboard *d);

#endif
