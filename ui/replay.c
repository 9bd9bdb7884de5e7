/* replay.c - a recorded log opened for replay: the one pass over it
 * (replay_build.c) and what the events do to the targets' slots, through
 * core/view.c as in the live run; the views as a provider. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay_index.h"
#include "view.h"

#define MIN_STRIDE 16384

/* Target i starts afresh at time t: a run's start, an added target, a
 * new address (its statistics restart, as in the engine). */
static void start(tt_replay *r, size_t i, uint32_t def, uint64_t t) {
  tt_rp_slot *s = &r->slots[i];
  tt_view_free(&s->view);
  tt_view_init(&s->view, &r->defs[def].t, i);
  s->view.state_since_ms = t / 1000;
  s->view.state_since_us = t;
  s->def = def;
  s->present = true;
  s->ended = false;
}

/* A recorded event as the engine reported it (view unset); false for
 * the kinds an engine does not report (target, summary, dropped). */
static bool to_event(const tt_rp_event *ev, uint64_t t, tt_event *out) {
  static const int kinds[] = {
    [TT_RP_HEARTBEAT] = TT_EVENT_HEARTBEAT, [TT_RP_LATE] = TT_EVENT_LATE,
    [TT_RP_STATE] = TT_EVENT_STATE, [TT_RP_RECONNECT] = TT_EVENT_RECONNECT,
    [TT_RP_ADDED] = TT_EVENT_ADDED, [TT_RP_REMOVED] = TT_EVENT_REMOVED,
    [TT_RP_TLS] = TT_EVENT_TLS, [TT_RP_TARGET] = -1, [TT_RP_SUMMARY] = -1,
    [TT_RP_DROPPED] = -1, [TT_RP_OTHER] = -1,
  };
  if (kinds[ev->kind] < 0)
    return false;
  *out = (tt_event){
    .kind = (tt_event_kind)kinds[ev->kind],
    .ts_us = t,
    .seq = ev->seq,
    .cls = ev->cls,
    .has_rtt = ev->has_rtt,
    .rtt_us = ev->rtt_us,
    .has_reply = ev->has_reply,
    .reply_us = ev->reply_us,
    .has_tls = ev->has_tls,
    .tls_us = ev->tls_us,
    .from = ev->from,
    .to = ev->to,
    .error = ev->error,
  };
  return true;
}

bool tt_replay_event_of(const tt_replay *r, const tt_replay_event *e,
                        tt_event *out) {
  if (e->target >= r->n || !to_event(e->ev, e->t_us, out))
    return false;
  out->view = &r->slots[e->target].view;
  return true;
}

void tt_rp_apply(tt_replay *r, const tt_rp_event *ev, uint64_t t) {
  size_t i = ev->has_target ? tt_rp_lookup(r, ev->target) : SIZE_MAX;
  if (i == SIZE_MAX || ev->kind == TT_RP_OTHER || ev->kind == TT_RP_DROPPED)
    return;
  tt_rp_slot *s = &r->slots[i];
  /* Leaving, and its last words: the settings stay as they were. */
  if (ev->kind == TT_RP_REMOVED || ev->kind == TT_RP_SUMMARY) {
    if (ev->kind == TT_RP_REMOVED)
      s->present = false;
    else
      s->ended = true;
    return;
  }
  bool running = s->present && !s->ended;
  uint32_t def = s->def;
  bool moved = false;
  /* Most events are of a running target, at the address it has. */
  if (!running || ev->has_settings ||
      (ev->address[0] != '\0' &&
       strcmp(ev->address, r->defs[def].t.address) != 0)) {
    def = tt_rp_def_for(r, i, ev, running ? s->def : NONE);
    moved = def != s->def &&
            strcmp(r->defs[def].t.address, r->defs[s->def].t.address) != 0;
  }

  switch (ev->kind) {
  case TT_RP_TARGET:
  case TT_RP_ADDED:
    /* A running target restated (a reload changed it) keeps its view
     * unless its address changed. */
    if (!running || moved || ev->kind == TT_RP_ADDED)
      start(r, i, def, t);
    break;
  case TT_RP_HEARTBEAT:
    /* A heartbeat numbered back: the target started again without
     * saying so (a run killed before its summaries, then another; an
     * older tether's reload to another address). */
    if (!running || ev->seq <= s->view.seq)
      start(r, i, def, t);
    break;
  default:
    if (!running)
      start(r, i, def, t);
    break;
  }
  s->def = def;
  s->view.target = &r->defs[def].t;
  if (ev->ip[0] != '\0')
    memcpy(s->view.ip, ev->ip, sizeof s->view.ip);

  tt_event e;
  if (ev->kind <= TT_RP_RECONNECT && to_event(ev, t, &e))
    tt_view_apply(&s->view, &e);
}

int tt_replay_open(const char *path, const tt_replay_opts *opts,
                   tt_replay **out) {
  struct stat st;
  int err;
  *out = NULL;
  tt_replay *r = calloc(1, sizeof *r);
  if (r == NULL)
    return -ENOMEM;
  if (opts != NULL)
    r->opts = *opts;
  if (r->opts.budget == 0)
    r->opts.budget = TT_REPLAY_BUDGET;
  r->info.stride = r->opts.min_stride ? r->opts.min_stride : MIN_STRIDE;
  if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
    err = -errno;
    free(r);
    return err;
  }
  if (fstat(r->fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    err = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
    goto fail;
  }
  if ((err = tt_rp_stream_open(&r->cursor.s, r->fd)) < 0)
    goto fail;
  r->cursor.ready = true;
  r->info.gzip = r->cursor.s.gzip;
  if ((err = tt_rp_build(r, (uint64_t)st.st_size)) < 0)
    goto fail;
  if ((err = tt_rp_rewind(r)) < 0)
    goto fail;
  *out = r;
  return 0;
fail:
  tt_replay_close(r);
  return err;
}

void tt_replay_close(tt_replay *r) {
  if (r == NULL)
    return;
  if (r->cursor.ready)
    tt_rp_stream_close(&r->cursor.s);
  if (r->scan.ready)
    tt_rp_stream_close(&r->scan.s);
  for (size_t i = 0; i < r->nmarks; i++)
    tt_rp_mark_free(&r->marks[i]);
  for (size_t i = 0; i < r->ndefs; i++)
    tt_rp_def_free(&r->defs[i]);
  free(r->marks);
  free(r->defs);
  for (size_t i = 0; i < r->n; i++)
    tt_view_free(&r->slots[i].view);
  free(r->slots);
  free(r->first_def);
  free(r->hash);
  if (r->fd >= 0)
    close(r->fd);
  free(r);
}

void tt_replay_info_get(const tt_replay *r, tt_replay_info *info) {
  *info = r->info;
  info->targets = r->n;
  info->checkpoints = r->nmarks;
  info->index_bytes = r->mark_bytes + r->nmarks * sizeof(tt_rp_mark) +
                      r->ndefs * sizeof(tt_rp_def) +
                      r->n * (sizeof(tt_rp_slot) + sizeof(uint32_t)) +
                      (r->hash_mask + 1) * sizeof(uint32_t);
}

size_t tt_replay_size(const tt_replay *r) {
  return r->n;
}

const tt_view *tt_replay_view(const tt_replay *r, size_t i) {
  return i < r->n && r->slots[i].present ? &r->slots[i].view : NULL;
}

const tt_view *tt_replay_view_fn(void *src, size_t i) {
  return tt_replay_view(src, i);
}

bool tt_replay_interval_guessed(const tt_replay *r, size_t i) {
  return i < r->n && r->defs[r->slots[i].def].guessed;
}

size_t tt_replay_find(const tt_replay *r, const char *name) {
  return tt_rp_lookup(r, name);
}
