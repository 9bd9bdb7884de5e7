/* replay_dash.c - the dashboard on a replay: the views come from the
 * replay's cursor, the model's memory (HISTORY, LOSS, the event log) from
 * the recorded events fed to it as an engine would have, and keys of its
 * own move the cursor. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay_dash.h"

#define NOTICE_MS 4000
#define NOTICE_ERROR_MS 10000

/* Play speeds, times the recorded pace. */
static const unsigned speeds[] = {1, 2, 5, 10, 30, 60, 120, 300, 600, 1800,
                                  3600};
#define NSPEEDS (sizeof speeds / sizeof speeds[0])
#define SPEED_DEFAULT 3 /* 10x: a minute in six seconds */

struct tt_replay_dash {
  uv_loop_t *loop;
  tt_replay *rp;
  tt_replay_info info;
  tt_dashboard *dash;
  tt_dash_model *m;
  void (*on_quit)(void *arg);
  void *arg;
  uint64_t fed_us;     /* the model has every event up to this time ... */
  bool fed;            /* ... once it has been fed at all */
  bool playing;
  unsigned speed;      /* index in speeds */
  uint64_t play_ms;    /* loop time the cursor was last moved by play */
  uint64_t notice_end_ms; /* loop time its notice goes; 0: none */
};

static tt_replay_dash *of(const tt_dash_model *m) {
  return m->owner;
}

/* A notice timed by the loop's clock: the model's runs with the replay. */
static unsigned say(tt_replay_dash *rd, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static unsigned say(tt_replay_dash *rd, bool error, const char *fmt, ...) {
  char text[TT_DASH_NOTICE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  unsigned dirty = tt_dash_notice(rd->m, error, text, false);
  rd->m->notice_until_us = UINT64_MAX;
  rd->notice_end_ms = uv_now(rd->loop) + (error ? NOTICE_ERROR_MS : NOTICE_MS);
  return dirty;
}

/* ---- the cursor ---------------------------------------------------------- */

static bool record_cb(const tt_replay_event *e, void *arg) {
  tt_replay_dash *rd = arg;
  tt_event ev;
  if (tt_replay_event_of(rd->rp, e, &ev))
    tt_dash_record(rd->m, &ev);
  return true;
}

/* How far back the model is fed after a jump: HISTORY's finest cells
 * across the widest table, and LOSS's window. */
static uint64_t memory_us(const tt_dash_model *m) {
  uint64_t w = tt_hist_span_us(m->step_us, 0) * TT_HIST_CELLS;
  uint64_t loss = (uint64_t)TT_LOSS_WINDOW_S * 1000000u;
  return w > loss ? w : loss;
}

/* The cursor to time t (within the log): the views from the replay, and
 * the model fed the events since it was last fed, or, after a jump back
 * or far ahead, made to forget and fed those of memory_us() before t. */
static unsigned move_to(tt_replay_dash *rd, uint64_t t) {
  tt_dash_model *m = rd->m;
  if (t < rd->info.first_us)
    t = rd->info.first_us;
  if (t > rd->info.last_us)
    t = rd->info.last_us;
  int err = tt_replay_seek(rd->rp, t);
  if (err < 0)
    return say(rd, true, "cannot read the log: %s", strerror(-err));
  uint64_t back = memory_us(m);
  if (rd->fed && t >= rd->fed_us && t - rd->fed_us <= back) {
    err = tt_replay_each(rd->rp, rd->fed_us + 1, t, SIZE_MAX, record_cb, rd);
  } else {
    tt_dash_forget(m);
    err = tt_replay_each(rd->rp, t > back ? t - back : 0, t, SIZE_MAX,
                         record_cb, rd);
  }
  rd->fed_us = t;
  rd->fed = true;
  tt_dash_set_clock(m, t);
  unsigned dirty = tt_dash_resync(m);
  if (err < 0)
    dirty |= say(rd, true, "cannot read the log: %s", strerror(-err));
  return dirty;
}

/* The target [ and ] look at: the one selected, once the selection was
 * moved or its detail is open; else any. */
static size_t change_target(const tt_dash_model *m) {
  size_t i = tt_dash_selected(m);
  if (i == SIZE_MAX || (m->pinned && m->screen != TT_SCREEN_DETAIL))
    return SIZE_MAX;
  return i;
}

static const char *whose(const tt_dash_model *m, size_t i) {
  return i == SIZE_MAX ? "any target" : "the selected target";
}

static unsigned act_next(tt_dash_model *m) {
  tt_replay_dash *rd = of(m);
  size_t i = change_target(m);
  rd->playing = false;
  int rc = tt_replay_step(rd->rp, 1, i, TT_REPLAY_CHANGES);
  if (rc <= 0) {
    tt_replay_seek(rd->rp, rd->fed_us);
    return say(rd, rc < 0, "no later state change of %s", whose(m, i));
  }
  return move_to(rd, tt_replay_now_us(rd->rp));
}

/* The latest state change before the cursor's time: a step back leaves
 * the cursor before a change, a step on after it, where its time is;
 * changes at the cursor's own time are passed over. */
static unsigned act_prev(tt_dash_model *m) {
  tt_replay_dash *rd = of(m);
  size_t i = change_target(m);
  int rc;
  rd->playing = false;
  while ((rc = tt_replay_step(rd->rp, -1, i, TT_REPLAY_CHANGES)) > 0 &&
         (rc = tt_replay_step(rd->rp, 1, i, TT_REPLAY_CHANGES)) > 0) {
    uint64_t t = tt_replay_now_us(rd->rp);
    if (t < rd->fed_us)
      return move_to(rd, t);
    if ((rc = tt_replay_step(rd->rp, -1, i, TT_REPLAY_CHANGES)) <= 0)
      break;
  }
  tt_replay_seek(rd->rp, rd->fed_us);
  return say(rd, rc < 0, "no earlier state change of %s", whose(m, i));
}

/* A HISTORY cell at the zoom shown. */
static unsigned act_forward(tt_dash_model *m) {
  tt_replay_dash *rd = of(m);
  return move_to(rd, rd->fed_us + tt_dash_hist_span_ms(m) * 1000);
}

static unsigned act_back(tt_dash_model *m) {
  tt_replay_dash *rd = of(m);
  uint64_t span = tt_dash_hist_span_ms(m) * 1000;
  return move_to(rd, rd->fed_us > span ? rd->fed_us - span : 0);
}

static unsigned act_play(tt_dash_model *m) {
  tt_replay_dash *rd = of(m);
  if (!rd->playing && rd->fed_us >= rd->info.last_us)
    return say(rd, false, "at the end of the log ([ or t to go back)");
  rd->playing = !rd->playing;
  rd->play_ms = uv_now(rd->loop);
  return TT_DIRTY_DRAW;
}

static unsigned act_faster(tt_dash_model *m) {
  tt_replay_dash *rd = of(m);
  if (rd->speed + 1 < NSPEEDS)
    rd->speed++;
  return TT_DIRTY_DRAW;
}

static unsigned act_slower(tt_dash_model *m) {
  tt_replay_dash *rd = of(m);
  if (rd->speed > 0)
    rd->speed--;
  return TT_DIRTY_DRAW;
}

static unsigned time_typed(tt_dash_model *m, bool ok) {
  tt_replay_dash *rd = of(m);
  char why[200];
  uint64_t t;
  if (!ok || m->ask_len == 0)
    return 0;
  if (tt_replay_parse_time(rd->rp, m->ask_text, &t, why, sizeof why) != 0)
    return say(rd, true, "%s", why);
  return move_to(rd, t);
}

static unsigned act_time(tt_dash_model *m) {
  of(m)->playing = false;
  return tt_dash_ask(m, " Time: ",
                     "   Enter go  Esc cancel   03:12  03:12:40"
                     "  2026-11-29T03:12:40Z",
                     time_typed);
}

/* The live keys that the time keys took, on keys of their own. */
static unsigned act_group(tt_dash_model *m) {
  return tt_dash_model_key(m, 't');
}
static unsigned act_zoom_in(tt_dash_model *m) {
  return tt_dash_model_key(m, '+');
}
static unsigned act_zoom_out(tt_dash_model *m) {
  return tt_dash_model_key(m, '-');
}

static unsigned act_no_engine(tt_dash_model *m) {
  return say(of(m), false, "a replay watches nothing: r and R do nothing");
}

static const char *bar_play(const tt_dash_model *m) {
  return of(m)->playing ? "Pause" : "Play";
}

#define TD (TT_SCREEN_TABLE | TT_SCREEN_DETAIL)
#define TB TT_SCREEN_TABLE

static const tt_dash_binding keys[] = {
  {' ', TD, act_play, "replay: play, pause", "Play", 1, bar_play},
  {'p', TD, act_play, NULL, NULL, 0, NULL},
  {TT_KEY_RIGHT, TD, act_forward, "replay: a HISTORY cell on", NULL, 0, NULL},
  {TT_KEY_LEFT, TD, act_back, "replay: a HISTORY cell back", NULL, 0, NULL},
  {']', TD, act_next, "next state change (of the selected)", "Next", 1,
   NULL},
  {'[', TD, act_prev, "previous state change", "Prev", 1, NULL},
  {'t', TD, act_time, "go to a time (03:12, RFC 3339)", "Time", 1, NULL},
  {'+', TD, act_faster, "play faster", "Faster", 1, NULL},
  {'=', TD, act_faster, NULL, NULL, 0, NULL},
  {'-', TD, act_slower, "play slower", NULL, 0, NULL},
  {'b', TB, act_group, "group by tag (Enter opens)", NULL, 0, NULL},
  {'z', TB, act_zoom_in, "HISTORY: shorter cells", NULL, 0, NULL},
  {'Z', TB, act_zoom_out, "HISTORY: longer cells", NULL, 0, NULL},
  {'r', TD, act_no_engine, NULL, NULL, 0, NULL},
  {'R', TD, act_no_engine, NULL, NULL, 0, NULL},
};

/* ---- the dashboard's side ------------------------------------------------- */

/* "REPLAY 2026-11-29  41%  paused 10x": the day, the place in the log's
 * time, and how it plays; the clock beside it is the cursor's. */
static void status(tt_replay_dash *rd) {
  char day[16];
  time_t s = (time_t)(rd->fed_us / 1000000);
  struct tm tm;
  localtime_r(&s, &tm);
  strftime(day, sizeof day, "%Y-%m-%d", &tm);
  uint64_t span = rd->info.last_us - rd->info.first_us;
  unsigned pct = span == 0 ? 100
                           : (unsigned)((rd->fed_us - rd->info.first_us) *
                                        100 / span);
  snprintf(rd->m->status, sizeof rd->m->status, " REPLAY %s %3u%%  %s %ux ",
           day, pct, rd->playing ? "playing" : "paused", speeds[rd->speed]);
}

/* Before each draw: play moves the cursor by the time since the last
 * frame times the speed, and asks for the next frame. */
static unsigned feed_cb(void *arg, tt_dash_model *m) {
  tt_replay_dash *rd = arg;
  unsigned dirty = 0;
  uint64_t now = uv_now(rd->loop);
  if (rd->notice_end_ms != 0 && now >= rd->notice_end_ms) {
    m->notice[0] = '\0';
    rd->notice_end_ms = 0;
  }
  if (rd->playing) {
    uint64_t t = rd->fed_us + (now - rd->play_ms) * 1000 * speeds[rd->speed];
    rd->play_ms = now;
    if (t >= rd->info.last_us) {
      t = rd->info.last_us;
      rd->playing = false;
      dirty |= say(rd, false, "the end of the log");
    }
    dirty |= move_to(rd, t);
  }
  tt_dash_set_clock(m, rd->fed_us);
  status(rd);
  return rd->playing ? dirty | TT_DIRTY_DRAW : dirty & ~(unsigned)TT_DIRTY_DRAW;
}

static void quit_cb(void *arg) {
  tt_replay_dash *rd = arg;
  if (rd->on_quit != NULL)
    rd->on_quit(rd->arg);
}

int tt_replay_dash_start(uv_loop_t *loop, tt_replay *rp,
                         const tt_replay_dash_opts *o, tt_replay_dash **out) {
  tt_replay_dash *rd = calloc(1, sizeof *rd);
  if (rd == NULL)
    return UV_ENOMEM;
  rd->loop = loop;
  rd->rp = rp;
  rd->on_quit = o->on_quit;
  rd->arg = o->arg;
  rd->speed = SPEED_DEFAULT;
  tt_replay_info_get(rp, &rd->info);
  /* The model reads its first views (and HISTORY's step) at the start. */
  int rc = tt_replay_seek(rp, o->at_us);
  if (rc < 0) {
    free(rd);
    return rc;
  }
  tt_dashboard_opts d = {
    .source = o->source,
    .refresh_ms = o->refresh_ms,
    .color = o->color,
    .view_at = tt_replay_view_fn,
    .src = rp,
    .n = tt_replay_size(rp),
    .feed = feed_cb,
    .keys = keys,
    .nkeys = sizeof keys / sizeof keys[0],
    .on_quit = quit_cb,
    .arg = rd,
  };
  if ((rc = tt_dashboard_start(loop, &d, &rd->dash)) != 0) {
    free(rd);
    return rc;
  }
  rd->m = tt_dashboard_model(rd->dash);
  unsigned dirty = move_to(rd, o->at_us);
  if (o->damage != NULL)
    dirty |= say(rd, true, "%s", o->damage);
  status(rd);
  tt_dashboard_mark(rd->dash, dirty);
  *out = rd;
  return 0;
}

tt_dashboard *tt_replay_dash_dashboard(tt_replay_dash *rd) {
  return rd->dash;
}

void tt_replay_dash_free(tt_replay_dash *rd) {
  free(rd);
}
