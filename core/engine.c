/* engine.c - the sessions of every target on one loop: their start at
 * phases spread over the interval, targets that come and go (reload,
 * addresses: all), their stop, and the events they report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "phase.h"
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

/* ---- sessions by number -------------------------------------------------- */

enum { TT_PAGE_BITS = 8, TT_PAGE = 1 << TT_PAGE_BITS };

typedef struct tt_page {
  size_t held;                  /* sessions in it */
  tt_session *s[TT_PAGE];
} tt_page;

tt_session *tt_engine_session(const tt_engine *e, size_t i) {
  if (i >= e->n)
    return NULL;
  const tt_page *p = e->pages[i >> TT_PAGE_BITS];
  return p != NULL ? p->s[i & (TT_PAGE - 1)] : NULL;
}

/* The first session numbered i or more (*i set to its number), or NULL:
 * pages that were freed are passed over whole. */
static tt_session *next_session(const tt_engine *e, size_t *i) {
  for (size_t k = *i; k < e->n;) {
    const tt_page *p = e->pages[k >> TT_PAGE_BITS];
    if (p == NULL) {
      k = (k | (TT_PAGE - 1)) + 1;
      continue;
    }
    if (p->s[k & (TT_PAGE - 1)] != NULL) {
      *i = k;
      return p->s[k & (TT_PAGE - 1)];
    }
    k++;
  }
  return NULL;
}

#define FOR_EACH_SESSION(e, i, s) \
  for (size_t i = 0; ((s) = next_session((e), &i)) != NULL; i++)

/* A new number for a session; numbers are never given twice. */
static int take_number(tt_engine *e, size_t *index) {
  size_t page = e->n >> TT_PAGE_BITS;
  if ((e->n & (TT_PAGE - 1)) == 0) {
    tt_page **v = tt_grow(e->pages, &e->cap, page, sizeof *v, 4);
    if (v == NULL)
      return UV_ENOMEM;
    e->pages = v;
    if ((v[page] = calloc(1, sizeof *v[page])) == NULL)
      return UV_ENOMEM;
  }
  *index = e->n++;
  return 0;
}

/* Puts s (NULL: none any more) at number i, which was taken. */
static void set_session(tt_engine *e, size_t i, tt_session *s) {
  tt_page *p = e->pages[i >> TT_PAGE_BITS];
  tt_session **at = &p->s[i & (TT_PAGE - 1)];
  p->held += (s != NULL) - (*at != NULL);
  *at = s;
  /* Every number of a full page left: nothing will live there again. */
  if (p->held == 0 && (i >> TT_PAGE_BITS) < (e->n >> TT_PAGE_BITS)) {
    free(p);
    e->pages[i >> TT_PAGE_BITS] = NULL;
  }
}

/* ---- joining a running engine --------------------------------------------- */

/* A started session's interval and phase, or a joiner's interval and its
 * place in the list. */
typedef struct tt_iv_key {
  uint64_t interval, key;
} tt_iv_key;

static int cmp_iv_key(const void *a, const void *b) {
  const tt_iv_key *x = a, *y = b;
  if (x->interval != y->interval)
    return x->interval < y->interval ? -1 : 1;
  return x->key < y->key ? -1 : x->key > y->key;
}

/* Phases for the joiners j[0..n-1] (phase[k] for j[k]; a joiner that is
 * gone or started already gets none): per interval, the gaps between the
 * phases of the sessions running on it shared out at once (phase.h), the
 * joiners in list order taking them in increasing order, as a start
 * spreads its targets in config order. One pass over the sessions and
 * one sort, however many join: placing them one by one would sort every
 * session's phase for each. */
static int place_joiners(tt_engine *e, const tt_joiner *j, size_t n,
                         uint64_t *phase) {
  tt_iv_key *join = malloc(n * sizeof *join);
  tt_iv_key *run = malloc((e->count ? e->count : 1) * sizeof *run);
  uint64_t *taken = malloc((e->count ? e->count : 1) * sizeof *taken);
  uint64_t *out = malloc(n * sizeof *out);
  int r = UV_ENOMEM;
  if (join == NULL || run == NULL || taken == NULL || out == NULL)
    goto done;
  size_t m = 0, nrun = 0;
  for (size_t k = 0; k < n; k++) {
    tt_session *s = tt_engine_session(e, j[k].index);
    if (s != NULL && s->timer.loop == NULL)
      join[m++] = (tt_iv_key){ s->t->interval_ms, k };
  }
  qsort(join, m, sizeof *join, cmp_iv_key);
  tt_session *s;
  FOR_EACH_SESSION(e, i, s)
    if (s->timer.loop != NULL)
      run[nrun++] = (tt_iv_key){ s->t->interval_ms, tt_session_phase(s) };
  qsort(run, nrun, sizeof *run, cmp_iv_key);
  for (size_t a = 0, ra = 0; a < m;) {
    uint64_t iv = join[a].interval;
    size_t b = a, nt = 0;
    while (b < m && join[b].interval == iv)
      b++;
    while (ra < nrun && run[ra].interval < iv)
      ra++;
    for (; ra < nrun && run[ra].interval == iv; ra++)
      taken[nt++] = run[ra].key;
    if ((r = tt_phase_place(taken, nt, iv, out, b - a)) < 0)
      goto done;
    for (size_t k = a; k < b; k++)
      phase[join[k].key] = out[k - a];
    a = b;
  }
  r = 0;
done:
  free(join);
  free(run);
  free(taken);
  free(out);
  return r;
}

/* Starts the joiners j[0..n-1] (announcing the new ones) at phases of
 * their own. */
static void start_list(tt_engine *e, const tt_joiner *j, size_t n) {
  uint64_t *phase = malloc((n ? n : 1) * sizeof *phase);
  bool placed = phase != NULL && place_joiners(e, j, n, phase) == 0;
  for (size_t k = 0; k < n; k++) {
    tt_session *s = tt_engine_session(e, j[k].index);
    /* An event's callback may stop the engine: the rest never start. */
    if (e->stopping)
      break;
    if (s == NULL || s->timer.loop != NULL)
      continue;
    /* Out of memory, a random phase: bunched perhaps, but running. */
    tt_session_start(s, placed ? phase[k]
                               : tt_engine_random(e) % s->t->interval_ms);
    if (j[k].announce) {
      tt_event ev = { .kind = TT_EVENT_ADDED, .view = &s->view,
                      .ts_us = tt_wall_us(), .error = "" };
      tt_engine_emit(e, &ev);
    }
  }
  free(phase);
}

static void start_joiners(tt_engine *e) {
  tt_joiner *j = e->joining;
  size_t n = e->njoining;
  e->joining = NULL;
  e->njoining = e->joining_cap = 0;
  start_list(e, j, n);
  free(j);
}

/* Session i joins the running engine: at once, or at the batch's end. */
static void join(tt_engine *e, size_t i, bool announce) {
  tt_joiner one = { i, announce };
  tt_joiner *v = tt_grow(e->joining, &e->joining_cap, e->njoining, sizeof *v,
                         16);
  if (v == NULL) {
    start_list(e, &one, 1); /* no room to wait: at once, on its own */
    return;
  }
  e->joining = v;
  v[e->njoining++] = one;
  if (e->batch == 0)
    start_joiners(e);
}

void tt_engine_batch_begin(tt_engine *e) {
  e->batch++;
}

void tt_engine_batch_end(tt_engine *e) {
  if (--e->batch == 0 && e->njoining > 0)
    start_joiners(e);
}

int tt_engine_add_session(tt_engine *e, const tt_target *t, tt_target *owned,
                          size_t *index) {
  size_t i;
  int r = take_number(e, &i);
  if (r < 0)
    return r;
  tt_session *s = tt_session_new(e, t, i);
  if (s == NULL) {
    set_session(e, i, NULL); /* the number is given, and left */
    return UV_ENOMEM;
  }
  s->owned = owned;
  set_session(e, i, s);
  e->count++;
  if (index != NULL)
    *index = i;
  if (e->started && !e->stopping)
    join(e, i, true);
  return 0;
}

/* ---- leaving a running engine --------------------------------------------- */

/* Sessions that left are closed this many a loop pass at most: closing
 * one costs some 10 us (its connection's TCP close, its timer out of the
 * heap, then the frees), and a reload that replaces 10 000 targets would
 * otherwise hold every heartbeat for a tenth of a second. */
#define TT_CLOSE_CHUNK 256

static void closer_cb(uv_idle_t *h) {
  tt_engine *e = h->data;
  for (size_t k = 0; k < TT_CLOSE_CHUNK && e->retired_head < e->nretired;
       k++)
    tt_session_close_retired(e->retired[e->retired_head++]);
  if (e->retired_head == e->nretired) {
    e->retired_head = e->nretired = 0;
    uv_idle_stop(h);
  }
}

/* Session s left the engine (it is no longer numbered): it stops
 * reporting at once, and closes in a later loop pass. */
static void leave(tt_engine *e, tt_session *s) {
  if (!e->started || e->stopping || s->timer.loop == NULL) {
    tt_session_remove(s);
    return;
  }
  tt_session **v = tt_grow(e->retired, &e->retired_cap, e->nretired,
                           sizeof *v, 64);
  if (v == NULL) {
    tt_session_remove(s); /* no room to wait: closed now */
    return;
  }
  e->retired = v;
  tt_session_retire(s);
  v[e->nretired++] = s;
  uv_idle_start(&e->closer, closer_cb);
}

void tt_engine_remove_session(tt_engine *e, size_t i) {
  tt_session *s = tt_engine_session(e, i);
  if (s == NULL)
    return;
  if (e->started) {
    tt_event ev = { .kind = TT_EVENT_REMOVED, .view = &s->view,
                    .ts_us = tt_wall_us(), .error = "" };
    tt_engine_emit(e, &ev);
  }
  set_session(e, i, NULL);
  e->count--;
  if (s->view.finished)
    e->finished--;
  leave(e, s);
}

/* ---- configured targets --------------------------------------------------- */

static void entry_drop(tt_engine *e, tt_entry *en) {
  if (en->group != NULL)
    tt_group_remove(en->group);
  else
    tt_engine_remove_session(e, en->index);
  en->group = NULL;
  en->index = SIZE_MAX;
}

static int entry_add(tt_engine *e, tt_entry *en, const tt_target *t) {
  en->t = t;
  en->index = SIZE_MAX;
  en->group = NULL;
  if (t->addresses == TT_ADDRESSES_ALL)
    return tt_group_new(e, t, &en->group);
  return tt_engine_add_session(e, t, NULL, &en->index);
}

int tt_engine_new(uv_loop_t *loop, const tt_config *cfg,
                  const tt_engine_opts *opts, tt_engine **out) {
  tt_engine *e = calloc(1, sizeof *e);
  if (e == NULL)
    return UV_ENOMEM;
  e->loop = loop;
  if (opts != NULL)
    e->opts = *opts;
  e->rng = e->opts.seed ? e->opts.seed
                        : (uv_hrtime() ^ ((uint64_t)getpid() << 32));
  if (e->rng == 0)
    e->rng = TT_RNG_SEED_FALLBACK;

  e->entries = calloc(cfg->ntargets ? cfg->ntargets : 1, sizeof *e->entries);
  if (e->entries == NULL) {
    free(e);
    return UV_ENOMEM;
  }
  for (size_t i = 0; i < cfg->ntargets; i++) {
    int r = entry_add(e, &e->entries[i], &cfg->targets[i]);
    if (r < 0) {
      tt_engine_free(e);
      return r;
    }
    e->nentries++;
  }
  *out = e;
  return 0;
}

/* The running targets by name, for a reload to pair them with the new
 * config's in one pass (10 000 of them, compared each with each, would
 * hold the loop for a while). Open addressing; 0 is a free slot, i + 1
 * entry i. */
typedef struct names {
  uint32_t *slot;
  size_t mask;
} names;

static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static int names_build(names *nm, const tt_entry *entries, size_t n) {
  size_t cap = 16;
  while (cap < 2 * n)
    cap *= 2;
  nm->slot = calloc(cap, sizeof *nm->slot);
  nm->mask = cap - 1;
  if (nm->slot == NULL)
    return UV_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    size_t k = hash_name(entries[i].t->name) & nm->mask;
    while (nm->slot[k] != 0)
      k = (k + 1) & nm->mask;
    nm->slot[k] = (uint32_t)i + 1;
  }
  return 0;
}

/* The entry named name among e's not yet paired, or NULL. */
static tt_entry *find_entry(tt_engine *e, const names *nm, const char *name,
                            bool *used) {
  for (size_t k = hash_name(name) & nm->mask; nm->slot[k] != 0;
       k = (k + 1) & nm->mask) {
    size_t i = nm->slot[k] - 1;
    if (!used[i] && strcmp(e->entries[i].t->name, name) == 0) {
      used[i] = true;
      return &e->entries[i];
    }
  }
  return NULL;
}

/* Adds name to a list of the report; *cap is its room (doubled as it
 * fills: a reload may list 10 000 names). */
static void list_name(char ***list, size_t *count, size_t *cap,
                      const char *name) {
  char **v = tt_grow(*list, cap, *count, sizeof *v, 16);
  if (v == NULL)
    return; /* the report is short of a name; the reload is whole */
  *list = v;
  if ((v[*count] = strdup(name)) != NULL)
    (*count)++;
}

static void free_names(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void tt_reload_report_free(tt_reload_report *r) {
  free_names(r->added, r->nadded);
  free_names(r->removed, r->nremoved);
  free_names(r->changed, r->nchanged);
  memset(r, 0, sizeof *r);
}

static void free_tls_ctxs(tt_engine *e);

int tt_engine_reload(tt_engine *e, const tt_config *cfg,
                     tt_reload_report *out) {
  tt_reload_report rep = { 0 };
  size_t cap_added = 0, cap_removed = 0, cap_changed = 0;
  size_t n = cfg->ntargets;
  tt_entry *next = calloc(n ? n : 1, sizeof *next);
  tt_entry **pair = calloc(n ? n : 1, sizeof *pair);
  bool *used = calloc(e->nentries ? e->nentries : 1, sizeof *used);
  names nm = { NULL, 0 };
  if (next == NULL || pair == NULL || used == NULL ||
      names_build(&nm, e->entries, e->nentries) != 0) {
    free(next);
    free(pair);
    free(used);
    free(nm.slot);
    return UV_ENOMEM;
  }
  /* Pairs by name first (nothing changes yet), so that the targets that
   * left go before any joins: the new ones take their phases among the
   * targets that stay, not among those on their way out. */
  for (size_t i = 0; i < n; i++)
    pair[i] = find_entry(e, &nm, cfg->targets[i].name, used);
  free(nm.slot);
  /* A reload reads the CA files again (one may have been renewed under
   * the same name): the next handshakes make new contexts. A TLS
   * connection open now holds its own reference to the old one. */
  free_tls_ctxs(e);
  tt_engine_batch_begin(e);
  for (size_t i = 0; i < e->nentries; i++) {
    if (used[i])
      continue;
    list_name(&rep.removed, &rep.nremoved, &cap_removed,
              e->entries[i].t->name);
    entry_drop(e, &e->entries[i]);
  }
  for (size_t i = 0; i < n; i++) {
    const tt_target *t = &cfg->targets[i];
    tt_entry *old = pair[i];
    if (old == NULL) {
      if (entry_add(e, &next[i], t) == 0)
        list_name(&rep.added, &rep.nadded, &cap_added, t->name);
      continue;
    }
    uint32_t diff = tt_target_diff(old->t, t);
    next[i] = *old;
    next[i].t = t;
    if (diff == 0) {
      /* The same target in the new config: only where it lives moved. */
      if (old->group != NULL)
        tt_group_retarget(old->group, t);
      else
        tt_session_retarget(tt_engine_session(e, old->index), t);
      continue;
    }
    list_name(&rep.changed, &rep.nchanged, &cap_changed, t->name);
    bool same_address = !(diff & (TT_BIT(TT_SET_ADDRESS) |
                                  TT_BIT(TT_SET_HOST) | TT_BIT(TT_SET_PORT)));
    if (old->group != NULL || t->addresses == TT_ADDRESSES_ALL ||
        tt_engine_replace(e, old->index, t, same_address) != 0) {
      entry_drop(e, old);
      entry_add(e, &next[i], t);
    }
  }
  /* Every target that joined, placed at once. */
  tt_engine_batch_end(e);
  free(used);
  free(pair);
  free(e->entries);
  e->entries = next;
  e->nentries = n;
  if (out != NULL)
    *out = rep;
  else
    tt_reload_report_free(&rep);
  /* Targets removed may leave every remaining one finished. */
  if (e->started && e->finished == e->count && e->count > 0 &&
      e->opts.on_finished != NULL)
    e->opts.on_finished(e, e->opts.arg);
  return 0;
}

int tt_engine_replace(tt_engine *e, size_t i, const tt_target *t,
                      bool keep_stats) {
  tt_session *old = tt_engine_session(e, i);
  tt_session *s = tt_session_new(e, t, i);
  if (s == NULL)
    return UV_ENOMEM;
  if (keep_stats)
    tt_session_inherit(s, old);
  set_session(e, i, s);
  if (old->view.finished)
    e->finished--;
  uint64_t phase = tt_session_phase(old);
  bool started = old->timer.loop != NULL;
  bool same_interval = t->interval_ms == old->t->interval_ms;
  leave(e, old);
  /* On another interval it joins that interval's targets, at a phase
   * found among theirs. */
  if (started && same_interval)
    tt_session_start(s, phase);
  else if (started)
    join(e, i, false);
  return 0;
}

/* ---- TLS contexts ------------------------------------------------------------- */

/* One context per distinct ca_file, made on first use and shared by every
 * target naming it (the system's bundle costs hundreds of KiB once), until
 * the next reload. */
typedef struct tt_tls_ctxs {
  struct tt_tls_ctxs *next;
  tt_tls_ctx *ctx;
  char ca_file[]; /* "" for the system's CAs */
} tt_tls_ctxs;

tt_tls_ctx *tt_engine_tls_ctx(tt_engine *e, const char *ca_file, char *err,
                              size_t n) {
  const char *key = ca_file ? ca_file : "";
  for (tt_tls_ctxs *c = e->tls; c != NULL; c = c->next)
    if (strcmp(c->ca_file, key) == 0)
      return c->ctx;
  tt_tls_ctxs *c = malloc(sizeof *c + strlen(key) + 1);
  if (c == NULL) {
    snprintf(err, n, "out of memory");
    return NULL;
  }
  if (tt_tls_ctx_new(ca_file, &c->ctx, err, n) != 0) {
    free(c);
    return NULL;
  }
  strcpy(c->ca_file, key);
  c->next = e->tls;
  e->tls = c;
  return c->ctx;
}

static void free_tls_ctxs(tt_engine *e) {
  while (e->tls != NULL) {
    tt_tls_ctxs *c = e->tls;
    e->tls = c->next;
    tt_tls_ctx_free(c->ctx);
    free(c);
  }
}

/* ---- running ---------------------------------------------------------------- */

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
  uv_idle_init(e->loop, &e->closer);
  e->closer.data = e;
  e->live += 2; /* the resolver and the closer */
  e->started = true;
  /* The loop's clock may be stale (loading a large config takes a while):
   * spreading from a stale "now" would bunch the first slots together. */
  uv_update_time(e->loop);
  e->start_ms = uv_now(e->loop);
  /* Each target's slots sit at its own phase of the interval, the phases
   * spread evenly over all targets, so that many targets never fire in
   * one burst. */
  size_t k = 0;
  tt_session *s;
  FOR_EACH_SESSION(e, i, s)
    tt_session_start(s, s->t->interval_ms * k++ / e->count);
  for (size_t i = 0; i < e->nentries; i++)
    if (e->entries[i].group != NULL)
      tt_group_start(e->entries[i].group);
  if (e->count == 0 && e->opts.on_finished != NULL)
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

static void closer_closed_cb(uv_handle_t *h) {
  tt_engine_handle_closed(h->data);
}

void tt_engine_stop(tt_engine *e, tt_engine_cb stopped_cb, void *arg) {
  if (e->stopping)
    return;
  e->stopping = true;
  e->stopped_cb = stopped_cb;
  e->stopped_arg = arg;
  for (size_t i = 0; i < e->nentries; i++)
    if (e->entries[i].group != NULL)
      tt_group_stop(e->entries[i].group);
  tt_session *s;
  FOR_EACH_SESSION(e, i, s)
    tt_session_stop(s);
  /* Those that left and wait to be closed, now. */
  if (e->started) {
    while (e->retired_head < e->nretired)
      tt_session_close_retired(e->retired[e->retired_head++]);
    e->retired_head = e->nretired = 0;
    uv_close((uv_handle_t *)&e->closer, closer_closed_cb);
  }
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
  tt_session *s;
  FOR_EACH_SESSION(e, i, s)
    tt_session_free(s);
  for (size_t i = 0; i < e->nentries; i++)
    if (e->entries[i].group != NULL)
      tt_group_free(e->entries[i].group);
  free_tls_ctxs(e);
  free(e->joining);
  free(e->retired);
  for (size_t p = 0; p < (e->n + TT_PAGE - 1) >> TT_PAGE_BITS; p++)
    free(e->pages[p]);
  free(e->pages);
  free(e->entries);
  free(e);
}

size_t tt_engine_size(const tt_engine *e) {
  return e->n;
}

uint64_t tt_engine_skipped(const tt_engine *e) {
  return e->skipped;
}

const tt_view *tt_engine_view(const tt_engine *e, size_t i) {
  const tt_session *s = tt_engine_session(e, i);
  return s != NULL ? &s->view : NULL;
}

void tt_engine_reconnect(tt_engine *e, size_t i) {
  tt_session *s = tt_engine_session(e, i);
  if (s != NULL && e->started && !e->stopping)
    tt_session_reconnect(s);
}

void tt_engine_emit(tt_engine *e, tt_event *ev) {
  if (e->opts.on_event != NULL)
    e->opts.on_event(ev, e->opts.arg);
}

void tt_engine_session_finished(tt_engine *e) {
  e->finished++;
  if (e->finished == e->count && e->opts.on_finished != NULL)
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
