/* feed.c - what a run writes about every target at once, a batch at a
 * time as each JSON output takes it: the "target" events at the start and
 * the summaries at the end. At 10 000 targets these are some 2 MB and
 * 5 MB: queued in one go, the start's went past the output's bound (and
 * were dropped), and the end's swelled the process for nothing.
 *
 * A target's "target" event still comes before any other of its events:
 * an event about a target not yet announced announces it (and those
 * before it: first events come in the order of the targets' phases, which
 * is theirs) on the spot. */
#include "run.h"

/* Bytes an output may hold before the next batch waits for it: little,
 * since the output's buffers keep the size they grow to. */
#define FEED_AHEAD (32 * 1024)
/* Room asked for each target announced at once (an event is ~200 B). */
#define TARGET_EVENT_ROOM 512

/* Whether a feed's output still takes anything: not after an error, nor,
 * at the end, once signals said not to wait for it (one gives up stdout,
 * a second the log too). */
static bool usable(const tt_run *r, const tt_feed *f) {
  if (f->sink == NULL || tt_sink_error(f->sink) != 0)
    return false;
  if (f->sink == &r->out)
    return !r->out_gone && r->drain_signals == 0;
  return r->drain_signals < 2;
}

static bool feed_done(const tt_run *r, const tt_feed *f) {
  return !usable(r, f) ||
         (f->announced >= r->nannounce &&
          (!r->ending || f->summarized >= tt_engine_size(r->engine)));
}

/* The next target's "target" event. */
static void announce_next(tt_run *r, tt_feed *f, uint64_t now) {
  const tt_view *v = tt_engine_view(r->engine, f->announced++);
  if (v != NULL)
    tt_json_target(f->sink, v, now);
}

/* Queues f's next records until FEED_AHEAD is held; true when f is done. */
static bool feed_one(tt_run *r, tt_feed *f) {
  tt_sink *k = f->sink;
  uint64_t now = tt_wall_us();
  size_t n = tt_engine_size(r->engine);
  while (tt_sink_held(k) < FEED_AHEAD) {
    if (f->announced < r->nannounce) {
      announce_next(r, f, now);
    } else if (r->ending && f->summarized < n) {
      const tt_view *v = tt_engine_view(r->engine, f->summarized++);
      if (v != NULL)
        tt_json_summary(k, v, r->stopped_us);
    } else {
      break;
    }
  }
  tt_sink_flush_now(k);
  return feed_done(r, f);
}

/* After each loop pass (a batch written wakes the loop): more for each
 * output, until every one is done. */
static void feed_cb(uv_check_t *h) {
  tt_run *r = h->data;
  bool done = true;
  for (size_t i = 0; i < 2; i++)
    if (usable(r, &r->feeds[i]))
      done = feed_one(r, &r->feeds[i]) && done;
  if (done)
    uv_check_stop(h);
}

int tt_run_feed_start(tt_run *r) {
  r->feeds[0].sink = r->output == TT_OUT_JSON ? &r->out : NULL;
  r->feeds[1].sink = r->has_log ? &r->log : NULL;
  r->nannounce = tt_engine_size(r->engine);
  int err = uv_check_init(&r->loop, &r->feeding);
  if (err < 0)
    return err;
  r->feeding.data = r;
  uv_check_start(&r->feeding, feed_cb);
  feed_cb(&r->feeding);
  return 0;
}

void tt_run_feed_upto(tt_run *r, size_t index) {
  if (index >= r->nannounce)
    return;
  uint64_t now = tt_wall_us();
  for (size_t i = 0; i < 2; i++) {
    tt_feed *f = &r->feeds[i];
    if (f->announced > index || !usable(r, f))
      continue;
    tt_sink_make_room(f->sink,
                      (index + 1 - f->announced) * TARGET_EVENT_ROOM);
    while (f->announced <= index)
      announce_next(r, f, now);
  }
}

void tt_run_feed_all(tt_run *r) {
  if (r->nannounce > 0)
    tt_run_feed_upto(r, r->nannounce - 1);
}

void tt_run_feed_summaries(tt_run *r) {
  r->stopped_us = tt_wall_us();
  r->ending = true;
  if (r->feeding.loop == NULL)
    return;
  uv_check_start(&r->feeding, feed_cb);
  feed_cb(&r->feeding);
}

bool tt_run_feed_pending(const tt_run *r, const tt_sink *k) {
  for (size_t i = 0; i < 2; i++)
    if (r->feeds[i].sink == k && !feed_done(r, &r->feeds[i]))
      return r->feeding.loop != NULL &&
             uv_is_active((const uv_handle_t *)&r->feeding);
  return false;
}

void tt_run_feed_close(tt_run *r) {
  if (r->feeding.loop != NULL && !uv_is_closing((uv_handle_t *)&r->feeding))
    uv_close((uv_handle_t *)&r->feeding, NULL);
}
