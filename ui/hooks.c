/* hooks.c - running on_change commands: a job is a copy of the event,
 * queued in a bounded FIFO; a hook is a job running in a process group of
 * its own, its output read into a small tail, its deadline a timer. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "closed.h"
#include "duration.h"
#include "escape.h"
#include "format.h"
#include "hooks.h"

extern char **environ;

#define DEF_LIMIT 4
#define DEF_SHELL "/bin/sh"
/* After a hook exits, its output is read until the pipe ends, or this
 * long when something it left in the background holds the pipe. */
#define DRAIN_MS 200

/* The event, in the order PRODUCT.md lists it. */
static const char *const var_names[] = {
  "TETHER_TARGET", "TETHER_ADDRESS", "TETHER_IP", "TETHER_FROM",
  "TETHER_TO", "TETHER_CLASS", "TETHER_ERROR", "TETHER_TS",
};
#define NVARS (sizeof var_names / sizeof var_names[0])

/* A state change to run a command for: everything copied, since the
 * target may be gone (a reload) before its turn comes. */
typedef struct job {
  struct job *next;
  char *command;
  char *target;
  char *address;
  char *vars[NVARS]; /* "NAME=value" */
  tt_state from, to;
  uint64_t ts_us;
  uint64_t timeout_ms;
  char data[];
} job;

typedef struct hook hook;

struct hook {
  uv_process_t proc;
  uv_pipe_t out;
  uv_timer_t timer;
  tt_hooks *h;
  hook *prev, *next;
  job *job;
  int open;          /* handles not yet closed */
  bool exited;
  bool eof;
  bool timed_out;     /* killed at its deadline */
  bool stopped;       /* killed by tt_hooks_kill */
  bool reported;
  int64_t status;
  int signal;
  uint64_t started_ms;
  uint64_t ran_ms;
  size_t tail_len;
  char tail[2 * TT_HOOK_OUTPUT];
};

struct tt_hooks {
  uv_loop_t *loop;
  tt_hooks_opts o;
  job *head, *tail;  /* the queue, oldest first */
  size_t queued;
  hook *running;
  size_t nrunning;
  size_t dropped_unsaid; /* drops not yet reported */
  bool full_said;        /* the queue's being full was reported */
  int open;              /* hooks whose handles are not all closed */
  bool closing;
  tt_on_closed closed;
  tt_hooks_stats st;
};

static void start_next(tt_hooks *h);

const char *tt_hook_outcome_name(tt_hook_outcome o) {
  static const char *const names[] = { "ok", "failed", "signaled",
                                       "timed_out", "not_started",
                                       "dropped" };
  return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

/* ---- jobs ------------------------------------------------------------- */

static job *make_job(const tt_event *ev) {
  const tt_view *v = ev->view;
  const tt_target *t = v->target;
  char ts[40];
  const char *values[NVARS];
  size_t size = strlen(t->on_change) + strlen(t->name) + strlen(t->address) +
                3;

  tt_fmt_rfc3339(ts, sizeof ts, ev->ts_us);
  values[0] = t->name;
  values[1] = t->address;
  values[2] = v->ip;
  values[3] = tt_state_name(ev->from);
  values[4] = tt_state_name(ev->to);
  values[5] = tt_class_name(ev->cls);
  values[6] = ev->error != NULL ? ev->error : "";
  values[7] = ts;
  for (size_t i = 0; i < NVARS; i++)
    size += strlen(var_names[i]) + strlen(values[i]) + 2;

  job *j = malloc(sizeof *j + size);
  if (j == NULL)
    return NULL;
  char *p = j->data;
  j->next = NULL;
  j->command = p;
  p = stpcpy(p, t->on_change) + 1;
  j->target = p;
  p = stpcpy(p, t->name) + 1;
  j->address = p;
  p = stpcpy(p, t->address) + 1;
  for (size_t i = 0; i < NVARS; i++) {
    j->vars[i] = p;
    p += sprintf(p, "%s=%s", var_names[i], values[i]) + 1;
  }
  j->from = ev->from;
  j->to = ev->to;
  j->ts_us = ev->ts_us;
  j->timeout_ms = t->hook_timeout_ms ? t->hook_timeout_ms : 10000;
  return j;
}

/* The environment of a hook: tether's own, without any TETHER_* that the
 * event sets (a stale one must not pass for the event's), and the event.
 * Only the array is allocated; the strings are borrowed. */
static char **make_env(const job *j) {
  size_t n = 0;
  while (environ[n] != NULL)
    n++;
  char **env = malloc((n + NVARS + 1) * sizeof *env);
  if (env == NULL)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    bool ours = false;
    for (size_t v = 0; v < NVARS && !ours; v++) {
      size_t len = strlen(var_names[v]);
      ours = strncmp(environ[i], var_names[v], len) == 0 &&
             environ[i][len] == '=';
    }
    if (!ours)
      env[k++] = environ[i];
  }
  for (size_t v = 0; v < NVARS; v++)
    env[k++] = j->vars[v];
  env[k] = NULL;
  return env;
}

/* ---- reports ---------------------------------------------------------- */

static void report(tt_hooks *h, tt_hook_report *r) {
  if (r->outcome == TT_HOOK_OK)
    h->st.ok++;
  else if (r->outcome == TT_HOOK_DROPPED)
    h->st.dropped += r->dropped;
  else
    h->st.failed++;
  if (h->o.on_done != NULL)
    h->o.on_done(r, h->o.arg);
}

static void report_job(tt_hooks *h, const job *j, tt_hook_report *r) {
  r->target = j->target;
  r->address = j->address;
  r->from = j->from;
  r->to = j->to;
  r->ts_us = j->ts_us;
  if (r->output == NULL)
    r->output = "";
  report(h, r);
}

/* The drops not yet said, in one report. */
static void report_drops(tt_hooks *h, const char *why) {
  char text[160];
  if (h->dropped_unsaid == 0)
    return;
  snprintf(text, sizeof text, "%zu hook%s not run: %s", h->dropped_unsaid,
           h->dropped_unsaid == 1 ? "" : "s", why);
  tt_hook_report r = { .outcome = TT_HOOK_DROPPED, .target = "",
                       .address = "", .output = "",
                       .dropped = h->dropped_unsaid, .text = text };
  h->dropped_unsaid = 0;
  report(h, &r);
}

/* The last line of what the hook wrote, escaped for any output. */
static void last_line(const hook *k, char *buf, size_t n) {
  size_t end = k->tail_len, start;
  while (end > 0 && (k->tail[end - 1] == '\n' || k->tail[end - 1] == '\r' ||
                     k->tail[end - 1] == ' '))
    end--;
  for (start = end; start > 0 && k->tail[start - 1] != '\n'; start--)
    ;
  tt_escape(buf, n, k->tail + start, end - start, 0);
}

static void report_hook(hook *k) {
  tt_hooks *h = k->h;
  char out[200], text[320], secs[32];
  tt_hook_report r = { .ran_ms = k->ran_ms, .output = out };

  last_line(k, out, sizeof out);
  if (k->timed_out) {
    r.outcome = TT_HOOK_TIMED_OUT;
    r.term_signal = SIGKILL;
    tt_duration_format(k->job->timeout_ms, secs, sizeof secs);
    snprintf(text, sizeof text, "killed after %s (hook_timeout)%s%s", secs,
             out[0] ? ": " : "", out);
  } else if (k->stopped) {
    r.outcome = TT_HOOK_SIGNALED;
    r.term_signal = k->signal;
    snprintf(text, sizeof text, "killed: the run ended%s%s",
             out[0] ? ": " : "", out);
  } else if (k->signal != 0) {
    r.outcome = TT_HOOK_SIGNALED;
    r.term_signal = k->signal;
    snprintf(text, sizeof text, "ended by signal %d (%s)%s%s", k->signal,
             strsignal(k->signal), out[0] ? ": " : "", out);
  } else if (k->status != 0) {
    r.outcome = TT_HOOK_FAILED;
    r.exit_status = k->status;
    snprintf(text, sizeof text, "exited with status %lld%s%s",
             (long long)k->status, out[0] ? ": " : "", out);
  } else {
    r.outcome = TT_HOOK_OK;
    snprintf(text, sizeof text, "exited with status 0");
  }
  r.text = text;
  report_job(h, k->job, &r);
}

/* ---- running ---------------------------------------------------------- */

static void maybe_closed(tt_hooks *h) {
  if (!h->closing || h->open > 0 || h->nrunning > 0)
    return;
  tt_free_and_tell(h, h->closed);
}

static void hook_closed_cb(uv_handle_t *hd) {
  hook *k = hd->data;
  tt_hooks *h = k->h;
  if (--k->open > 0)
    return;
  free(k->job);
  free(k);
  h->open--;
  maybe_closed(h);
}

static void close_hook(hook *k) {
  uv_close((uv_handle_t *)&k->proc, hook_closed_cb);
  uv_close((uv_handle_t *)&k->out, hook_closed_cb);
  uv_close((uv_handle_t *)&k->timer, hook_closed_cb);
}

/* The hook exited and its output is read (or waited for long enough):
 * reported, its slot given to the next. */
static void hook_done(hook *k) {
  tt_hooks *h = k->h;
  if (k->reported)
    return;
  k->reported = true;
  uv_timer_stop(&k->timer);
  uv_read_stop((uv_stream_t *)&k->out);
  if (k->prev != NULL)
    k->prev->next = k->next;
  else
    h->running = k->next;
  if (k->next != NULL)
    k->next->prev = k->prev;
  h->nrunning--;
  report_hook(k);
  close_hook(k);
  start_next(h);
}

static void drain_cb(uv_timer_t *t) {
  hook_done(t->data);
}

static void deadline_cb(uv_timer_t *t) {
  hook *k = t->data;
  /* The whole group: the shell and whatever it started. */
  k->timed_out = true;
  uv_kill(-k->proc.pid, SIGKILL);
}

static void exit_cb(uv_process_t *p, int64_t status, int signal) {
  hook *k = p->data;
  k->exited = true;
  k->status = status;
  k->signal = signal;
  k->ran_ms = uv_now(k->h->loop) - k->started_ms;
  if (k->eof)
    hook_done(k);
  else
    uv_timer_start(&k->timer, drain_cb, DRAIN_MS, 0);
}

static void alloc_cb(uv_handle_t *hd, size_t suggested, uv_buf_t *buf) {
  hook *k = hd->data;
  /* The tail keeps the last TT_HOOK_OUTPUT bytes: room for as many more. */
  if (k->tail_len > TT_HOOK_OUTPUT) {
    memmove(k->tail, k->tail + k->tail_len - TT_HOOK_OUTPUT, TT_HOOK_OUTPUT);
    k->tail_len = TT_HOOK_OUTPUT;
  }
  *buf = uv_buf_init(k->tail + k->tail_len,
                     (unsigned)(sizeof k->tail - k->tail_len));
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  hook *k = s->data;
  if (n > 0) {
    k->tail_len += (size_t)n;
    return;
  }
  if (n == 0)
    return;
  k->eof = true;
  uv_read_stop(s);
  if (k->exited)
    hook_done(k);
}

/* Reports a job that could not start, and frees it. */
static void not_started(tt_hooks *h, job *j, int err) {
  char text[200];
  snprintf(text, sizeof text, "could not start %s: %s",
           h->o.shell ? h->o.shell : DEF_SHELL, uv_strerror(err));
  tt_hook_report r = { .outcome = TT_HOOK_NOT_STARTED, .error = err,
                       .text = text };
  report_job(h, j, &r);
  free(j);
}

/* Starts j: sh -c COMMAND in a session (so a process group) of its own,
 * stdin from /dev/null, stdout and stderr into one pipe. */
static void start(tt_hooks *h, job *j) {
  uv_file fds[2];
  char **env;
  int r;
  hook *k = calloc(1, sizeof *k);
  if (k == NULL) {
    not_started(h, j, UV_ENOMEM);
    return;
  }
  if ((r = uv_pipe(fds, 0, 0)) < 0) {
    free(k);
    not_started(h, j, r);
    return;
  }
  if ((env = make_env(j)) == NULL) {
    close(fds[0]);
    close(fds[1]);
    free(k);
    not_started(h, j, UV_ENOMEM);
    return;
  }
  char *args[] = { "sh", "-c", j->command, NULL };
  uv_stdio_container_t stdio[3] = {
    { .flags = UV_IGNORE },
    { .flags = UV_INHERIT_FD, .data.fd = fds[1] },
    { .flags = UV_INHERIT_FD, .data.fd = fds[1] },
  };
  uv_process_options_t po = {
    .exit_cb = exit_cb,
    .file = h->o.shell ? h->o.shell : DEF_SHELL,
    .args = args,
    .env = env,
    .flags = UV_PROCESS_DETACHED,
    .stdio_count = 3,
    .stdio = stdio,
  };
  k->h = h;
  k->job = j;
  uv_pipe_init(h->loop, &k->out, 0);
  uv_timer_init(h->loop, &k->timer);
  /* uv_spawn makes proc a handle to close whether it succeeds or not. */
  r = uv_spawn(h->loop, &k->proc, &po);
  k->proc.data = k->out.data = k->timer.data = k;
  k->open = 3;
  h->open++;
  close(fds[1]);
  free(env);
  if (r < 0) {
    close(fds[0]);
    k->reported = true;
    close_hook(k);
    not_started(h, j, r);
    k->job = NULL;
    return;
  }
  k->started_ms = uv_now(h->loop);
  k->next = h->running;
  if (h->running != NULL)
    h->running->prev = k;
  h->running = k;
  h->nrunning++;
  h->st.started++;
  /* Without its output, a hook is still run, reaped and reported. */
  if (uv_pipe_open(&k->out, fds[0]) < 0) {
    close(fds[0]);
    k->eof = true;
  } else if (uv_read_start((uv_stream_t *)&k->out, alloc_cb, read_cb) < 0) {
    k->eof = true;
  }
  uv_timer_start(&k->timer, deadline_cb, j->timeout_ms, 0);
}

static void start_next(tt_hooks *h) {
  while (!h->closing && h->head != NULL && h->nrunning < h->o.limit) {
    job *j = h->head;
    h->head = j->next;
    if (h->head == NULL)
      h->tail = NULL;
    h->queued--;
    start(h, j);
  }
  /* The queue has room again: the drops in the meantime are said. */
  if (h->queued < h->o.queue) {
    report_drops(h, "the queue was full");
    h->full_said = false;
  }
  maybe_closed(h);
}

/* ---- the API ----------------------------------------------------------- */

int tt_hooks_new(uv_loop_t *loop, const tt_hooks_opts *o, tt_hooks **out) {
  tt_hooks *h = calloc(1, sizeof *h);
  if (h == NULL)
    return UV_ENOMEM;
  h->loop = loop;
  if (o != NULL)
    h->o = *o;
  if (h->o.limit == 0)
    h->o.limit = DEF_LIMIT;
  if (h->o.queue == 0)
    h->o.queue = TT_HOOK_QUEUE;
  *out = h;
  return 0;
}

void tt_hooks_on_event(tt_hooks *h, const tt_event *ev) {
  if (ev->kind != TT_EVENT_STATE || ev->view->target->on_change == NULL ||
      h->closing)
    return;
  job *j = make_job(ev);
  if (j == NULL) {
    h->dropped_unsaid++;
    report_drops(h, "out of memory");
    return;
  }
  if (h->nrunning < h->o.limit && h->head == NULL) {
    start(h, j);
    return;
  }
  if (h->queued >= h->o.queue) {
    /* The first drop is said at once, with its target; the next ones
     * when the queue has room again, in one report. */
    if (!h->full_said) {
      char text[160];
      snprintf(text, sizeof text, "not run: %zu hooks were already waiting",
               h->queued);
      tt_hook_report r = { .outcome = TT_HOOK_DROPPED, .dropped = 1,
                           .text = text };
      h->full_said = true;
      report_job(h, j, &r);
    } else {
      h->dropped_unsaid++;
    }
    free(j);
    return;
  }
  if (h->tail != NULL)
    h->tail->next = j;
  else
    h->head = j;
  h->tail = j;
  h->queued++;
}

void tt_hooks_set_limit(tt_hooks *h, uint32_t limit) {
  h->o.limit = limit ? limit : DEF_LIMIT;
  start_next(h);
}

uint32_t tt_hooks_limit_of(const tt_config *cfg) {
  if (cfg->ntargets == 0 || cfg->targets[0].hook_limit == 0)
    return DEF_LIMIT;
  return cfg->targets[0].hook_limit;
}

void tt_hooks_stats_get(const tt_hooks *h, tt_hooks_stats *out) {
  *out = h->st;
  out->running = h->nrunning;
  out->queued = h->queued;
}

void tt_hooks_kill(tt_hooks *h) {
  for (hook *k = h->running; k != NULL; k = k->next)
    if (!k->exited) {
      k->stopped = true;
      uv_kill(-k->proc.pid, SIGKILL);
    }
}

void tt_hooks_close(tt_hooks *h, void (*closed_cb)(void *arg), void *arg) {
  if (h->closing)
    return;
  h->closing = true;
  h->closed = (tt_on_closed){ closed_cb, arg };
  while (h->head != NULL) {
    job *j = h->head;
    h->head = j->next;
    free(j);
    h->dropped_unsaid++;
  }
  h->tail = NULL;
  h->queued = 0;
  report_drops(h, "the run ended first");
  maybe_closed(h);
}
