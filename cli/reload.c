/* reload.c - SIGHUP (and the dashboard's R): the file is read again in
 * libuv's thread pool and applied on the loop; a file with errors changes
 * nothing, and every output hears how it went. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* What a reload reports of one target that leaves or joins, with room to
 * spare: a removed event and a summary (some 650 bytes of JSON), or an
 * added event (some 150). */
#define TT_RELOAD_BYTES_PER_TARGET 1024

/* The outcome of a reload in every output; error is NULL when it worked. */
static void report_reload(tt_run *r, const char *error,
                          const tt_reload_report *rep) {
  /* The dashboard owns the terminal: stderr would scribble over it. */
  if (error != NULL && r->output != TT_OUT_DASHBOARD)
    fprintf(stderr, "tether: reload: %s\n", error);
  if (r->output == TT_OUT_JSON)
    tt_json_reload(&r->out, error, rep);
  else if (r->output == TT_OUT_PLAIN)
    tt_plain_reload(&r->out, error, rep);
  else if (r->dash != NULL)
    tt_dashboard_reloaded(r->dash, error == NULL ? rep : NULL, error);
  if (r->has_log)
    tt_json_reload(&r->log, error, rep);
}

/* SIGHUP re-reads the configuration file (PRODUCT.md "Reload"): a file
 * with errors changes nothing; the errors are reported and the run goes
 * on. */
/* A reload in progress: the file is read and checked in libuv's thread
 * pool (10 000 targets take tens of milliseconds, which the loop's
 * heartbeats must not wait for); what it found is applied on the loop. */
typedef struct tt_reloading {
  uv_work_t work;
  tt_run *r;
  tt_config cfg;
  int rc;
  char error[1024];
} tt_reloading;

static void reload_work_cb(uv_work_t *w) {
  tt_reloading *rl = w->data;
  rl->rc = tt_run_load_config(rl->r, &rl->cfg, NULL, 0, true, rl->error,
                       sizeof rl->error);
}

static void apply_reload(tt_run *r, tt_config *next);

static void reload_done_cb(uv_work_t *w, int status) {
  tt_reloading *rl = w->data;
  tt_run *r = rl->r;
  tt_reload_report rep = { 0 };
  r->reloading = false;
  if (r->stopping || status < 0) {
    if (rl->rc == 0)
      tt_config_free(&rl->cfg);
  } else if (rl->rc != 0) {
    report_reload(r, rl->error, &rep);
  } else {
    apply_reload(r, &rl->cfg);
  }
  free(rl);
  if (r->reload_again && !r->stopping) {
    /* A SIGHUP came while the file was being read: it may have changed
     * since. */
    r->reload_again = false;
    tt_run_reload(r);
  }
}

void tt_run_reload(tt_run *r) {
  tt_reload_report rep = { 0 };
  if (r->stopping)
    return;
  if (r->opt.file == NULL) {
    report_reload(r, "there is no configuration file to read again", &rep);
    return;
  }
  if (r->reloading) {
    r->reload_again = true;
    return;
  }
  tt_reloading *rl = calloc(1, sizeof *rl);
  if (rl == NULL) {
    report_reload(r, "out of memory", &rep);
    return;
  }
  rl->r = r;
  rl->work.data = rl;
  if (uv_queue_work(&r->loop, &rl->work, reload_work_cb, reload_done_cb) < 0) {
    free(rl);
    report_reload(r, "cannot read the file now", &rep);
    return;
  }
  r->reloading = true;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "target" event of every target the reload changed: its new
 * settings, for a replay of the JSON. */
static void announce_changed(tt_run *r, tt_reload_report *rep) {
  if (rep->nchanged == 0 || (r->output != TT_OUT_JSON && !r->has_log))
    return;
  uint64_t now = tt_wall_us();
  qsort(rep->changed, rep->nchanged, sizeof *rep->changed, cmp_name);
  for (size_t i = 0; i < tt_engine_size(r->engine); i++) {
    const tt_view *v = tt_engine_view(r->engine, i);
    const char *name = v != NULL ? v->target->name : NULL;
    if (name == NULL || bsearch(&name, rep->changed, rep->nchanged,
                                sizeof *rep->changed, cmp_name) == NULL)
      continue;
    if (r->output == TT_OUT_JSON)
      tt_json_target(&r->out, v, now);
    if (r->has_log)
      tt_json_target(&r->log, v, now);
  }
}

static void apply_reload(tt_run *r, tt_config *loaded) {
  tt_reload_report rep = { 0 };
  char error[256];
  tt_config next = *loaded;
  if (tt_run_ensure_descriptors(next.ntargets) != 0) {
    snprintf(error, sizeof error, "%zu targets do not fit in the "
             "descriptor limit", next.ntargets);
    report_reload(r, error, &rep);
    tt_config_free(&next);
    return;
  }
  /* Room for every target that leaves and every one that joins, all
   * reported in the loop pass of the reload. */
  size_t burst = (tt_engine_size(r->engine) + next.ntargets) *
                 TT_RELOAD_BYTES_PER_TARGET;
  tt_sink_make_room(&r->out, burst);
  if (r->has_log)
    tt_sink_make_room(&r->log, burst);
  /* Targets the start has not announced yet are, as they were, before
   * the reload reports on them. */
  tt_run_feed_all(r);
  int err = tt_engine_reload(r->engine, &next, &rep);
  if (err < 0) {
    report_reload(r, uv_strerror(err), &rep);
    tt_config_free(&next);
    return;
  }
  /* The engine now uses the new config's targets only. */
  tt_config_free(&r->cfg);
  r->cfg = next;
  tt_plain_init(&r->plain, &r->out, &r->cfg);
  if (r->hooks != NULL)
    tt_hooks_set_limit(r->hooks, tt_hooks_limit_of(&r->cfg));
  report_reload(r, NULL, &rep);
  announce_changed(r, &rep);
  tt_reload_report_free(&rep);
}
