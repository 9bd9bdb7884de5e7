/* run.h - one run of tether: the loop, the configuration, the engine and
 * its front ends; what main.c, signals.c and reload.c share. */
#ifndef TETHER_RUN_H
#define TETHER_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "config.h"
#include "dashboard.h"
#include "demo.h"
#include "engine.h"
#include "hooks.h"
#include "metrics_server.h"
#include "options.h"
#include "output.h"

/* Descriptors kept back for stdio, the log, libuv's own and the demo. */
#define FD_RESERVE 64

enum { EXIT_ALL_UP = 0, EXIT_SOME_DOWN = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

/* Room for every signal the table below names and every real-time one. */
#define MAX_SIGNALS 96

/* One JSON output's progress through the targets (feed.c). */
typedef struct tt_feed {
  tt_sink *sink;      /* NULL: the output is not JSON */
  size_t announced;   /* targets [0, announced) had their "target" event */
  size_t summarized;  /* ... and [0, summarized) their summary */
} tt_feed;

typedef struct tt_run {
  uv_loop_t loop;
  tt_options opt;
  tt_config cfg;
  tt_output output;
  tt_demo *demo;
  tt_engine *engine;
  tt_sink out;
  tt_sink log;
  bool has_log;
  tt_plain plain;
  tt_dashboard *dash;
  uv_signal_t signals[MAX_SIGNALS];
  size_t nsignals;
  uv_timer_t duration;
  uv_check_t flush;
  /* feed.c: the start's "target" events and the end's JSON summaries,
   * a batch at a time: stdout's (when JSON), the log's. */
  tt_feed feeds[2];
  size_t nannounce;   /* targets at the start, each announced */
  uv_check_t feeding; /* while a feed has more to write */
  bool ending;        /* the engine stopped: the summaries are due */
  uint64_t stopped_us; /* wall time it stopped (the summaries') */
  bool started;   /* the engine runs: summaries are due at its end */
  bool stopping;
  bool draining;  /* the run is over; the outputs are being written out */
  bool at_once;   /* a second signal before the summaries: end at once */
  int drain_signals; /* signals while draining: 1 gives up stdout, 2 all */
  bool out_gone;  /* stdout's reader went away: nothing more to write */
  bool reloading;    /* the file is being read again */
  bool reload_again; /* ... and a SIGHUP came meanwhile */
  int failure;    /* EXIT_RUNTIME after a runtime failure */
  tt_metrics_server *metrics; /* --metrics */
  tt_hooks *hooks;            /* on_change */
  tt_until until;             /* --until: the targets by state */
  bool until_met;
} tt_run;

/* Ends the run: every handle closes, the summaries are written once the
 * engine has stopped, and uv_run returns when the outputs are written
 * out. Idempotent. */
void tt_run_stop(tt_run *r);

/* Loads the configuration into cfg. Problems go to stderr, or, when
 * quiet, the first of them into first (with how many more). */
int tt_run_load_config(tt_run *r, tt_config *cfg, const char *yaml,
                       size_t yaml_len, bool quiet, char *first, size_t n);

/* Raises the descriptor limit as far as allowed and says whether the
 * targets fit in it (0), else says why on stderr (-1). */
int tt_run_ensure_descriptors(size_t ntargets);

/* signals.c: every signal that would end the process ends the run through
 * the loop; SIGHUP reloads. */
void tt_run_watch_signals(tt_run *r);
void tt_run_unwatch_signals(tt_run *r);

/* feed.c: every target's "target" event at the start and its summary
 * at the end, written a batch at a time as each JSON output takes them.
 * _start before the engine starts; _upto before any event about a
 * target (it and those before it are announced first); _all before a
 * reload; _summaries once the engine has stopped; _pending while the
 * output k has more to come; _close when the run is over. */
int tt_run_feed_start(tt_run *r);
void tt_run_feed_upto(tt_run *r, size_t index);
void tt_run_feed_all(tt_run *r);
void tt_run_feed_summaries(tt_run *r);
bool tt_run_feed_pending(const tt_run *r, const tt_sink *k);
void tt_run_feed_close(tt_run *r);

/* replay.c: --replay FILE: the dashboard on it, or every target at --at
 * TIME (or at the end of the log). Returns the exit status. */
int tt_run_replay(tt_run *r);

/* reload.c: reads the file again off the loop and applies it on the loop
 * (PRODUCT.md "Reload"); every output hears how it went. */
void tt_run_reload(tt_run *r);

#endif
