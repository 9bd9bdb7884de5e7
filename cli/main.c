/* main.c - tether: parse the command line, load the targets, and wire the
 * engine to its front ends on one libuv loop until the run ends. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "dashboard.h"
#include "demo.h"
#include "engine.h"
#include "options.h"
#include "output.h"

/* Descriptors kept back for stdio, the log, libuv's own and the demo. */
#define FD_RESERVE 64

enum { EXIT_ALL_UP = 0, EXIT_SOME_DOWN = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

typedef struct tt_run {
  uv_loop_t loop;
  tt_options opt;
  tt_config cfg;
  tt_output output;
  tt_demo *demo;
  tt_engine *engine;
  tt_sink out;
  tt_sink log;
  bool has_log;
  tt_plain plain;
  tt_dashboard *dash;
  uv_signal_t sigint, sigterm;
  uv_timer_t duration;
  uv_check_t flush;
  bool stopping;
  bool out_gone;  /* stdout's reader went away: nothing more to write */
  int failure;    /* EXIT_RUNTIME after a runtime failure */
} tt_run;

static void close_handle(uv_handle_t *h) {
  if (h->loop != NULL && !uv_is_closing(h))
    uv_close(h, NULL);
}

/* Ends the run: every handle closes and uv_run returns. Idempotent. */
static void stop(tt_run *r) {
  if (r->stopping)
    return;
  r->stopping = true;
  if (r->dash != NULL) {
    tt_dashboard_stop(r->dash);
    r->dash = NULL;
  }
  close_handle((uv_handle_t *)&r->sigint);
  close_handle((uv_handle_t *)&r->sigterm);
  close_handle((uv_handle_t *)&r->duration);
  close_handle((uv_handle_t *)&r->flush);
  if (r->engine != NULL)
    tt_engine_stop(r->engine, NULL, NULL);
  if (r->demo != NULL) {
    tt_demo_close(r->demo);
    r->demo = NULL;
  }
}

static void fail_runtime(tt_run *r, const char *what, int err) {
  fprintf(stderr, "tether: %s: %s\n", what, strerror(-err));
  r->failure = EXIT_RUNTIME;
  stop(r);
}

/* Writes out what this loop iteration reported. */
static void flush_all(tt_run *r) {
  if (!r->out_gone && tt_sink_flush(&r->out) < 0) {
    r->out_gone = true;
    if (r->out.error == -EPIPE) {
      /* The reader is gone (tether --json | head): end quietly. */
      stop(r);
    } else {
      fail_runtime(r, "writing the output", r->out.error);
    }
  }
  if (r->has_log && r->log.error == 0 && tt_sink_flush(&r->log) < 0)
    fail_runtime(r, "writing the log", r->log.error);
}

static void flush_cb(uv_check_t *h) {
  flush_all(h->data);
}

static void event_cb(const tt_event *ev, void *arg) {
  tt_run *r = arg;
  switch (r->output) {
  case TT_OUT_JSON:
    tt_json_event(&r->out, ev);
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
  if (r->has_log)
    tt_json_event(&r->log, ev);
}

static void finished_cb(tt_engine *e, void *arg) {
  stop(arg);
}

static void signal_cb(uv_signal_t *h, int signum) {
  stop(h->data);
}

static void duration_cb(uv_timer_t *h) {
  stop(h->data);
}

static void quit_cb(void *arg) {
  stop(arg);
}

/* Raises the descriptor limit as far as allowed and says whether the
 * targets fit in it. */
static int ensure_descriptors(size_t ntargets) {
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

static int load_config(tt_run *r, const char *yaml, size_t yaml_len) {
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
  int rc = tt_config_load(&in, &r->cfg, &diags);
  for (size_t i = 0; i < diags.n; i++)
    fprintf(stderr, "%s\n", diags.v[i].text);
  tt_diags_free(&diags);
  return rc;
}

static int exit_status(const tt_run *r) {
  if (r->failure != 0)
    return r->failure;
  for (size_t i = 0; i < tt_engine_size(r->engine); i++) {
    const tt_view *v = tt_engine_view(r->engine, i);
    if (v != NULL && v->state != TT_STATE_UP)
      return EXIT_SOME_DOWN;
  }
  return EXIT_ALL_UP;
}

static void write_summaries(tt_run *r) {
  uint64_t now = tt_wall_us();
  size_t n = tt_engine_size(r->engine);
  if (!r->out_gone) {
    if (r->output == TT_OUT_JSON) {
      for (size_t i = 0; i < n; i++)
        if (tt_engine_view(r->engine, i) != NULL)
          tt_json_summary(&r->out, tt_engine_view(r->engine, i), now);
    } else {
      tt_plain_summary(&r->out, r->engine);
    }
  }
  if (r->has_log)
    for (size_t i = 0; i < n; i++)
      if (tt_engine_view(r->engine, i) != NULL)
        tt_json_summary(&r->log, tt_engine_view(r->engine, i), now);
  flush_all(r);
}

/* Sets up everything the run needs. Returns 0, or an exit status. */
static int start(tt_run *r) {
  uv_loop_t *loop = &r->loop;
  int err;

  if (ensure_descriptors(r->cfg.ntargets) != 0)
    return EXIT_RUNTIME;

  tt_sink_init_fd(&r->out, STDOUT_FILENO);
  tt_plain_init(&r->plain, &r->out, &r->cfg);
  if (r->opt.log_path != NULL) {
    if ((err = tt_sink_open(&r->log, r->opt.log_path)) < 0) {
      fprintf(stderr, "tether: --log %s: %s\n", r->opt.log_path,
              strerror(-err));
      return EXIT_RUNTIME;
    }
    r->has_log = true;
  }

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

  if (r->output == TT_OUT_DASHBOARD) {
    const char *nc = getenv("NO_COLOR");
    tt_dashboard_opts d = {
      .source = r->opt.demo ? "demo" : r->cfg.source ? r->cfg.source
                                                     : "command line",
      .refresh_ms = r->opt.refresh_ms,
      .color = !r->opt.no_color && (nc == NULL || nc[0] == '\0'),
      .engine = r->engine,
      .on_quit = quit_cb,
      .arg = r,
    };
    if ((err = tt_dashboard_start(loop, &d, &r->dash)) < 0) {
      fprintf(stderr, "tether: cannot start the dashboard: %s%s\n",
              uv_strerror(err),
              err == UV_ENOTTY ? " (use --plain or --json)" : "");
      return EXIT_RUNTIME;
    }
  }

  uv_signal_init(loop, &r->sigint);
  uv_signal_init(loop, &r->sigterm);
  r->sigint.data = r->sigterm.data = r;
  uv_signal_start(&r->sigint, signal_cb, SIGINT);
  uv_signal_start(&r->sigterm, signal_cb, SIGTERM);

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

  if ((err = tt_engine_start(r->engine)) < 0) {
    fprintf(stderr, "tether: %s\n", uv_strerror(err));
    return EXIT_RUNTIME;
  }
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
  /* A reader that goes away is seen as EPIPE from write(2). */
  signal(SIGPIPE, SIG_IGN);
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

  if (load_config(r, yaml, yaml_len) != 0) {
    status = EXIT_USAGE;
    goto done;
  }

  if (r->opt.check) {
    tt_sink_init_fd(&r->out, STDOUT_FILENO);
    tt_check_print(&r->out, &r->cfg);
    status = tt_sink_flush(&r->out) == 0 ? 0 : EXIT_RUNTIME;
    tt_sink_close(&r->out);
    goto free_config;
  }

  r->output = r->opt.output;
  if (r->output == TT_OUT_AUTO)
    r->output = isatty(STDOUT_FILENO) ? TT_OUT_DASHBOARD : TT_OUT_PLAIN;

  status = start(r);
  if (status == 0) {
    uv_run(&r->loop, UV_RUN_DEFAULT);
    write_summaries(r);
    status = exit_status(r);
  } else {
    stop(r);
    uv_run(&r->loop, UV_RUN_DEFAULT);
  }
  tt_sink_close(&r->out);
  if (r->has_log)
    tt_sink_close(&r->log);
  tt_engine_free(r->engine);

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
