/* engine.c - the sessions of every target on one loop: their start,
 * spread over the interval, their stop, and the events they report. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rng.h"
#include "session.h"

uint64_t tt_wall_us(void) {
  uv_timeval64_t tv;
  if (uv_gettimeofday(&tv) != 0)
    return 0;
  return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

uint64_t tt_view_time_in_state(const tt_view *v, tt_state s, uint64_t now_ms) {
  uint64_t t = v->time_in_state_ms[s];
  if (v->state == s && now_ms > v->state_since_ms)
    t += now_ms - v->state_since_ms;
  return t;
}

int tt_engine_new(uv_loop_t *loop, const tt_config *cfg,
                  const tt_engine_opts *opts, tt_engine **out) {
  tt_engine *e = calloc(1, sizeof *e);
  if (e == NULL)
    return UV_ENOMEM;
  e->loop = loop;
  e->cfg = cfg;
  if (opts != NULL)
    e->opts = *opts;
  e->rng = e->opts.seed ? e->opts.seed
                        : (uv_hrtime() ^ ((uint64_t)getpid() << 32));
  if (e->rng == 0)
    e->rng = TT_RNG_SEED_FALLBACK;

  e->sessions = calloc(cfg->ntargets ? cfg->ntargets : 1, sizeof *e->sessions);
  if (e->sessions == NULL) {
    free(e);
    return UV_ENOMEM;
  }
  for (size_t i = 0; i < cfg->ntargets; i++) {
    e->sessions[i] = tt_session_new(e, &cfg->targets[i], i);
    if (e->sessions[i] == NULL) {
      tt_engine_free(e);
      return UV_ENOMEM;
    }
    e->n++;
  }
  *out = e;
  return 0;
}

int tt_engine_start(tt_engine *e) {
  if (e->started || e->stopping)
    return UV_EALREADY;
  int r = tt_resolver_new(e->loop, &e->resolver);
  if (r < 0)
    return r;
  if (e->opts.dns_servers != NULL &&
      (r = tt_resolver_set_servers(e->resolver, e->opts.dns_servers)) < 0) {
    tt_resolver_close(e->resolver, NULL, NULL);
    e->resolver = NULL;
    return r;
  }
  e->live++;
  e->started = true;
  /* The loop's clock may be stale (loading a large config takes a while):
   * spreading from a stale "now" would bunch the first slots together. */
  uv_update_time(e->loop);
  e->start_ms = uv_now(e->loop);
  /* Each target's slots sit at its own phase of the interval, the phases
   * spread evenly over all targets, so that many targets never fire in
   * one burst. */
  for (size_t i = 0; i < e->n; i++) {
    uint64_t interval = e->sessions[i]->t->interval_ms;
    tt_session_start(e->sessions[i], interval * i / e->n);
  }
  if (e->n == 0 && e->opts.on_finished != NULL)
    e->opts.on_finished(e, e->opts.arg);
  return 0;
}

static void notify_stopped(tt_engine *e) {
  tt_engine_cb cb = e->stopped_cb;
  e->stopped_cb = NULL;
  if (cb != NULL)
    cb(e, e->stopped_arg);
}

static void resolver_closed_cb(void *arg) {
  tt_engine_handle_closed(arg);
}

void tt_engine_stop(tt_engine *e, tt_engine_cb stopped_cb, void *arg) {
  if (e->stopping)
    return;
  e->stopping = true;
  e->stopped_cb = stopped_cb;
  e->stopped_arg = arg;
  for (size_t i = 0; i < e->n; i++)
    tt_session_stop(e->sessions[i]);
  tt_conn_linger_stop(e);
  /* Every session has let go of its lookup: nothing is cut short. */
  if (e->resolver != NULL) {
    tt_resolver *r = e->resolver;
    e->resolver = NULL;
    tt_resolver_close(r, resolver_closed_cb, e);
  }
  if (e->live == 0)
    notify_stopped(e);
}

void tt_engine_free(tt_engine *e) {
  if (e == NULL)
    return;
  for (size_t i = 0; i < e->n; i++)
    tt_session_free(e->sessions[i]);
  free(e->sessions);
  free(e);
}

uint64_t tt_engine_skipped(const tt_engine *e) {
  return e->skipped;
}

size_t tt_engine_size(const tt_engine *e) {
  return e->n;
}

const tt_view *tt_engine_view(const tt_engine *e, size_t i) {
  return i < e->n ? &e->sessions[i]->view : NULL;
}

void tt_engine_reconnect(tt_engine *e, size_t i) {
  if (i < e->n && e->started && !e->stopping)
    tt_session_reconnect(e->sessions[i]);
}

void tt_engine_emit(tt_engine *e, tt_event *ev) {
  if (e->opts.on_event != NULL)
    e->opts.on_event(ev, e->opts.arg);
}

void tt_engine_session_finished(tt_engine *e) {
  e->finished++;
  if (e->finished == e->n && e->opts.on_finished != NULL)
    e->opts.on_finished(e, e->opts.arg);
}

void tt_engine_handle_closed(tt_engine *e) {
  e->live--;
  if (e->stopping && e->live == 0)
    notify_stopped(e);
}

uint64_t tt_engine_random(tt_engine *e) {
  return tt_rng_next(&e->rng);
}
