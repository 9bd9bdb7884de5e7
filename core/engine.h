/* engine.h - the heartbeat engine: one session per target on one libuv
 * loop, events as they happen, and a read-only snapshot for front ends. */
#ifndef TETHER_ENGINE_H
#define TETHER_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "stats.h"
#include "tether.h"

#define TT_ERROR_MAX 160 /* bytes of a failure's human detail, NUL included */
#define TT_IP_MAX 46     /* INET6_ADDRSTRLEN */

/* What a front end may read about one target. It stays valid and in place
 * from tt_engine_new() to tt_engine_free(); the engine updates it only from
 * loop callbacks, so a front end on the same loop always sees it whole. */
typedef struct tt_view {
  const tt_target *target;
  size_t index;                 /* position in the config */
  tt_state state;
  uint64_t state_since_us;      /* wall clock when the state was entered */
  uint64_t state_since_ms;      /* loop time (uv_now) of the same moment */
  uint64_t time_in_state_ms[TT_STATE_COUNT]; /* closed periods only */
  uint64_t seq;                 /* of the latest heartbeat; 0 before any */
  tt_class last_class;          /* of the latest heartbeat */
  tt_class last_failure;        /* class of the latest failed heartbeat */
  char last_error[TT_ERROR_MAX];/* its detail, already escaped */
  char ip[TT_IP_MAX];           /* resolved address, "" until resolved */
  bool finished;                /* reached the heartbeat count */
  /* Over TLS: the latest handshake's time and the certificate it showed
   * (cert is NULL until a handshake got that far). */
  uint32_t tls_us;
  const struct tt_tls_info *cert;
  tt_stats stats;
} tt_view;

/* Time spent in state s up to now_ms (uv_now), the open period included. */
uint64_t tt_view_time_in_state(const tt_view *v, tt_state s, uint64_t now_ms);

typedef enum tt_event_kind {
  TT_EVENT_HEARTBEAT,
  TT_EVENT_LATE,
  TT_EVENT_STATE,
  /* A persistent connection that had answered was closed by the peer
   * between heartbeats and is being rebuilt: cls is eof or reset. Not a
   * heartbeat, not a failure. */
  TT_EVENT_RECONNECT,
  /* A target joined (a reload, a new address of an addresses: all name)
   * or is leaving (its final statistics are in the view: the moment to
   * write its summary). Not sent for the targets a start begins with. */
  TT_EVENT_ADDED,
  TT_EVENT_REMOVED,
  /* A TLS handshake showed a certificate the target had not shown before
   * (its first, or a new one): view->cert has the facts. */
  TT_EVENT_TLS
} tt_event_kind;

/* An event as it happens (PRODUCT.md "Events"). Pointers are valid only
 * during the callback. */
typedef struct tt_event {
  tt_event_kind kind;
  const tt_view *view;  /* the target, with this event already applied */
  uint64_t ts_us;       /* wall clock, microseconds since the epoch */
  uint64_t seq;         /* heartbeat and late */
  tt_class cls;         /* heartbeat: its result; state: the cause;
                           reconnect: eof or reset */
  bool has_rtt;         /* heartbeat when ok; late */
  uint32_t rtt_us;
  bool has_reply;       /* heartbeat in connect mode with expect, when ok */
  uint32_t reply_us;    /* connect (or send) -> matching reply */
  bool has_tls;         /* heartbeat of a target over TLS, after a
                           handshake: tls_us, and view->cert */
  uint32_t tls_us;      /* the connection's TLS handshake */
  tt_state from, to;    /* state */
  const char *error;    /* human detail when not ok (reconnect: why the
                           connection closed); "" otherwise */
} tt_event;

typedef struct tt_engine tt_engine;

typedef void (*tt_event_cb)(const tt_event *ev, void *arg);
typedef void (*tt_engine_cb)(tt_engine *engine, void *arg);

typedef struct tt_engine_opts {
  uint64_t count;           /* heartbeats per target; 0: no limit */
  tt_event_cb on_event;     /* may be NULL */
  tt_engine_cb on_finished; /* every target reached count; may be NULL */
  void *arg;                /* passed to both */
  uint64_t seed;            /* for backoff jitter; 0: from the clock */
  const char *dns_servers;  /* "ADDR[:PORT],..." instead of resolv.conf's
                               name servers; NULL: the system's */
} tt_engine_opts;

/* Creates the sessions of cfg's targets (nothing starts yet). cfg's
 * targets are used until a reload replaces them, or until the engine is
 * freed. Returns 0 or a negative libuv error. */
int tt_engine_new(uv_loop_t *loop, const tt_config *cfg,
                  const tt_engine_opts *opts, tt_engine **out);

/* What a reload did: the names of the targets added, removed, and changed
 * (restarted), in the config's order; free with tt_reload_report_free. */
typedef struct tt_reload_report {
  char **added, **removed, **changed;
  size_t nadded, nremoved, nchanged;
} tt_reload_report;

void tt_reload_report_free(tt_reload_report *r);

/* Makes cfg's targets the engine's, by name: a target whose settings are
 * all the same keeps its connection, statistics and history; a changed one
 * restarts (statistics kept when its address is the same, its phase when
 * its interval is); one that left is removed (TT_EVENT_REMOVED, then it
 * closes), and then the new ones join, at phases placed among those of
 * the targets that stay (TT_EVENT_ADDED). Once it returns, nothing refers
 * to the previous config any more. Returns 0, or a negative libuv error
 * with nothing changed. */
int tt_engine_reload(tt_engine *e, const tt_config *cfg,
                     tt_reload_report *out);

/* Starts every session, first heartbeats spread over their interval. */
int tt_engine_start(tt_engine *e);

/* Stops every session and closes every handle; stopped_cb runs (from a
 * close callback) once the last one is closed. Calling it again is
 * harmless; only the first stopped_cb is kept. */
void tt_engine_stop(tt_engine *e, tt_engine_cb stopped_cb, void *arg);

/* Frees a stopped engine (or one never started). */
void tt_engine_free(tt_engine *e);

/* The targets are numbered from 0 to tt_engine_size() - 1 for as long as
 * they are in the engine; a number is never given to another target, and
 * tt_engine_view() returns NULL for one that left. */
size_t tt_engine_size(const tt_engine *e);

/* Probe slots that every target together let pass so far (see
 * tt_stats.skipped): a front end that sees it grow knows the loop cannot
 * keep up, or probes run into their next slot. */
uint64_t tt_engine_skipped(const tt_engine *e);
const tt_view *tt_engine_view(const tt_engine *e, size_t i);

/* Tears down target i's connection (if any) and connects again at once,
 * forgetting its backoff. */
void tt_engine_reconnect(tt_engine *e, size_t i);

/* Wall clock in microseconds since the epoch. */
uint64_t tt_wall_us(void);

#endif
