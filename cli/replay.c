/* replay.c - tether --replay FILE: a recorded log opened (ui/replay.h)
 * and shown in the dashboard with a time cursor, or every target written
 * out as it was at --at TIME, or at the log's end. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "replay.h"
#include "replay_dash.h"
#include "run.h"

/* "events.jsonl at 2026-11-29 03:12:40 (local time)". */
static void heading(tt_sink *k, const char *file, uint64_t t_us) {
  char when[32];
  time_t t = (time_t)(t_us / 1000000);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
  tt_sink_printf(k, "%s at %s (local time)\n\n", file, when);
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

/* 0 when every target there is up, else 1: the rule of a run's end, at
 * the moment replayed. */
static int status_at(const tt_replay *rp) {
  for (size_t i = 0; i < tt_replay_size(rp); i++) {
    const tt_view *v = tt_replay_view(rp, i);
    if (v != NULL && v->state != TT_STATE_UP)
      return EXIT_SOME_DOWN;
  }
  return EXIT_ALL_UP;
}

static void write_out(tt_sink *out, const tt_options *o, tt_replay *rp,
                      const tt_replay_info *in, const char *file,
                      uint64_t t_us) {
  if (o->output == TT_OUT_JSON) {
    if (in->damaged)
      tt_json_damage(out, in->last_us, in->damage_line, in->damage);
    for (size_t i = 0; i < tt_replay_size(rp); i++)
      if (tt_replay_view(rp, i) != NULL)
        tt_json_view(out, tt_replay_view(rp, i), t_us);
    return;
  }
  heading(out, file, t_us);
  tt_plain_views(out, tt_replay_view_fn, rp, tt_replay_size(rp), o->summary);
}

static void quit_cb(void *arg) {
  tt_run_stop(arg);
}

/* The dashboard on the replay, until q or a signal ends it. Returns the
 * exit status: at the cursor, by the rule of a run's end. */
static int run_dashboard(tt_run *r, tt_replay *rp, const char *file,
                         const char *damage, uint64_t at_us) {
  tt_replay_dash *rd = NULL;
  const char *nc = getenv("NO_COLOR");
  uv_loop_init(&r->loop);
  tt_run_watch_signals(r);
  tt_replay_dash_opts ro = {
    .source = file,
    .refresh_ms = r->opt.refresh_ms,
    .color = !r->opt.no_color && (nc == NULL || nc[0] == '\0'),
    .at_us = at_us,
    .damage = damage,
    .on_quit = quit_cb,
    .arg = r,
  };
  int err = tt_replay_dash_start(&r->loop, rp, &ro, &rd);
  int status = EXIT_RUNTIME;
  if (err != 0) {
    fprintf(stderr, "tether: cannot open the dashboard: %s\n",
            uv_strerror(err));
    tt_run_stop(r);
  } else {
    r->dash = tt_replay_dash_dashboard(rd);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    tt_run_stop(r);
    status = status_at(rp);
  }
  tt_run_unwatch_signals(r);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  tt_replay_dash_free(rd);
  if (uv_loop_close(&r->loop) != 0)
    fprintf(stderr, "tether: a handle was left open\n");
  return status;
}

int tt_run_replay(tt_run *r) {
  const tt_options *o = &r->opt;
  char file[PATH_MAX], why[256], damage[300] = "";
  tt_replay *rp;
  tt_replay_info in;
  uint64_t t_us;
  tt_sink out;

  tt_escape(file, sizeof file, o->replay, strlen(o->replay), 0);
  int err = tt_replay_open(o->replay, NULL, &rp);
  if (err < 0) {
    fprintf(stderr, "tether: --replay %s: %s\n", file, strerror(-err));
    return EXIT_RUNTIME;
  }
  tt_replay_info_get(rp, &in);
  if (in.damaged) {
    snprintf(damage, sizeof damage, "line %llu: %s; replayed up to line %llu",
             (unsigned long long)in.damage_line, in.damage,
             (unsigned long long)in.damage_line - 1);
    fprintf(stderr, "tether: %s:%s\n", file, damage + 5);
  }
  if (in.events == 0) {
    fprintf(stderr, "tether: --replay %s: no events to replay\n", file);
    tt_replay_close(rp);
    return EXIT_RUNTIME;
  }
  /* On a terminal, the dashboard, from --at or the log's start; else
   * every target at --at or at the log's end. */
  bool dash = o->output == TT_OUT_AUTO && isatty(STDIN_FILENO) &&
              isatty(STDOUT_FILENO);
  if (o->at == NULL) {
    t_us = dash ? in.first_us : in.last_us;
  } else if (tt_replay_parse_time(rp, o->at, &t_us, why, sizeof why) != 0) {
    fprintf(stderr, "tether: --at: %s\n", why);
    tt_replay_close(rp);
    return EXIT_USAGE;
  }
  if (dash) {
    int status = run_dashboard(r, rp, file, in.damaged ? damage : NULL, t_us);
    tt_replay_close(rp);
    return status;
  }
  if ((err = tt_replay_seek(rp, t_us)) < 0) {
    fprintf(stderr, "tether: --replay %s: %s\n", file, strerror(-err));
    tt_replay_close(rp);
    return EXIT_RUNTIME;
  }
  tt_sink_init_fd(&out, STDOUT_FILENO);
  write_out(&out, o, rp, &in, file, t_us);
  int status = status_at(rp);
  /* A reader that went away (| head) is no failure; another error is. */
  err = tt_sink_flush(&out);
  if (err < 0 && err != -EPIPE) {
    fprintf(stderr, "tether: writing the output: %s\n", strerror(-err));
    status = EXIT_RUNTIME;
  }
  tt_sink_close(&out);
  tt_replay_close(rp);
  return status;
}
