/* dashboard.h - the live ncurses dashboard, a view on the engine's
 * snapshot. It never touches sockets. */
#ifndef TETHER_DASHBOARD_H
#define TETHER_DASHBOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "dash_model.h"
#include "engine.h"

typedef struct tt_dashboard tt_dashboard;

typedef struct tt_dashboard_opts {
  const char *source;      /* shown in the header: config file or "demo" */
  uint64_t refresh_ms;     /* redraw at most this often (--refresh) */
  bool color;              /* false for --no-color or NO_COLOR */
  tt_engine *engine;       /* the snapshot it shows; r reconnects on it */
  /* Or, without an engine, views from elsewhere (a replay): view_at(src,
   * i) for targets 0 .. n-1, events fed through tt_dashboard_model();
   * before each draw, feed(arg, model) sets the model's clock and says
   * what to draw next (TT_DIRTY_DRAW: another frame, as while playing). */
  tt_view_fn view_at;
  void *src;
  size_t n;
  unsigned (*feed)(void *arg, tt_dash_model *m);
  /* Keys of the front end's own (the model's extra), before the model's;
   * the model's owner is arg. */
  const tt_dash_binding *keys;
  size_t nkeys;
  void (*on_quit)(void *arg); /* q was pressed */
  /* R was pressed: reload the configuration, then say how it went with
   * tt_dashboard_reloaded(). NULL: R says that it cannot. */
  void (*on_reload)(void *arg);
  void *arg;               /* passed to on_quit and on_reload */
} tt_dashboard_opts;

/* Takes over the terminal and starts drawing on loop. Returns 0, or a
 * negative libuv error (UV_ENOTTY when stdin/stdout is not a terminal)
 * with the terminal left as it was. */
int tt_dashboard_start(uv_loop_t *loop, const tt_dashboard_opts *opts,
                       tt_dashboard **out);

/* The model it draws, for a front end that feeds it (NULL once
 * stopped); and what changed in it, to be drawn. */
tt_dash_model *tt_dashboard_model(tt_dashboard *d);
void tt_dashboard_mark(tt_dashboard *d, unsigned flags);

/* Feeds an engine event (for the event log and the detail view). */
void tt_dashboard_event(tt_dashboard *d, const tt_event *ev);

/* Shows text in place of the key bar for a few seconds, and in the event
 * log; error draws it as a failure. */
void tt_dashboard_notice(tt_dashboard *d, bool error, const char *text);

/* A reload was tried (R or SIGHUP): report is what tt_engine_reload()
 * did, or NULL when the file was refused, with error its first line
 * ("FILE:LINE:COL: what is wrong"). Says so, and reads the targets'
 * addresses and tags again. */
void tt_dashboard_reloaded(tt_dashboard *d, const tt_reload_report *report,
                           const char *error);

/* Restores the terminal and closes the dashboard's handles; its memory is
 * freed in their close callbacks. Calling it twice is harmless. */
void tt_dashboard_stop(tt_dashboard *d);

#endif
