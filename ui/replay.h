/* replay.h - a recorded event log (tether's --log or --json lines, plain
 * or gzip) opened for replay: every target's view at any moment, as the
 * live run had it, with a cursor that seeks, steps and plays.
 *
 * The views are the engine's own tt_view, moved by core/view.c from the
 * recorded events: one implementation of statistics and states. A front
 * end reads them as it reads an engine's (tt_replay_view is its
 * tt_engine_view), with one difference in time:
 *
 *   In a replay, every loop-time field of a view (state_since_ms,
 *   time_in_state_ms) is wall-clock milliseconds since the epoch, taken
 *   from the events' "ts". Where a live front end passes uv_now(), pass
 *   tt_replay_now_ms(); wall-clock fields (state_since_us) are as live.
 *
 * Time is the events' "ts" made non-decreasing (an event stamped before
 * the one above it, a clock that stepped back, counts at that one's time).
 *
 * Opening reads the file once and keeps an index in bounded memory: the
 * targets, and every so many events a checkpoint of every view (plus,
 * for gzip, a zlib access point), spaced so that the checkpoints fit a
 * budget (TT_REPLAY_BUDGET); any seek then reads at most `stride` events.
 * Damage (a line that is not an event, too long, cut short, gzip data
 * cut short or corrupt) ends the log there: what came before is
 * replayed, and the damage is reported by tt_replay_info. */
#ifndef TETHER_REPLAY_H
#define TETHER_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "replay_read.h"

#define TT_REPLAY_BUDGET ((size_t)256 << 20) /* bytes for checkpoints */

typedef struct tt_replay tt_replay;

typedef struct tt_replay_opts {
  size_t budget;       /* bytes for checkpoints; 0: TT_REPLAY_BUDGET */
  uint64_t min_stride; /* events between checkpoints at least; 0: 16384
                          (tests use small ones) */
} tt_replay_opts;

typedef struct tt_replay_info {
  uint64_t first_us, last_us; /* the first and last event's time */
  uint64_t events;            /* events read (lines that are events) */
  uint64_t lines;             /* lines read, up to the damage */
  size_t targets;             /* tt_replay_size */
  size_t checkpoints;
  uint64_t stride;            /* events between checkpoints, at most */
  size_t index_bytes;         /* checkpoints, access points and targets */
  bool gzip;
  uint64_t dropped;           /* events the recording says it dropped:
                                 views after them may be short of them */
  bool damaged;
  uint64_t damage_line;       /* 1-based */
  char damage[200];           /* what is wrong with that line */
} tt_replay_info;

/* Opens path and indexes it. Returns 0, or a negative errno (the file
 * cannot be opened or read, or memory ran out) with *out NULL. Damage is
 * no error: see tt_replay_info. A log with no event opens too (first_us
 * and last_us 0). The cursor starts before the first event. */
int tt_replay_open(const char *path, const tt_replay_opts *opts,
                   tt_replay **out);
void tt_replay_close(tt_replay *r);

void tt_replay_info_get(const tt_replay *r, tt_replay_info *info);

/* ---- the views at the cursor (a provider, as an engine is) ---- */

/* Targets are numbered 0 .. size - 1 in the order of their first event;
 * tt_replay_view is NULL for one that is not there at the cursor (not
 * yet seen, or removed). A view stays in place until the cursor moves;
 * its target (name, address, tags, mode, preset, interval, timeout from
 * the recording; the built-in defaults for the rest) until close. */
size_t tt_replay_size(const tt_replay *r);
const tt_view *tt_replay_view(const tt_replay *r, size_t i);
/* The same, with the signature of a view provider (src is the replay). */
const tt_view *tt_replay_view_fn(void *src, size_t i);

/* Whether target i's interval was guessed from its heartbeats' spacing
 * (a recording without "target" events, before tether wrote them). */
bool tt_replay_interval_guessed(const tt_replay *r, size_t i);

/* The target named name, or SIZE_MAX. */
size_t tt_replay_find(const tt_replay *r, const char *name);

/* ---- the cursor ---- */

/* The cursor is a place between events: tt_replay_position() events are
 * applied. Its time (tt_replay_now_us) is where it was put by seek, or
 * the last applied event's after a step. */
uint64_t tt_replay_position(const tt_replay *r);
uint64_t tt_replay_now_us(const tt_replay *r);
uint64_t tt_replay_now_ms(const tt_replay *r);

/* Every event up to time t_us applied (t_us may be outside the log:
 * before it nothing, after it everything). Returns 0 or a negative errno
 * (a read error; the cursor is then where it was). */
int tt_replay_seek(tt_replay *r, uint64_t t_us);
/* The first n events applied (n at most info.events). */
int tt_replay_seek_event(tt_replay *r, uint64_t n);

enum {
  TT_REPLAY_ANY = 0,       /* every event */
  TT_REPLAY_CHANGES = 1    /* state changes only */
};

/* Moves the cursor to just after the next (dir > 0) or to just before
 * the previous (dir < 0) event of target (SIZE_MAX: any) of the kind
 * asked (TT_REPLAY_ANY, TT_REPLAY_CHANGES): ->/<- and ]/[ of a front
 * end. Stepping back from the cursor leaves that event unapplied, so
 * that the views are those just before it. Returns 1 when it moved, 0
 * when there is no such event (the cursor stays), or a negative errno.
 * It reads at most a few spans of `stride` events, skipping spans that
 * hold none of what is asked. */
int tt_replay_step(tt_replay *r, int dir, size_t target, int what);

/* One recorded event, as the callbacks below see it. */
typedef struct tt_replay_event {
  uint64_t n;              /* its place: the n-th event (0-based) */
  uint64_t t_us;           /* its time (non-decreasing) */
  size_t target;           /* SIZE_MAX for events about no target */
  const tt_rp_event *ev;   /* as read; strings as tt_rp_event says */
} tt_replay_event;

/* Returns false to stop. */
typedef bool (*tt_replay_event_cb)(const tt_replay_event *e, void *arg);

/* Calls cb for every event with from_us <= time <= to_us, in order, of
 * target (SIZE_MAX: every one): an event log pane, HISTORY cells ("the
 * events of the last N seconds before the cursor"). The cursor does not
 * move. Returns 0 or a negative errno. */
int tt_replay_each(tt_replay *r, uint64_t from_us, uint64_t to_us,
                   size_t target, tt_replay_event_cb cb, void *arg);

/* e as the engine reported it, for a front end's model (a dashboard's
 * event log and HISTORY): view is its target's as at the cursor, there
 * or not (its number, name and settings). Returns false for events an
 * engine does not report (target, summary, dropped, those of no
 * target). */
bool tt_replay_event_of(const tt_replay *r, const tt_replay_event *e,
                        tt_event *out);

/* ---- times typed by people ---- */

/* Reads text as a moment of this log: "03:12" or "03:12:40" (local time
 * of day, on the day of the log that has it: a log that spans midnight
 * has each time of day once, or twice when it spans more than a day,
 * which is an error asking for the date), or RFC 3339
 * ("2026-11-29T03:12:40Z", "...+01:00"). Returns 0 with *t_us, or -1
 * with why (e.g. "03:00 is before the log starts (03:12:07)"). A time
 * outside the log is an error. */
int tt_replay_parse_time(const tt_replay *r, const char *text,
                         uint64_t *t_us, char *why, size_t n);

#endif
