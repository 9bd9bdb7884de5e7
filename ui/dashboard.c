/* dashboard.c - the dashboard on the loop, on an engine or on views that
 * a front end feeds (a replay): stdin through a uv_poll, SIGWINCH through
 * a uv_signal, redraws from dirty flags at most once per refresh period,
 * and the terminal given back on every exit. */
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dash_crt.h"
#include "dash_draw.h"
#include "dash_model.h"
#include "dashboard.h"

#define DASH_HANDLES 4

#define BEHIND_SECONDS 5

struct tt_dashboard {
  uv_loop_t *loop;
  tt_engine *engine;
  void (*on_quit)(void *arg);
  void (*on_reload)(void *arg);
  unsigned (*feed)(void *arg, tt_dash_model *m);
  void *arg;
  char *source;
  uint64_t refresh_ms;

  tt_crt crt;
  tt_dash_model model;

  uv_poll_t input;       /* stdin */
  uv_signal_t winch;     /* SIGWINCH */
  uv_timer_t draw_timer; /* the next redraw, when one is due */
  uv_timer_t tick;       /* the clock, once a second */
  int open_handles;      /* freed when the last one has closed */

  /* Slots the engine let pass, sampled once a second: the header says
   * how many the last BEHIND_SECONDS saw. */
  uint64_t skipped_at[BEHIND_SECONDS];
  unsigned skipped_next;

  unsigned dirty;
  bool draw_scheduled;
  uint64_t last_draw_ms;
  bool stopping;
};

/* The dashboard that owns the terminal, if any. A stop or an event for
 * any other pointer is ignored, which makes stopping twice harmless. */
static tt_dashboard *dash_live;

static const tt_view *engine_view(void *src, size_t i) {
  return tt_engine_view(src, i);
}

static void dash_close_cb(uv_handle_t *h) {
  tt_dashboard *d = h->data;
  if (--d->open_handles > 0)
    return;
  tt_dash_model_free(&d->model);
  free(d->source);
  free(d);
}

static void dash_close_handles(tt_dashboard *d) {
  uv_handle_t *handles[DASH_HANDLES] = {
      (uv_handle_t *)&d->draw_timer, (uv_handle_t *)&d->tick,
      (uv_handle_t *)&d->winch, (uv_handle_t *)&d->input};
  /* input comes last in the list and is only there once initialised. */
  int n = d->open_handles;
  for (int i = 0; i < n; i++)
    uv_close(handles[i], dash_close_cb);
}

static void dash_mark(tt_dashboard *d, unsigned flags);

static void dash_draw_now(tt_dashboard *d) {
  /* Periods from start to start: a key waits at most one. */
  d->last_draw_ms = uv_now(d->loop);
  unsigned dirty = d->dirty;
  d->dirty = 0;
  if (dirty & TT_DIRTY_LAYOUT) {
    tt_crt_resize(&d->crt);
    clearok(curscr, TRUE);
  }
  unsigned again = 0;
  if (d->feed != NULL)
    again = d->feed(d->arg, &d->model);
  else
    tt_dash_set_clock(&d->model, tt_wall_us());
  tt_dash_refresh(&d->model, dirty | again);
  tt_draw(&d->crt, &d->model, d->source);
  if (again != 0)
    dash_mark(d, again);
}

static void draw_cb(uv_timer_t *t) {
  tt_dashboard *d = t->data;
  d->draw_scheduled = false;
  if (!d->stopping)
    dash_draw_now(d);
}

/* Notes what changed; the one timer draws it all at most once per
 * refresh period, right away when the last draw is old enough. */
static void dash_mark(tt_dashboard *d, unsigned flags) {
  if (d->stopping)
    return;
  d->dirty |= flags & ~(unsigned)TT_DO_MASK;
  if (!(d->dirty & TT_DIRTY_DRAW) || d->draw_scheduled)
    return;
  uint64_t now = uv_now(d->loop);
  uint64_t due = d->last_draw_ms + d->refresh_ms;
  uv_timer_start(&d->draw_timer, draw_cb, due > now ? due - now : 0, 0);
  d->draw_scheduled = true;
}

/* The next whole second of the wall clock, so that the clock shown turns
 * over when the real one does. */
static uint64_t until_next_second(void) {
  return 1000 - (tt_wall_us() / 1000) % 1000 + 1;
}

static void tick_cb(uv_timer_t *t) {
  tt_dashboard *d = t->data;
  uv_timer_start(&d->tick, tick_cb, until_next_second(), 0);
  if (d->engine == NULL) {
    dash_mark(d, TT_DIRTY_DRAW);
    return;
  }
  uint64_t now = tt_engine_skipped(d->engine);
  uint64_t then = d->skipped_at[d->skipped_next];
  d->skipped_at[d->skipped_next] = now;
  d->skipped_next = (d->skipped_next + 1) % BEHIND_SECONDS;
  d->model.behind = now - then;
  /* Also while paused: the header says how old the frozen display is. */
  dash_mark(d, TT_DIRTY_DRAW);
}

static void winch_cb(uv_signal_t *s, int signum) {
  tt_dashboard *d = s->data;
  dash_mark(d, TT_DIRTY_DRAW | TT_DIRTY_LAYOUT);
}

/* A curses key as the model knows it, or -1 for one it does not use. */
static int translate_key(int r, wint_t ch) {
  if (r == KEY_CODE_YES) {
    switch (ch) {
    case KEY_UP: return TT_KEY_UP;
    case KEY_DOWN: return TT_KEY_DOWN;
    case KEY_PPAGE: return TT_KEY_PGUP;
    case KEY_NPAGE: return TT_KEY_PGDN;
    case KEY_HOME: return TT_KEY_HOME;
    case KEY_END: return TT_KEY_END;
    case KEY_ENTER: return TT_KEY_ENTER;
    case KEY_BACKSPACE: return TT_KEY_BACKSPACE;
    case KEY_LEFT: return TT_KEY_LEFT;
    case KEY_RIGHT: return TT_KEY_RIGHT;
    default: return -1;
    }
  }
  switch (ch) {
  case '\r':
  case '\n': return TT_KEY_ENTER;
  case '\t': return TT_KEY_TAB;
  case 27: return TT_KEY_ESC;
  case 127:
  case 8: return TT_KEY_BACKSPACE;
  case 21: return TT_KEY_KILL_LINE;
  case 12: return TT_KEY_REDRAW;
  default: return (int)ch;
  }
}

static void dash_act(tt_dashboard *d, unsigned flags) {
  size_t sel = tt_dash_selected(&d->model);
  if ((flags & TT_DO_RECONNECT) && sel != SIZE_MAX && d->engine != NULL &&
      tt_engine_view(d->engine, sel) != NULL)
    tt_engine_reconnect(d->engine, sel);
  dash_mark(d, flags);
  if ((flags & TT_DO_RELOAD) && d->on_reload == NULL)
    dash_mark(d, tt_dash_notice(&d->model, true,
                                "R: this run cannot reload its targets",
                                false));
  else if (flags & TT_DO_RELOAD)
    d->on_reload(d->arg); /* reports through tt_dashboard_reloaded() */
  if ((flags & TT_DO_QUIT) && d->on_quit != NULL)
    d->on_quit(d->arg); /* may stop the dashboard */
}

static void input_cb(uv_poll_t *p, int status, int events) {
  tt_dashboard *d = p->data;
  int keys = 0;

  if (d->stopping)
    return;
  if (status < 0) {
    uv_poll_stop(p);
    return;
  }
  if (d->feed == NULL)
    tt_dash_set_clock(&d->model, tt_wall_us());
  /* Take every key that is there: one poll wake-up may bring many. */
  while (!d->stopping) {
    wint_t ch;
    int r = wget_wch(stdscr, &ch);
    if (r == ERR)
      break;
    keys++;
    int key = translate_key(r, ch);
    if (key >= 0)
      dash_act(d, tt_dash_key(&d->model, key));
  }
  if (keys == 0 && !d->stopping) {
    /* Readable with nothing to read: the terminal has hung up. Stop
     * watching it rather than spin, and leave as if asked to. */
    int avail = 0;
    if (ioctl(STDIN_FILENO, FIONREAD, &avail) == 0 && avail == 0) {
      uv_poll_stop(p);
      if (d->on_quit != NULL)
        d->on_quit(d->arg);
    }
  }
}

int tt_dashboard_start(uv_loop_t *loop, const tt_dashboard_opts *opts,
                       tt_dashboard **out) {
  int rc, flags = -1;

  if (dash_live != NULL)
    return UV_EBUSY;
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
    return UV_ENOTTY;
  tt_dashboard *d = calloc(1, sizeof(*d));
  if (d == NULL)
    return UV_ENOMEM;
  d->loop = loop;
  d->engine = opts->engine;
  d->on_quit = opts->on_quit;
  d->on_reload = opts->on_reload;
  d->feed = opts->feed;
  d->arg = opts->arg;
  d->refresh_ms = opts->refresh_ms > 0 ? opts->refresh_ms : 100;
  d->source = strdup(opts->source != NULL ? opts->source : "");
  if (d->source == NULL) {
    rc = UV_ENOMEM;
    goto fail_free;
  }
  bool utf8 = tt_crt_locale_utf8();
  tt_dash_model_opts mo = {
    .view_at = opts->engine != NULL ? engine_view : opts->view_at,
    .src = opts->engine != NULL ? (void *)opts->engine : opts->src,
    .n = opts->engine != NULL ? tt_engine_size(opts->engine) : opts->n,
    .utf8 = utf8,
    .wall_us = tt_wall_us(),
  };
  rc = tt_dash_model_init(&d->model, &mo);
  if (rc != 0)
    goto fail_free;
  d->model.extra = opts->keys;
  d->model.nextra = opts->nkeys;
  d->model.owner = opts->arg;

  /* From here on the memory belongs to the handles' close callbacks. */
  uv_timer_init(loop, &d->draw_timer);
  uv_timer_init(loop, &d->tick);
  uv_signal_init(loop, &d->winch);
  d->draw_timer.data = d->tick.data = d->winch.data = d->input.data = d;
  d->open_handles = 3;
  /* Before curses starts, so that it leaves SIGWINCH to us. */
  rc = uv_signal_start(&d->winch, winch_cb, SIGWINCH);
  if (rc != 0)
    goto fail_handles;
  flags = fcntl(STDIN_FILENO, F_GETFL);
  rc = uv_poll_init(loop, &d->input, STDIN_FILENO);
  if (rc != 0)
    goto fail_handles;
  d->open_handles = 4;
  /* The poll made stdin non-blocking, and the shell and our stdout share
   * that open file: put it back. The poll only needs readiness; curses
   * reads without blocking through its own timeouts. */
  if (flags >= 0) {
    fcntl(STDIN_FILENO, F_SETFL, flags);
    tt_crt_keep_stdin_flags(flags);
  }
  rc = tt_crt_open(&d->crt, utf8, opts->color);
  if (rc != 0)
    goto fail_handles;
  rc = uv_poll_start(&d->input, UV_READABLE, input_cb);
  if (rc != 0)
    goto fail_crt;
  uv_timer_start(&d->tick, tick_cb, until_next_second(), 0);

  dash_live = d;
  *out = d;
  dash_mark(d, TT_DIRTY_DRAW | TT_DIRTY_LAYOUT);
  return 0;

fail_crt:
  tt_crt_close(&d->crt);
fail_handles:
  if (flags >= 0)
    fcntl(STDIN_FILENO, F_SETFL, flags);
  d->stopping = true;
  dash_close_handles(d);
  return rc;
fail_free:
  tt_dash_model_free(&d->model);
  free(d->source);
  free(d);
  return rc;
}

tt_dash_model *tt_dashboard_model(tt_dashboard *d) {
  return d != NULL && d == dash_live ? &d->model : NULL;
}

void tt_dashboard_mark(tt_dashboard *d, unsigned flags) {
  if (d != NULL && d == dash_live)
    dash_mark(d, flags);
}

void tt_dashboard_event(tt_dashboard *d, const tt_event *ev) {
  if (d == NULL || d != dash_live)
    return;
  dash_mark(d, tt_dash_record(&d->model, ev));
}

void tt_dashboard_notice(tt_dashboard *d, bool error, const char *text) {
  if (d == NULL || d != dash_live)
    return;
  if (d->feed == NULL)
    tt_dash_set_clock(&d->model, tt_wall_us());
  dash_mark(d, tt_dash_notice(&d->model, error, text, true));
}

void tt_dashboard_reloaded(tt_dashboard *d, const tt_reload_report *report,
                           const char *error) {
  char text[TT_DASH_NOTICE_MAX];
  if (d == NULL || d != dash_live)
    return;
  if (report == NULL) {
    snprintf(text, sizeof(text), "reload refused, nothing changed: %s",
             error != NULL ? error : "the file has errors");
    tt_dashboard_notice(d, true, text);
    return;
  }
  snprintf(text, sizeof(text), "reloaded: %zu added, %zu removed, %zu changed",
           report->nadded, report->nremoved, report->nchanged);
  tt_dashboard_notice(d, false, text);
  /* Changed targets may have new addresses and tags. */
  tt_dash_targets_changed(&d->model);
  dash_mark(d, TT_DIRTY_DRAW | TT_DIRTY_FILTER);
}

void tt_dashboard_stop(tt_dashboard *d) {
  if (d == NULL || d != dash_live)
    return;
  dash_live = NULL;
  d->stopping = true;
  tt_crt_close(&d->crt);
  dash_close_handles(d);
}
