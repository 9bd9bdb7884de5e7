/* replay.c - tether --replay FILE: a recorded log opened (ui/replay.h)
 * and every target shown as it was at --at TIME, or at the log's end. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "replay.h"
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

int tt_run_replay(const tt_options *o) {
  char file[PATH_MAX], why[256];
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
  if (in.damaged)
    fprintf(stderr, "tether: %s:%llu: %s; replayed up to line %llu\n", file,
            (unsigned long long)in.damage_line, in.damage,
            (unsigned long long)in.damage_line - 1);
  if (in.events == 0) {
    fprintf(stderr, "tether: --replay %s: no events to replay\n", file);
    tt_replay_close(rp);
    return EXIT_RUNTIME;
  }
  if (o->at == NULL) {
    /* The dashboard's replay is still to come: until it is there, the
     * end of the log, as without a terminal. */
    if (o->output == TT_OUT_AUTO && isatty(STDOUT_FILENO))
      fprintf(stderr, "tether: the replay dashboard is not there yet: the "
              "end of the log (--at TIME for another moment)\n");
    t_us = in.last_us;
  } else if (tt_replay_parse_time(rp, o->at, &t_us, why, sizeof why) != 0) {
    fprintf(stderr, "tether: --at: %s\n", why);
    tt_replay_close(rp);
    return EXIT_USAGE;
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
