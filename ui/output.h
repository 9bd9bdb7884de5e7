/* output.h - the non-interactive front ends: outputs that never block the
 * loop, JSON events, plain lines, the summary table and the --check
 * listing. They read only events and the engine's snapshot. */
#ifndef TETHER_OUTPUT_H
#define TETHER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "engine.h"
#include "hooks.h"

/* An output: the events of a run as records (one or more whole lines
 * each), handed to write(2) only whole, so that a kill or a full disk
 * never leaves half a line.
 *
 * Until tt_sink_start the sink is synchronous: tt_sink_flush writes
 * everything at once, blocking (--check, which has no loop to keep
 * turning). Started, it never blocks the loop: see sink.c for how, and
 * for the bound on what may wait. */
typedef struct tt_sink tt_sink;

/* Writes the notice that `count` records were dropped, as one record of
 * its own (tt_sink_end_record with TT_SINK_NO_TAG). */
typedef void (*tt_sink_notice_cb)(tt_sink *k, uint64_t count, void *arg);
/* The sink's first error (tt_sink_error): called once, from the loop. */
typedef void (*tt_sink_error_cb)(tt_sink *k, void *arg);

/* A started sink keeps at most this many bytes, the batch being written
 * included (a record that would go past it is dropped). */
#define TT_SINK_LIMIT (1024 * 1024)
/* A record about no target in particular. */
#define TT_SINK_NO_TAG SIZE_MAX
/* A started sink hands records to its writer when this many bytes wait,
 * or when the first of them has waited TT_SINK_DELAY_MS: a batch per
 * loop pass would wake the writer thread a thousand times a second. */
#define TT_SINK_BATCH (64 * 1024)
#define TT_SINK_DELAY_MS 10

struct tt_sink {
  int fd;
  bool owned;         /* close fd with the sink */
  bool regular;       /* a regular file: a short write is cut back */
  int error;          /* first error (negative errno), 0 while fine */
  /* Records waiting: whole ones in buf[0..len), the open one in
   * buf[len..open). */
  char *buf;
  size_t len, open, cap;
  /* Started: the loop, the bound (0: none) and the batch being written
   * by the threadpool (wbuf[0..wlen), moved there from buf). */
  uv_loop_t *loop;
  size_t limit;
  size_t base_limit;  /* the bound given to tt_sink_start */
  uv_work_t work;
  bool busy;
  char *wbuf;
  size_t wlen, wcap;
  int werr;            /* the batch's write error (errno), set by the pool */
  /* Dropped records: in all, not yet said, and per tag. */
  uint64_t dropped;
  uint64_t unreported;
  uint64_t *dropped_by_tag;
  size_t ntags;
  bool in_notice;
  tt_sink_notice_cb notice;
  tt_sink_error_cb on_error;
  void *arg;
  bool error_said;
  /* A pipe's reader, watched so that its going away is seen at once. */
  uv_poll_t reader;
  bool watching;
  /* Until TT_SINK_BATCH bytes wait, the first waits at most this long;
   * unbound (the run is over), nothing waits. */
  uv_timer_t delay;
  bool has_delay;
  bool eager;
  uint64_t batches;   /* handed to the writer, in all */
};

void tt_sink_init_fd(tt_sink *k, int fd);

/* Opens path as a log: appended to, created 0644, never waiting for a
 * FIFO's reader. Only a regular file will do. Returns 0 or -errno; when
 * the path is something else, *what says what ("a FIFO", "a directory",
 * "a device", "a socket"), else it is NULL. A log that ends in half a
 * line (a run killed while writing) is cut back to its last whole line. */
int tt_sink_open(tt_sink *k, const char *path, const char **what);

/* From now on, writes go through the loop and never block it. limit bounds
 * what may wait (0: no bound). notice and on_error may be NULL; arg is
 * passed to both. Returns 0 or a libuv error. */
int tt_sink_start(tt_sink *k, uv_loop_t *loop, size_t limit,
                  tt_sink_notice_cb notice, tt_sink_error_cb on_error,
                  void *arg);

/* Append to the open record. */
/* Room for a burst of about `bytes` reported in one loop pass (a reload
 * that replaces every target reports each one's removal, summary and
 * addition at once): the bound is raised by it until the output has
 * caught up, back within its usual bound. */
void tt_sink_make_room(tt_sink *k, size_t bytes);
void tt_sink_write(tt_sink *k, const char *data, size_t len);
void tt_sink_puts(tt_sink *k, const char *s);
/* v in decimal, without printf's cost (a summary has some 30 numbers). */
void tt_sink_u64(tt_sink *k, unsigned long long v);
void tt_sink_printf(tt_sink *k, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Ends the open record: it is queued whole, or, when it would go past the
 * bound (or records are being dropped until a notice can be written),
 * dropped whole and counted against tag (a target's index). Returns true
 * when it was kept. */
bool tt_sink_end_record(tt_sink *k, size_t tag);

/* Hands the queued records to the writer (started: once TT_SINK_BATCH
 * bytes wait, else within TT_SINK_DELAY_MS, the loop kept alive until
 * then), or writes everything out (not started). Returns 0 or the sink's
 * first error. */
int tt_sink_flush(tt_sink *k);

/* The same, at once: what waits goes to the writer now (when it is not
 * busy), however little (a feed that waits for the writer to catch up
 * before writing more). */
int tt_sink_flush_now(tt_sink *k);

/* Lifts the bound (the run is over: the summaries are never dropped),
 * writes a pending notice first, and from now on hands every flush to
 * the writer at once. */
void tt_sink_unbound(tt_sink *k);

/* Bytes held: the records waiting and the batch being written. */
size_t tt_sink_held(const tt_sink *k);

/* Nothing is waiting or being written. */
bool tt_sink_idle(const tt_sink *k);

/* The first error (negative errno), 0 while fine. */
int tt_sink_error(const tt_sink *k);

/* Records dropped in all, and those about one tag. */
uint64_t tt_sink_dropped(const tt_sink *k);
uint64_t tt_sink_dropped_tag(const tt_sink *k, size_t tag);

/* Closes the sink (and fd when owned). A started sink should be idle; one
 * whose batch is still being written (a reader that never reads, at exit)
 * is left to the process's end. The loop must run afterwards to close the
 * reader's watch. */
void tt_sink_close(tt_sink *k);

/* JSON (one object per line, PRODUCT.md "Events"): each event and each
 * summary is one record. A summary's "dropped" is what k dropped of that
 * target's events. */
void tt_json_event(tt_sink *k, const tt_event *ev);
void tt_json_summary(tt_sink *k, const tt_view *v, uint64_t ts_us);
/* The "target" event: a target's settings that its other events do not
 * carry (tags, mode, preset, interval, timeout), so that a recording
 * can be replayed on its own. Written for every target when a run
 * starts and for every target a reload changed. */
void tt_json_target(tt_sink *k, const tt_view *v, uint64_t ts_us);
/* A target's view at ts_us of a replay (event "view"): the summary's
 * fields, and since (when it entered its state), seq, and the latest
 * failure's class and detail (last_failure, error) once it had one. */
void tt_json_view(tt_sink *k, const tt_view *v, uint64_t ts_us);
/* Damage in a replayed log (event "damage"): its line and what is wrong;
 * ts_us is the time of the last event read before it. */
void tt_json_damage(tt_sink *k, uint64_t ts_us, uint64_t line,
                    const char *what);
/* The "dropped" event, stamped now: a tt_sink_notice_cb. */
void tt_json_notice(tt_sink *k, uint64_t count, void *arg);
/* A reload of the configuration (PRODUCT.md "Reload"): ok with what it
 * added, removed and changed, or not (error, and nothing changed). */
void tt_json_reload(tt_sink *k, const char *error,
                    const tt_reload_report *rep);
/* A hook that did not end well (hooks.h): the event "hook". */
void tt_json_hook(tt_sink *k, const tt_hook_report *h);
/* A JSON string literal, quotes included: control characters (C0, DEL,
 * C1) and invisible or bidirectional format characters are escaped as
 * their code point (\uXXXX, a surrogate pair above U+FFFF); a byte that
 * is not part of well-formed UTF-8 is escaped on its own, as \u00XX. */
void tt_json_string(tt_sink *k, const char *s, size_t len);

/* Plain lines. name_width aligns the names of one run. */
typedef struct tt_plain {
  tt_sink *out;
  int name_width;
} tt_plain;

void tt_plain_init(tt_plain *p, tt_sink *out, const tt_config *cfg);
void tt_plain_event(tt_plain *p, const tt_event *ev);
/* The line that says how many events were dropped: a tt_sink_notice_cb. */
void tt_plain_notice(tt_sink *k, uint64_t count, void *arg);
/* The line of a reload (see tt_json_reload). */
void tt_plain_reload(tt_sink *k, const char *error,
                     const tt_reload_report *rep);
/* The line of a hook that did not end well. */
void tt_plain_hook(tt_plain *p, const tt_hook_report *h);

/* Which rows and columns the summary at exit shows (--summary). */
typedef enum tt_summary_mode {
  TT_SUMMARY_AUTO, /* 80 columns, worst first; past TT_SUMMARY_ROWS
                      targets only those not up, and a line of totals */
  TT_SUMMARY_ALL,  /* 80 columns, worst first, every target */
  TT_SUMMARY_WIDE  /* every target and every statistic, config order */
} tt_summary_mode;

#define TT_SUMMARY_ROWS 20
#define TT_SUMMARY_COLUMNS 80

/* The summary table (a record per line) for plain output and after the
 * dashboard. */
void tt_plain_summary(tt_sink *k, const tt_engine *e, tt_summary_mode mode);

/* Views from a provider: view(src, i) for i < n, NULL for none. */
typedef const tt_view *(*tt_view_get)(void *src, size_t i);

/* The same table of views at a moment of a replay: the columns say where
 * each target was (STATE, SINCE, LOSS, AVG, P99, LAST FAILURE) rather
 * than how the run went (SENT, FAILURES by class). */
void tt_plain_views(tt_sink *k, tt_view_get get, void *src, size_t n,
                    tt_summary_mode mode);

/* The --check listing of effective targets. */
void tt_check_print(tt_sink *k, const tt_config *cfg);

#endif
