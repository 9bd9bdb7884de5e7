/* main.c - tether: parse the command line, load the targets, and wire the
 * engine to its front ends on one libuv loop until the run ends. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "escape.h"
#include "run.h"

static void close_handle(uv_handle_t *h) {
  if (h->loop != NULL && !uv_is_closing(h))
    uv_close(h, NULL);
}

static void engine_stopped_cb(tt_engine *e, void *arg);

void tt_run_stop(tt_run *r) {
  if (r->stopping)
    return;
  r->stopping = true;
  if (r->dash != NULL) {
    tt_dashboard_stop(r->dash);
    r->dash = NULL;
  }
  /* The signals stay watched until the outputs are written out (a signal
   * then stops waiting for a reader that does not read), but no longer
   * keep the loop running. */
  for (size_t i = 0; i < r->nsignals; i++)
    uv_unref((uv_handle_t *)&r->signals[i]);
  close_handle((uv_handle_t *)&r->duration);
  close_handle((uv_handle_t *)&r->flush);
  /* Before the engine goes: a scrape reads its views. */
  if (r->metrics != NULL) {
    tt_metrics_server_close(r->metrics, NULL, NULL);
    r->metrics = NULL;
  }
  /* Hooks running are given until their hook_timeout; none starts. */
  if (r->hooks != NULL) {
    tt_hooks_close(r->hooks, NULL, NULL);
    r->hooks = NULL;
  }
  if (r->engine != NULL)
    tt_engine_stop(r->engine, engine_stopped_cb, r);
  if (r->demo != NULL) {
    tt_demo_close(r->demo);
    r->demo = NULL;
  }
}

static void fail_runtime(tt_run *r, const char *what, int err) {
  fprintf(stderr, "tether: %s: %s\n", what, strerror(-err));
  r->failure = EXIT_RUNTIME;
  tt_run_stop(r);
}

/* Hands what this loop iteration reported to the outputs' writers;
 * their errors come back through output_error_cb. */
static void flush_all(tt_run *r) {
  if (!r->out_gone)
    tt_sink_flush(&r->out);
  if (r->has_log)
    tt_sink_flush(&r->log);
}

static void flush_cb(uv_check_t *h) {
  flush_all(h->data);
}

/* An output failed: a write error, or stdout's reader went away. Either
 * ends the run; only the reader going away (tether --json | head) ends it
 * quietly, with the exit status of the usual rule. */
static void output_error_cb(tt_sink *k, void *arg) {
  tt_run *r = arg;
  if (k == &r->out) {
    r->out_gone = true;
    if (tt_sink_error(k) == -EPIPE)
      tt_run_stop(r);
    else
      fail_runtime(r, "writing the output", tt_sink_error(k));
  } else {
    char what[PATH_MAX + 32];
    char path[PATH_MAX];
    tt_escape(path, sizeof path, r->opt.log_path, strlen(r->opt.log_path),
              0);
    snprintf(what, sizeof what, "writing the log %s", path);
    fail_runtime(r, what, tt_sink_error(k));
  }
}

static void event_cb(const tt_event *ev, void *arg) {
  tt_run *r = arg;
  if (ev->view != NULL)
    tt_run_feed_upto(r, ev->view->index); /* its "target" event first */
  bool leaves = ev->kind == TT_EVENT_REMOVED;
  switch (r->output) {
  case TT_OUT_JSON:
    tt_json_event(&r->out, ev);
    /* A target that leaves writes its summary as it goes. */
    if (leaves)
      tt_json_summary(&r->out, ev->view, ev->ts_us);
    break;
  case TT_OUT_PLAIN:
    tt_plain_event(&r->plain, ev);
    break;
  case TT_OUT_DASHBOARD:
    if (r->dash != NULL)
      tt_dashboard_event(r->dash, ev);
    break;
  case TT_OUT_AUTO:
    break;
  }
  if (r->has_log) {
    tt_json_event(&r->log, ev);
    if (leaves)
      tt_json_summary(&r->log, ev->view, ev->ts_us);
  }
  if (r->hooks != NULL)
    tt_hooks_on_event(r->hooks, ev);
  if (r->opt.until != TT_UNTIL_NONE && !r->stopping &&
      tt_until_event(&r->until, ev)) {
    r->until_met = true;
    tt_run_stop(r);
  }
}

/* A hook that did not end well is told in every output (the dashboard's
 * event log, a line, a hook event): probing never waited for it. */
static void hook_done_cb(const tt_hook_report *h, void *arg) {
  tt_run *r = arg;
  if (h->outcome == TT_HOOK_OK)
    return;
  switch (r->output) {
  case TT_OUT_JSON:
    if (!r->out_gone)
      tt_json_hook(&r->out, h);
    break;
  case TT_OUT_PLAIN:
    if (!r->out_gone)
      tt_plain_hook(&r->plain, h);
    break;
  case TT_OUT_DASHBOARD:
    if (r->dash != NULL) {
      char line[640], name[4 * TT_MAX_NAME + 1];
      tt_escape(name, sizeof name, h->target, strlen(h->target), 0);
      if (h->target[0] != '\0')
        snprintf(line, sizeof line, "hook of %s (%s -> %s): %s", name,
                 tt_state_name(h->from), tt_state_name(h->to), h->text);
      else
        snprintf(line, sizeof line, "hooks: %s", h->text);
      tt_dashboard_notice(r->dash, true, line);
    }
    break;
  case TT_OUT_AUTO:
    break;
  }
  if (r->has_log)
    tt_json_hook(&r->log, h);
  /* At the end of the run the loop no longer flushes each iteration:
   * hooks given their time report after the summaries. */
  if (r->draining)
    flush_all(r);
}

static void finished_cb(tt_engine *e, void *arg) {
  tt_run_stop(arg);
}

static void duration_cb(uv_timer_t *h) {
  tt_run_stop(h->data);
}

static void quit_cb(void *arg) {
  tt_run_stop(arg);
}

static void dash_reload_cb(void *arg) {
  tt_run_reload(arg);
}

int tt_run_ensure_descriptors(size_t ntargets) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t want = rl.rlim_max;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && want == RLIM_INFINITY) {
      rl.rlim_cur = 1 << 20;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  uint64_t need = (uint64_t)ntargets + FD_RESERVE;
  if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
    fprintf(stderr,
            "tether: %zu targets need about %llu file descriptors, but the "
            "limit is %llu; raise it (ulimit -n) or watch fewer targets\n",
            ntargets, (unsigned long long)need,
            (unsigned long long)rl.rlim_cur);
    return -1;
  }
  return 0;
}

int tt_run_load_config(tt_run *r, tt_config *cfg, const char *yaml,
                       size_t yaml_len, bool quiet, char *first, size_t n) {
  tt_config_input in = {
    .path = r->opt.file,
    .buffer = yaml,
    .buffer_len = yaml_len,
    .buffer_name = yaml ? "demo" : NULL,
    .adhoc = r->opt.targets,
    .nadhoc = r->opt.ntargets,
    .overrides = &r->opt.overrides,
  };
  tt_diags diags;
  tt_diags_init(&diags);
  int rc = tt_config_load(&in, cfg, &diags);
  for (size_t i = 0; i < diags.n && !quiet; i++)
    fprintf(stderr, "%s\n", diags.v[i].text);
  if (quiet && rc != 0) {
    if (diags.n > 1)
      snprintf(first, n, "%s (and %zu more)", diags.v[0].text, diags.n - 1);
    else
      snprintf(first, n, "%s", diags.n ? diags.v[0].text : "cannot load");
  }
  tt_diags_free(&diags);
  return rc;
}

static int exit_status(const tt_run *r) {
  if (r->failure != 0)
    return r->failure;
  /* --until: whether the condition was met, whatever the states now. */
  if (r->opt.until != TT_UNTIL_NONE)
    return r->until_met ? EXIT_ALL_UP : EXIT_SOME_DOWN;
  for (size_t i = 0; i < tt_engine_size(r->engine); i++) {
    const tt_view *v = tt_engine_view(r->engine, i);
    if (v != NULL && v->state != TT_STATE_UP)
      return EXIT_SOME_DOWN;
  }
  return EXIT_ALL_UP;
}

/* The engine has stopped: the summaries, never dropped (the run is over;
 * the bound that kept probing from waiting has nothing left to protect),
 * then the loop writes every output out. Until it is done, a signal
 * stops waiting for stdout. */
static void engine_stopped_cb(tt_engine *e, void *arg) {
  tt_run *r = arg;
  if (!r->started)
    return;
  if (!r->out_gone) {
    tt_sink_unbound(&r->out);
    if (r->output != TT_OUT_JSON) {
      /* On a terminal, a line of its own (as ping's statistics): the
       * terminal may have echoed ^C where the next line would start. */
      if (r->output == TT_OUT_PLAIN && isatty(STDOUT_FILENO)) {
        tt_sink_write(&r->out, "\n", 1);
        tt_sink_end_record(&r->out, TT_SINK_NO_TAG);
      }
      tt_plain_summary(&r->out, r->engine, r->opt.summary);
    }
  }
  if (r->has_log)
    tt_sink_unbound(&r->log);
  r->draining = true;
  tt_run_feed_summaries(r); /* JSON: a batch at a time (feed.c) */
  flush_all(r);
}

/* After the loop: a log that a signal left being written (stdout was
 * abandoned, not the log: it is a regular file) is seen through, unless
 * yet another signal says not to. */
static void finish(tt_run *r) {
  while (r->has_log &&
         (tt_run_feed_pending(r, &r->log) || !tt_sink_idle(&r->log)) &&
         tt_sink_error(&r->log) == 0 && r->drain_signals < 2)
    uv_run(&r->loop, UV_RUN_ONCE);
  tt_run_feed_close(r);
  r->draining = false;
  tt_run_unwatch_signals(r);
}

/* Sets up everything the run needs. Returns 0, or an exit status. */
static int start(tt_run *r) {
  uv_loop_t *loop = &r->loop;
  int err;

  if (tt_run_ensure_descriptors(r->cfg.ntargets) != 0)
    return EXIT_RUNTIME;

  tt_sink_init_fd(&r->out, STDOUT_FILENO);
  tt_plain_init(&r->plain, &r->out, &r->cfg);
  if (r->opt.log_path != NULL) {
    const char *what;
    char path[PATH_MAX];
    tt_escape(path, sizeof path, r->opt.log_path, strlen(r->opt.log_path),
              0);
    if ((err = tt_sink_open(&r->log, r->opt.log_path, &what)) < 0) {
      if (what != NULL)
        fprintf(stderr, "tether: --log %s: is %s, not a regular file\n",
                path, what);
      else
        fprintf(stderr, "tether: --log %s: %s\n", path, strerror(-err));
      return EXIT_RUNTIME;
    }
    r->has_log = true;
    if ((err = tt_sink_start(&r->log, loop, TT_SINK_LIMIT, tt_json_notice,
                             output_error_cb, r)) < 0) {
      fprintf(stderr, "tether: --log %s: %s\n", path, uv_strerror(err));
      return EXIT_RUNTIME;
    }
  }
  err = tt_sink_start(&r->out, loop, TT_SINK_LIMIT,
                      r->output == TT_OUT_JSON    ? tt_json_notice
                      : r->output == TT_OUT_PLAIN ? tt_plain_notice
                                                  : NULL,
                      output_error_cb, r);
  if (err < 0) {
    fprintf(stderr, "tether: standard output: %s\n", uv_strerror(err));
    return EXIT_RUNTIME;
  }

  /* Before the dashboard takes the terminal: from here on, a signal ends
   * the run through the loop and gives the terminal back. */
  tt_run_watch_signals(r);

  tt_engine_opts eo = {
    .count = r->opt.count,
    .on_event = event_cb,
    .on_finished = finished_cb,
    .arg = r,
  };
  if ((err = tt_engine_new(loop, &r->cfg, &eo, &r->engine)) < 0) {
    fprintf(stderr, "tether: %s\n", uv_strerror(err));
    return EXIT_RUNTIME;
  }

  const struct sockaddr *maddr = (const struct sockaddr *)&r->opt.metrics_addr;
  if (r->opt.metrics && (err = tt_metrics_server_start(loop, maddr, r->engine,
                                                       NULL, &r->metrics)) < 0) {
    fprintf(stderr, "tether: --metrics: %s\n", uv_strerror(err));
    return EXIT_RUNTIME;
  }
  tt_hooks_opts ho = {
    .limit = tt_hooks_limit_of(&r->cfg),
    .on_done = hook_done_cb,
    .arg = r,
  };
  if ((err = tt_hooks_new(loop, &ho, &r->hooks)) < 0) {
    fprintf(stderr, "tether: hooks: %s\n", uv_strerror(err));
    return EXIT_RUNTIME;
  }
  if (r->opt.until != TT_UNTIL_NONE)
    tt_until_init(&r->until, r->opt.until, r->engine);

  if (r->output == TT_OUT_DASHBOARD) {
    const char *nc = getenv("NO_COLOR");
    tt_dashboard_opts d = {
      .source = r->opt.demo ? "demo" : r->cfg.source ? r->cfg.source
                                                     : "command line",
      .refresh_ms = r->opt.refresh_ms,
      .color = !r->opt.no_color && (nc == NULL || nc[0] == '\0'),
      .engine = r->engine,
      .on_quit = quit_cb,
      .on_reload = dash_reload_cb,
      .arg = r,
    };
    if ((err = tt_dashboard_start(loop, &d, &r->dash)) < 0) {
      fprintf(stderr, "tether: cannot start the dashboard: %s%s\n",
              uv_strerror(err),
              err == UV_ENOTTY ? " (use --plain or --json)" : "");
      return EXIT_RUNTIME;
    }
  }

  uv_check_init(loop, &r->flush);
  r->flush.data = r;
  uv_check_start(&r->flush, flush_cb);
  /* The flush needs no loop iteration of its own. */
  uv_unref((uv_handle_t *)&r->flush);

  uv_timer_init(loop, &r->duration);
  r->duration.data = r;
  /* Measured from now, not from when the loop last looked at the clock. */
  uv_update_time(loop);
  if (r->opt.duration_ms > 0)
    uv_timer_start(&r->duration, duration_cb, r->opt.duration_ms, 0);

  /* The "target" event of every target before its first heartbeat: what
   * a replay of the JSON needs that heartbeats do not say. */
  if ((err = tt_run_feed_start(r)) < 0 ||
      (err = tt_engine_start(r->engine)) < 0) {
    fprintf(stderr, "tether: %s\n", uv_strerror(err));
    return EXIT_RUNTIME;
  }
  r->started = true;
  return 0;
}

int main(int argc, char **argv) {
  static tt_run run; /* large (the engine's buffers are not): static */
  tt_run *r = &run;
  char *yaml = NULL;
  size_t yaml_len = 0;
  int status;

  switch (tt_options_parse(&r->opt, argc, argv)) {
  case 0:
    break;
  case 1:
    tt_options_free(&r->opt);
    return 0;
  default:
    tt_options_free(&r->opt);
    return EXIT_USAGE;
  }
  /* A reader that goes away is seen as EPIPE from write(2), and a log past
   * the file size limit as EFBIG: write errors, reported, status 3. */
  signal(SIGPIPE, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN);
  if (r->opt.replay != NULL) {
    status = tt_run_replay(r);
    tt_options_free(&r->opt);
    return status;
  }
  uv_loop_init(&r->loop);

  if (r->opt.demo) {
    int err = tt_demo_start(&r->loop, &r->demo, &yaml, &yaml_len);
    if (err < 0) {
      fprintf(stderr, "tether: cannot start the demo servers: %s\n",
              uv_strerror(err));
      status = EXIT_RUNTIME;
      goto done;
    }
  }

  if (tt_run_load_config(r, &r->cfg, yaml, yaml_len, false, NULL, 0) != 0) {
    status = EXIT_USAGE;
    goto done;
  }

  if (r->opt.check) {
    tt_sink_init_fd(&r->out, STDOUT_FILENO);
    tt_check_print(&r->out, &r->cfg);
    /* A reader that went away (--check | head) is no failure of the
     * check; any other write error is, and says why. */
    int err = tt_sink_flush(&r->out);
    status = 0;
    if (err < 0 && err != -EPIPE) {
      fprintf(stderr, "tether: writing the output: %s\n", strerror(-err));
      status = EXIT_RUNTIME;
    }
    tt_sink_close(&r->out);
    goto free_config;
  }

  r->output = r->opt.output;
  /* On a terminal, the dashboard; but one target, or a count, is ad-hoc
   * use like ping: a line per heartbeat (--dashboard for the table). */
  if (r->output == TT_OUT_AUTO)
    r->output = isatty(STDOUT_FILENO) &&
                        (r->opt.demo ||
                         (r->cfg.ntargets > 1 && r->opt.count == 0))
                    ? TT_OUT_DASHBOARD
                    : TT_OUT_PLAIN;

  status = start(r);
  if (status == 0) {
    uv_run(&r->loop, UV_RUN_DEFAULT);
    if (r->at_once) {
      /* The terminal was restored by the first signal; nothing else is
       * waited for (a session may be stuck in the threadpool). */
      fflush(NULL);
      _exit(exit_status(r));
    }
    finish(r);
    status = exit_status(r);
  } else {
    tt_run_stop(r);
    tt_run_feed_close(r);
    tt_run_unwatch_signals(r);
    uv_run(&r->loop, UV_RUN_DEFAULT);
  }
  tt_sink_close(&r->out);
  if (r->has_log)
    tt_sink_close(&r->log);
  tt_engine_free(r->engine);
  if (!tt_sink_idle(&r->out) || (r->has_log && !tt_sink_idle(&r->log))) {
    /* A write to a reader that does not read is still under way in the
     * threadpool: it cannot be called back, the loop cannot close around
     * it, and exit() would wait for it (libuv joins its threads when the
     * library unloads). Leave at once. */
    fflush(NULL);
    _exit(status);
  }

free_config:
  tt_config_free(&r->cfg);
done:
  if (r->demo != NULL) {
    tt_demo_close(r->demo);
    r->demo = NULL;
  }
  uv_run(&r->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&r->loop) != 0)
    fprintf(stderr, "tether: internal error: handles left open at exit\n");
  free(yaml);
  tt_options_free(&r->opt);
  return status;
}
