/* hooks.h - on_change: every state change runs its target's command
 * through /bin/sh -c, the event in TETHER_* variables only, a few at once
 * and the rest queued (bounded), each on a deadline that kills its whole
 * process group; whatever happens is reported, and probing never waits. */
#ifndef TETHER_HOOKS_H
#define TETHER_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "engine.h"

#define TT_HOOK_QUEUE 256  /* hooks waiting for their turn, at most */
#define TT_HOOK_OUTPUT 512 /* the last bytes of a hook's output kept */

typedef enum tt_hook_outcome {
  TT_HOOK_OK,          /* exited with status 0 */
  TT_HOOK_FAILED,      /* exited with another status */
  TT_HOOK_SIGNALED,    /* ended by a signal it was not sent by tether */
  TT_HOOK_TIMED_OUT,   /* ran past hook_timeout: its process group was
                          killed */
  TT_HOOK_NOT_STARTED, /* could not be started (error says why) */
  TT_HOOK_DROPPED      /* never ran: the queue was full, or the run ended */
} tt_hook_outcome;

/* How one hook ended (or how many were dropped). Strings are valid
 * during the callback only. */
typedef struct tt_hook_report {
  tt_hook_outcome outcome;
  const char *target;   /* the target's name; "" for a count of drops */
  const char *address;  /* as configured; "" for a count of drops */
  tt_state from, to;    /* the state change it was for */
  uint64_t ts_us;       /* when the state changed */
  int64_t exit_status;  /* FAILED */
  int term_signal;      /* SIGNALED, TIMED_OUT (SIGKILL) */
  int error;            /* NOT_STARTED: a negative libuv error */
  uint64_t ran_ms;      /* how long it ran */
  size_t dropped;       /* DROPPED: how many hooks this report counts */
  const char *output;   /* the last line it wrote, escaped; "" if none */
  const char *text;     /* one line for people: "exited with status 3:
                           ...", "killed after 10s (hook_timeout)" */
} tt_hook_report;

/* The outcome's name for outputs: "ok", "failed", "signaled",
 * "timed_out", "not_started", "dropped". */
const char *tt_hook_outcome_name(tt_hook_outcome o);

typedef void (*tt_hook_cb)(const tt_hook_report *r, void *arg);

typedef struct tt_hooks_opts {
  uint32_t limit;      /* hooks running at once (hook_limit); 0: 4 */
  size_t queue;        /* hooks waiting at most; 0: TT_HOOK_QUEUE */
  tt_hook_cb on_done;  /* every hook that ended, ok or not, and drops
                          (several may come in one report); may be NULL */
  void *arg;
  const char *shell;   /* NULL: /bin/sh */
} tt_hooks_opts;

typedef struct tt_hooks tt_hooks;

int tt_hooks_new(uv_loop_t *loop, const tt_hooks_opts *o, tt_hooks **out);

/* A state change (TT_EVENT_STATE) of a target with an on_change runs that
 * command: now if fewer than the limit run, else later (queued), else
 * never (dropped, reported). Any other event, or a target without a
 * command, is ignored. Copies what it needs: the event and its target
 * may go at once. Never blocks. */
void tt_hooks_on_event(tt_hooks *h, const tt_event *ev);

/* The limit after a reload: more may start at once; fewer lets those
 * running finish. */
void tt_hooks_set_limit(tt_hooks *h, uint32_t limit);

/* hook_limit of a configuration (one value for the run: it is set under
 * defaults: only); the default when the config has no target. */
uint32_t tt_hooks_limit_of(const tt_config *cfg);

typedef struct tt_hooks_stats {
  size_t running;
  size_t queued;
  uint64_t started;
  uint64_t ok;
  uint64_t failed;     /* every outcome but OK and DROPPED */
  uint64_t dropped;
} tt_hooks_stats;

void tt_hooks_stats_get(const tt_hooks *h, tt_hooks_stats *out);

/* Kills every hook running now (SIGKILL to its process group), as if its
 * deadline had come; each is still reported, and reaped. */
void tt_hooks_kill(tt_hooks *h);

/* Ends: no hook starts any more, those queued are dropped (one report),
 * those running are given until their deadline. closed_cb (may be NULL)
 * runs once the last one has ended and every handle is closed; h is freed
 * then. Calling it again before then is harmless. */
void tt_hooks_close(tt_hooks *h, void (*closed_cb)(void *arg), void *arg);

#endif
