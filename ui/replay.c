/* replay.c - opening a recorded log: one pass that reads every event,
 * learns the targets and their settings, moves their views with
 * core/view.c and leaves checkpoints behind, thinned to fit the budget. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "grow.h"
#include "preset.h"
#include "replay_index.h"
#include "view.h"

#define MIN_STRIDE 16384
#define GAPS 15 /* heartbeat spacings kept to guess an interval */
#define MAX_VERSIONS 64 /* of one target's settings */

/* What only the pass that opens the log needs. */
typedef struct indexing {
  uint64_t *hb_last;   /* per target: time of its last heartbeat */
  uint32_t *gaps;      /* per target: GAPS spacings in ms */
  uint8_t *ngaps;
  uint64_t since;      /* events since the last checkpoint */
  bool pending;        /* a checkpoint is due (at an access point) */
} indexing;

/* ---- targets ----------------------------------------------------------- */

static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static const char *name_of(const tt_replay *r, size_t i) {
  return r->defs[r->first_def[i]].t.name;
}

size_t tt_rp_lookup(const tt_replay *r, const char *name) {
  if (r->hash == NULL)
    return SIZE_MAX;
  for (size_t k = hash_name(name) & r->hash_mask; r->hash[k] != 0;
       k = (k + 1) & r->hash_mask)
    if (strcmp(name_of(r, r->hash[k] - 1), name) == 0)
      return r->hash[k] - 1;
  return SIZE_MAX;
}

static void hash_insert(tt_replay *r, size_t i) {
  size_t k = hash_name(name_of(r, i)) & r->hash_mask;
  while (r->hash[k] != 0)
    k = (k + 1) & r->hash_mask;
  r->hash[k] = (uint32_t)i + 1;
}

/* Puts target n - 1 in the table, which grows to stay half empty. */
static int hash_add(tt_replay *r) {
  size_t cap = 64;
  while (cap < 2 * r->n)
    cap *= 2;
  if (r->hash == NULL || cap > r->hash_mask + 1) {
    uint32_t *h = calloc(cap, sizeof *h);
    if (h == NULL)
      return -ENOMEM;
    free(r->hash);
    r->hash = h;
    r->hash_mask = cap - 1;
    for (size_t i = 0; i + 1 < r->n; i++)
      hash_insert(r, i);
  }
  hash_insert(r, r->n - 1);
  return 0;
}

static void free_def(tt_rp_def *d) {
  free(d->t.name);
  free(d->t.address);
  free(d->t.host);
  if (d->owns_tags && d->t.tags != NULL) {
    free(d->t.tags[0]); /* one block holds them all */
    free(d->t.tags);
  }
}

static bool same_tags(const tt_target *t, const tt_rp_event *ev) {
  const char *p = ev->tags;
  if (t->ntags != ev->ntags)
    return false;
  for (size_t i = 0; i < t->ntags; p += strlen(p) + 1, i++)
    if (strcmp(t->tags[i], p) != 0)
      return false;
  return true;
}

/* Whether d is what ev says of its target (base: the version in use). */
static bool def_is(const tt_rp_def *d, const tt_rp_event *ev,
                   const tt_rp_def *base) {
  if (strcmp(d->t.address, ev->address[0] ? ev->address
                                          : base ? base->t.address : "") != 0)
    return false;
  if (!ev->has_settings)
    return base == NULL ? d->guessed
                        : d->guessed == base->guessed &&
                            d->t.mode == base->t.mode &&
                            d->t.preset == base->t.preset &&
                            d->t.interval_ms == base->t.interval_ms &&
                            d->t.timeout_ms == base->t.timeout_ms &&
                            d->t.tags == base->t.tags;
  const tt_preset *p = ev->preset[0] ? tt_preset_find(ev->preset) : NULL;
  return !d->guessed && d->t.preset == p &&
         (ev->mode == TT_MODE_UNSET || d->t.mode == ev->mode) &&
         d->t.interval_ms == ev->interval_ms &&
         (ev->timeout_ms == 0 || d->t.timeout_ms == ev->timeout_ms) &&
         same_tags(&d->t, ev);
}

static int copy_tags(tt_target *t, const tt_rp_event *ev) {
  size_t bytes = 0;
  if (ev->ntags == 0)
    return 0;
  for (size_t i = 0; i < ev->ntags; i++)
    bytes += strlen(ev->tags + bytes) + 1;
  char *block = malloc(bytes);
  if (block == NULL || (t->tags = calloc(ev->ntags, sizeof *t->tags)) == NULL) {
    free(block);
    return -ENOMEM;
  }
  memcpy(block, ev->tags, bytes);
  for (size_t i = 0, at = 0; i < ev->ntags; at += strlen(block + at) + 1, i++)
    t->tags[i] = block + at;
  t->ntags = ev->ntags;
  return 0;
}

/* A new version of target i's settings: ev's, or base's with ev's
 * address, or (neither) the defaults with an interval to guess. */
static int new_def(tt_replay *r, size_t i, const tt_rp_event *ev,
                   const tt_rp_def *base, uint32_t *out) {
  tt_rp_def *v = tt_grow(r->defs, &r->defcap, r->ndefs, sizeof *v, 64);
  if (v == NULL)
    return -ENOMEM;
  r->defs = v;
  if (base != NULL)
    base = &v[base - r->defs]; /* it may have moved */
  tt_rp_def *d = &v[r->ndefs];
  memset(d, 0, sizeof *d);
  tt_target_defaults(&d->t);
  d->target = i;
  d->next = NONE;
  const char *address = ev->address[0] ? ev->address
                        : base ? base->t.address : "";
  tt_hostport hp;
  const char *why;
  d->t.name = strdup(ev->target);
  d->t.address = strdup(address);
  if (tt_address_parse(address, &hp, &why) == 0) {
    d->t.host = strdup(hp.host);
    d->t.port = hp.port;
  }
  if (d->t.name == NULL || d->t.address == NULL) {
    free_def(d);
    return -ENOMEM;
  }
  if (ev->has_settings) {
    d->t.preset = ev->preset[0] ? tt_preset_find(ev->preset) : NULL;
    if (ev->mode != TT_MODE_UNSET)
      d->t.mode = ev->mode;
    d->t.interval_ms = ev->interval_ms;
    if (ev->timeout_ms > 0)
      d->t.timeout_ms = ev->timeout_ms;
    d->owns_tags = true;
    if (copy_tags(&d->t, ev) != 0) {
      free_def(d);
      return -ENOMEM;
    }
  } else if (base != NULL) {
    d->guessed = base->guessed;
    d->t.mode = base->t.mode;
    d->t.preset = base->t.preset;
    d->t.interval_ms = base->t.interval_ms;
    d->t.timeout_ms = base->t.timeout_ms;
    d->t.tags = base->t.tags; /* shared: freed with base */
    d->t.ntags = base->t.ntags;
  } else {
    d->guessed = true;
  }
  *out = (uint32_t)r->ndefs++;
  return 0;
}

/* The version of target i's settings that ev speaks of: found, or (while
 * the log is indexed) made. */
static uint32_t def_for(tt_replay *r, size_t i, const tt_rp_event *ev,
                        uint32_t base) {
  const tt_rp_def *b = base == NONE ? NULL : &r->defs[base];
  uint32_t last = NONE;
  size_t versions = 0;
  for (uint32_t k = r->first_def[i]; k != NONE; k = r->defs[k].next) {
    if (def_is(&r->defs[k], ev, b))
      return k;
    last = k;
    versions++;
  }
  uint32_t made;
  /* A log that gives a target ever other settings ends up with the
   * last of them: bounded. */
  if (versions >= MAX_VERSIONS || new_def(r, i, ev, b, &made) != 0)
    return base != NONE ? base : last;
  if (last == NONE)
    r->first_def[i] = made;
  else
    r->defs[last].next = made;
  return made;
}

void tt_rp_slot_reset(tt_replay *r, size_t i) {
  tt_rp_slot *s = &r->slots[i];
  tt_view_init(&s->view, NULL, i);
  s->def = r->first_def[i];
  s->view.target = &r->defs[s->def].t;
  s->present = false;
  s->ended = true;
}

/* A target seen for the first time: its number. */
static size_t add_target(tt_replay *r, indexing *ix, const tt_rp_event *ev) {
  size_t cap = r->cap;
  tt_rp_slot *v = tt_grow(r->slots, &cap, r->n, sizeof *v, 64);
  if (v == NULL)
    return SIZE_MAX;
  r->slots = v;
  if (cap != r->cap) {
    uint32_t *f = realloc(r->first_def, cap * sizeof *f);
    uint64_t *l = f ? realloc(ix->hb_last, cap * sizeof *l) : NULL;
    uint32_t *g = l ? realloc(ix->gaps, cap * GAPS * sizeof *g) : NULL;
    uint8_t *k = g ? realloc(ix->ngaps, cap) : NULL;
    if (f != NULL)
      r->first_def = f;
    if (l != NULL)
      ix->hb_last = l;
    if (g != NULL)
      ix->gaps = g;
    if (k != NULL)
      ix->ngaps = k;
    if (k == NULL)
      return SIZE_MAX;
    r->cap = cap;
  }
  size_t i = r->n;
  r->first_def[i] = NONE;
  if (def_for(r, i, ev, NONE) == NONE)
    return SIZE_MAX;
  ix->hb_last[i] = 0;
  ix->ngaps[i] = 0;
  r->n++;
  if (hash_add(r) != 0) {
    r->n--;
    return SIZE_MAX;
  }
  tt_rp_slot_reset(r, i);
  return i;
}

/* ---- events ------------------------------------------------------------- */

/* Target i starts afresh at time t: a run's start, an added target, a
 * new address (its statistics restart, as in the engine). */
static void start(tt_replay *r, size_t i, uint32_t def, uint64_t t) {
  tt_rp_slot *s = &r->slots[i];
  tt_view_init(&s->view, &r->defs[def].t, i);
  s->view.state_since_ms = t / 1000;
  s->view.state_since_us = t;
  s->def = def;
  s->present = true;
  s->ended = false;
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
    def = def_for(r, i, ev, running ? s->def : NONE);
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
     * saying so (a run killed before its summaries, then another). */
    if (!running || moved || ev->seq <= s->view.seq)
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

  static const tt_event_kind kinds[] = {
    [TT_RP_HEARTBEAT] = TT_EVENT_HEARTBEAT, [TT_RP_LATE] = TT_EVENT_LATE,
    [TT_RP_STATE] = TT_EVENT_STATE, [TT_RP_RECONNECT] = TT_EVENT_RECONNECT,
  };
  if (ev->kind > TT_RP_RECONNECT)
    return;
  tt_event e = {
    .kind = kinds[ev->kind],
    .ts_us = t,
    .seq = ev->seq,
    .cls = ev->cls,
    .has_rtt = ev->has_rtt,
    .rtt_us = ev->rtt_us,
    .has_tls = ev->has_tls,
    .tls_us = ev->tls_us,
    .from = ev->from,
    .to = ev->to,
    .error = ev->error,
  };
  tt_view_apply(&s->view, &e);
}

/* ---- the index ------------------------------------------------------------ */

static void set_bit(tt_rp_bits *b, size_t i) {
  if (i >= b->n) {
    size_t want = (i + 64) & ~(size_t)63;
    uint8_t *v = realloc(b->b, want / 8);
    if (v == NULL) {
      b->all = true; /* the span is read, not passed over */
      return;
    }
    memset(v + b->n / 8, 0, (want - b->n) / 8);
    b->b = v;
    b->n = want;
  }
  b->b[i / 8] |= (uint8_t)(1u << (i % 8));
}

bool tt_rp_bit(const tt_rp_bits *b, size_t i) {
  return b->all || (i < b->n && (b->b[i / 8] >> (i % 8) & 1));
}

static void merge_bits(tt_rp_bits *into, const tt_rp_bits *from) {
  into->all = into->all || from->all;
  for (size_t i = 0; i < from->n; i++)
    if (tt_rp_bit(from, i))
      set_bit(into, i);
}

static size_t mark_size(const tt_rp_mark *m) {
  return m->snap_len + (m->has_ap ? TT_RP_WINDOW : 0) +
         (m->seen.n + m->changed.n) / 8;
}

static void free_mark(tt_rp_mark *m) {
  free(m->snap);
  free(m->ap.window);
  free(m->seen.b);
  free(m->changed.b);
}

/* Keeps every other checkpoint, the first and the last included: their
 * spans join. */
static void thin(tt_replay *r) {
  size_t k = 0;
  for (size_t i = 0; i < r->nmarks; i++) {
    tt_rp_mark *m = &r->marks[i];
    if (i % 2 == 1 && i + 1 < r->nmarks) {
      tt_rp_mark *keep = &r->marks[k - 1];
      merge_bits(&keep->seen, &m->seen);
      merge_bits(&keep->changed, &m->changed);
      keep->changes += m->changes;
      free_mark(m);
      continue;
    }
    r->marks[k++] = *m;
  }
  r->nmarks = k;
  r->mark_bytes = 0;
  for (size_t i = 0; i < r->nmarks; i++)
    r->mark_bytes += mark_size(&r->marks[i]);
  r->info.stride *= 2;
}

static int add_mark(tt_replay *r, uint64_t offset, uint64_t line,
                    const tt_rp_access *ap, uint64_t last_t) {
  tt_rp_mark *v = tt_grow(r->marks, &r->markcap, r->nmarks, sizeof *v, 64);
  if (v == NULL)
    return -ENOMEM;
  r->marks = v;
  tt_rp_mark *m = &v[r->nmarks];
  memset(m, 0, sizeof *m);
  m->event = r->info.events;
  m->time_us = last_t;
  m->offset = offset;
  m->line = line;
  if (ap != NULL) {
    m->ap = *ap;
    m->has_ap = true;
  }
  if (tt_rp_snap_make(r, m) != 0) {
    free_mark(m);
    return -ENOMEM;
  }
  r->nmarks++;
  r->mark_bytes += mark_size(m);
  while (r->mark_bytes > r->opts.budget && r->nmarks > 2)
    thin(r);
  return 0;
}

/* What the index learns of one event before it is applied. */
static int index_event(tt_replay *r, indexing *ix, const tt_rp_event *ev,
                       uint64_t t) {
  if (ev->kind == TT_RP_DROPPED)
    r->info.dropped += ev->count;
  if (!ev->has_target || ev->kind == TT_RP_OTHER)
    return 0;
  size_t i = tt_rp_lookup(r, ev->target);
  if (i == SIZE_MAX && (i = add_target(r, ix, ev)) == SIZE_MAX)
    return -ENOMEM;
  tt_rp_mark *m = &r->marks[r->nmarks - 1];
  set_bit(&m->seen, i);
  if (ev->kind == TT_RP_STATE) {
    set_bit(&m->changed, i);
    m->changes++;
  }
  if (ev->kind == TT_RP_HEARTBEAT) {
    if (ix->hb_last[i] != 0 && t > ix->hb_last[i] && ix->ngaps[i] < GAPS)
      ix->gaps[i * GAPS + ix->ngaps[i]++] =
        (uint32_t)((t - ix->hb_last[i]) / 1000);
    ix->hb_last[i] = t;
  }
  return 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Targets whose recording never said their interval: the median spacing
 * of their first heartbeats (a probe at each slot, stamped at its
 * result), to 10 ms. */
static void guess_intervals(tt_replay *r, indexing *ix) {
  for (size_t i = 0; i < r->n; i++) {
    uint32_t *g = &ix->gaps[i * GAPS];
    if (ix->ngaps[i] == 0)
      continue;
    qsort(g, ix->ngaps[i], sizeof *g, cmp_u32);
    uint64_t ms = (g[ix->ngaps[i] / 2] + 5) / 10 * 10;
    for (uint32_t k = r->first_def[i]; k != NONE; k = r->defs[k].next)
      if (r->defs[k].guessed && ms > 0)
        r->defs[k].t.interval_ms = r->defs[k].t.timeout_ms = ms;
  }
}

static void note_damage(tt_replay *r, uint64_t line, const char *why) {
  r->info.damaged = true;
  r->info.damage_line = line;
  snprintf(r->info.damage, sizeof r->info.damage, "%s", why);
}

/* The one pass over the file. */
static int build(tt_replay *r, indexing *ix) {
  tt_rp_stream *s = &r->cursor.s;
  uint64_t last_t = 0;
  char why[160];
  int err;

  if ((err = add_mark(r, 0, 1, NULL, 0)) < 0)
    return err;
  for (;;) {
    const char *line;
    size_t len;
    uint64_t off;
    int rc = tt_rp_stream_line(s, &line, &len, &off);
    if (rc == 0)
      break;
    if (rc < 0) {
      note_damage(r, s->line, s->why);
      break;
    }
    if (ix->pending) {
      tt_rp_access ap;
      bool has = false;
      if (!s->gzip || (has = tt_rp_stream_take_access(s, off, &ap))) {
        if ((err = add_mark(r, off, s->line - 1, has ? &ap : NULL,
                            last_t)) < 0)
          return err;
        ix->pending = false;
        ix->since = 0;
      }
    }
    int p = tt_rp_parse(line, len, &r->ev, why, sizeof why);
    if (p < 0) {
      note_damage(r, s->line - 1, why);
      break;
    }
    r->info.lines++;
    if (p == 0)
      continue;
    uint64_t t = r->ev.ts_us > last_t ? r->ev.ts_us : last_t;
    if ((err = index_event(r, ix, &r->ev, t)) < 0)
      return err;
    tt_rp_apply(r, &r->ev, t);
    if (r->info.events++ == 0)
      r->info.first_us = t;
    r->info.last_us = last_t = t;
    uint64_t due = r->info.stride > 2 * r->n ? r->info.stride : 2 * r->n;
    if (!ix->pending && ++ix->since >= due) {
      ix->pending = true;
      tt_rp_stream_want_access(s);
    }
  }
  if (r->info.damaged)
    r->info.lines = r->info.damage_line - 1;
  guess_intervals(r, ix);
  return 0;
}

int tt_replay_open(const char *path, const tt_replay_opts *opts,
                   tt_replay **out) {
  indexing ix = { 0 };
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
  err = build(r, &ix);
  free(ix.hb_last);
  free(ix.gaps);
  free(ix.ngaps);
  if (err < 0)
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
    free_mark(&r->marks[i]);
  for (size_t i = 0; i < r->ndefs; i++)
    free_def(&r->defs[i]);
  free(r->marks);
  free(r->defs);
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
