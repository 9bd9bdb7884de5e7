/* replay_build.c - the one pass that opens a recorded log: its lines cut
 * from the stream and handed in batches to worker threads that parse
 * them, while this thread applies the parsed events in order, learns the
 * targets, and leaves checkpoints behind, thinned to fit the budget. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "grow.h"
#include "replay_index.h"

#define GAPS 15            /* heartbeat spacings kept to guess an interval */
#define BATCH 1024         /* lines parsed at once */
#define BATCH_TEXT (256 * 1024) /* bytes of a batch's lines, about */
#define DEPTH 4            /* batches in flight */
#define MAX_WORKERS 2
#define THREADED_SIZE (16u << 20) /* smaller files are parsed here */

/* What only this pass needs. */
typedef struct indexing {
  uint64_t *hb_last;   /* per target: time of its last heartbeat */
  uint32_t *gaps;      /* per target: GAPS spacings in ms */
  uint8_t *ngaps;
  size_t cap;          /* targets they have room for */
  uint64_t since;      /* events since the last checkpoint */
  bool pending;        /* a checkpoint is due (at an access point) */
  uint64_t size;       /* of the file */
  bool planned;        /* the stride was set from what the file holds */
  uint64_t last_t;     /* time of the last event */
} indexing;

static int grow_scratch(indexing *ix, size_t n) {
  if (n <= ix->cap)
    return 0;
  size_t cap = ix->cap ? ix->cap * 2 : 64;
  while (cap < n)
    cap *= 2;
  uint64_t *l = realloc(ix->hb_last, cap * sizeof *l);
  if (l != NULL)
    ix->hb_last = l;
  uint32_t *g = l ? realloc(ix->gaps, cap * GAPS * sizeof *g) : NULL;
  if (g != NULL)
    ix->gaps = g;
  uint8_t *k = g ? realloc(ix->ngaps, cap) : NULL;
  if (k == NULL)
    return -ENOMEM;
  ix->ngaps = k;
  memset(ix->hb_last + ix->cap, 0, (cap - ix->cap) * sizeof *l);
  memset(ix->ngaps + ix->cap, 0, cap - ix->cap);
  ix->cap = cap;
  return 0;
}

/* ---- checkpoints --------------------------------------------------------- */

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

void tt_rp_mark_free(tt_rp_mark *m) {
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
      tt_rp_mark_free(m);
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

/* Once the first checkpoint after the start is made: how many events
 * the file holds, judged from the bytes they took so far, and how many
 * checkpoints of this size fit the budget, give the stride, so that the
 * checkpoints made early are not made only to be thinned out. */
static void plan_stride(tt_replay *r, indexing *ix) {
  uint64_t read = tt_rp_stream_read_bytes(&r->cursor.s);
  size_t each = mark_size(&r->marks[r->nmarks - 1]);
  if (ix->planned || r->info.events == 0 || read == 0 || each == 0)
    return;
  ix->planned = true;
  /* Checkpoints grow as rings fill (a few bytes a sample) and histograms
   * spread: reckoned at their size when full. */
  double ring = 0;
  for (size_t i = 0; i < r->n; i++)
    ring += r->slots[i].view.stats.ring_len;
  double grown = (double)each + (double)r->n * 3 * TT_RING_LEN - 3 * ring +
                 (double)r->n * 48;
  double events = (double)r->info.events * (double)ix->size / (double)read;
  double fit = (double)r->opts.budget / grown;
  /* Nine tenths of the budget: the estimate may be short. The stride
   * stays a whole number of the least one. */
  double want = events / (fit * 0.9);
  uint64_t unit = r->info.stride;
  if (fit > 4 && want > (double)unit)
    r->info.stride = ((uint64_t)want + unit - 1) / unit * unit;
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
    tt_rp_mark_free(m);
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
  if (i == SIZE_MAX && ((i = tt_rp_add_target(r, ev)) == SIZE_MAX ||
                        grow_scratch(ix, r->n) != 0))
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

/* ---- batches ------------------------------------------------------------ */

/* Lines cut from the stream, copied, parsed by a worker, applied here. */
typedef struct batch {
  size_t n;               /* lines */
  uint64_t first_line;    /* the number of the first */
  uint64_t off[BATCH];    /* where each starts in the file */
  uint32_t at[BATCH], len[BATCH]; /* in text */
  char *text;
  size_t tlen, tcap;
  tt_rp_event ev[BATCH];
  int rc[BATCH];          /* tt_rp_parse's, up to parsed */
  size_t parsed;          /* lines parsed (fewer: the next is damage) */
  char why[160];          /* that damage */
  bool last;              /* the stream ended after these lines ... */
  bool damaged;           /* ... at damage */
  uint64_t damage_line;
  char damage[160];
  bool done;              /* parsed */
} batch;

typedef struct pool {
  uv_mutex_t mu;
  uv_cond_t work, done;
  batch *b[DEPTH];
  uint64_t filled, taken; /* batches handed out, and taken by workers */
  bool quit;
  uv_thread_t thread[MAX_WORKERS];
  int nthreads;
} pool;

static void parse_batch(batch *b) {
  b->parsed = 0;
  while (b->parsed < b->n) {
    size_t k = b->parsed;
    b->rc[k] = tt_rp_parse(b->text + b->at[k], b->len[k], &b->ev[k], b->why,
                           sizeof b->why);
    if (b->rc[k] < 0)
      break;
    b->parsed++;
  }
}

static void worker(void *arg) {
  pool *p = arg;
  uv_mutex_lock(&p->mu);
  for (;;) {
    while (p->taken == p->filled && !p->quit)
      uv_cond_wait(&p->work, &p->mu);
    if (p->quit)
      break;
    batch *b = p->b[p->taken++ % DEPTH];
    uv_mutex_unlock(&p->mu);
    parse_batch(b);
    uv_mutex_lock(&p->mu);
    b->done = true;
    uv_cond_broadcast(&p->done);
  }
  uv_mutex_unlock(&p->mu);
}

/* Cuts the next lines from the stream into b. */
static int fill(tt_rp_stream *s, batch *b) {
  b->n = b->tlen = 0;
  b->first_line = s->line;
  b->last = b->damaged = b->done = false;
  while (b->n < BATCH && b->tlen < BATCH_TEXT) {
    const char *line;
    size_t len;
    uint64_t off;
    int rc = tt_rp_stream_line(s, &line, &len, &off);
    if (rc <= 0) {
      b->last = true;
      if ((b->damaged = rc < 0)) {
        b->damage_line = s->line;
        snprintf(b->damage, sizeof b->damage, "%s", s->why);
      }
      break;
    }
    if (b->tlen + len > b->tcap) {
      size_t cap = (b->tlen + len) * 2;
      char *t = realloc(b->text, cap);
      if (t == NULL)
        return -ENOMEM;
      b->text = t;
      b->tcap = cap;
    }
    memcpy(b->text + b->tlen, line, len);
    b->at[b->n] = (uint32_t)b->tlen;
    b->len[b->n] = (uint32_t)len;
    b->off[b->n++] = off;
    b->tlen += len;
  }
  return 0;
}

/* ---- the pass --------------------------------------------------------------- */

/* Applies the lines of b. Returns 1 to go on, 0 at damage, or -ENOMEM. */
static int apply_batch(tt_replay *r, indexing *ix, batch *b) {
  tt_rp_stream *s = &r->cursor.s;
  int err;
  for (size_t k = 0; k < b->n; k++) {
    uint64_t line = b->first_line + k;
    if (ix->pending) {
      tt_rp_access ap;
      bool has = false;
      if (!s->gzip || (has = tt_rp_stream_take_access(s, b->off[k], &ap))) {
        if ((err = add_mark(r, b->off[k], line, has ? &ap : NULL,
                            ix->last_t)) < 0)
          return err;
        plan_stride(r, ix);
        ix->pending = false;
        ix->since = 0;
      }
    }
    if (k >= b->parsed) {
      note_damage(r, line, b->why);
      return 0;
    }
    r->info.lines++;
    if (b->rc[k] == 0)
      continue;
    const tt_rp_event *ev = &b->ev[k];
    uint64_t t = ev->ts_us > ix->last_t ? ev->ts_us : ix->last_t;
    if ((err = index_event(r, ix, ev, t)) < 0)
      return err;
    tt_rp_apply(r, ev, t);
    if (r->info.events++ == 0)
      r->info.first_us = t;
    r->info.last_us = ix->last_t = t;
    uint64_t due = r->info.stride > 2 * r->n ? r->info.stride : 2 * r->n;
    if (!ix->pending && ++ix->since >= due) {
      ix->pending = true;
      tt_rp_stream_want_access(s);
    }
  }
  if (b->damaged) {
    note_damage(r, b->damage_line, b->damage);
    return 0;
  }
  return 1;
}

static void stop_workers(pool *p) {
  if (p->nthreads == 0)
    return;
  uv_mutex_lock(&p->mu);
  p->quit = true;
  uv_cond_broadcast(&p->work);
  uv_mutex_unlock(&p->mu);
  for (int i = 0; i < p->nthreads; i++)
    uv_thread_join(&p->thread[i]);
  uv_cond_destroy(&p->work);
  uv_cond_destroy(&p->done);
  uv_mutex_destroy(&p->mu);
}

/* Workers for a file large enough to be worth them: as many as there are
 * CPUs, at most MAX_WORKERS (parsing is most of the work; this thread's
 * share fits beside them); none on one CPU. */
static void start_workers(pool *p, uint64_t size) {
  unsigned cpus = uv_available_parallelism();
  int want = size < THREADED_SIZE || cpus < 2 ? 0
             : cpus > MAX_WORKERS     ? MAX_WORKERS
                                      : (int)cpus;
  if (want == 0 || uv_mutex_init(&p->mu) != 0)
    return;
  uv_cond_init(&p->work);
  uv_cond_init(&p->done);
  while (p->nthreads < want &&
         uv_thread_create(&p->thread[p->nthreads], worker, p) == 0)
    p->nthreads++;
  if (p->nthreads == 0) {
    uv_cond_destroy(&p->work);
    uv_cond_destroy(&p->done);
    uv_mutex_destroy(&p->mu);
  }
}

/* Keeps up to DEPTH batches being parsed ahead of the one applied. */
static int pass(tt_replay *r, indexing *ix, pool *p) {
  uint64_t applied = 0;
  /* Without workers nothing is gained by reading ahead, and a gzip
   * checkpoint would wait for an access point that much later. */
  uint64_t depth = p->nthreads > 0 ? DEPTH : 1;
  bool ended = false;
  int rc = 1;
  while (rc > 0) {
    while (!ended && p->filled - applied < depth) {
      batch *b = p->b[p->filled % DEPTH];
      if (fill(&r->cursor.s, b) != 0)
        return -ENOMEM;
      ended = b->last;
      if (p->nthreads == 0) {
        parse_batch(b);
        b->done = true;
        p->filled++;
        continue;
      }
      uv_mutex_lock(&p->mu);
      p->filled++;
      uv_cond_signal(&p->work);
      uv_mutex_unlock(&p->mu);
    }
    if (applied == p->filled)
      break;
    batch *b = p->b[applied % DEPTH];
    if (p->nthreads > 0) {
      uv_mutex_lock(&p->mu);
      while (!b->done)
        uv_cond_wait(&p->done, &p->mu);
      uv_mutex_unlock(&p->mu);
    }
    rc = apply_batch(r, ix, b);
    applied++;
  }
  return rc < 0 ? rc : 0;
}

int tt_rp_build(tt_replay *r, uint64_t size) {
  indexing ix = { .size = size };
  pool p = { .nthreads = 0 };
  int err = 0;
  for (size_t i = 0; i < DEPTH && err == 0; i++)
    if ((p.b[i] = calloc(1, sizeof *p.b[i])) == NULL)
      err = -ENOMEM;
  if (err == 0 && (err = add_mark(r, 0, 1, NULL, 0)) == 0) {
    start_workers(&p, size);
    err = pass(r, &ix, &p);
    stop_workers(&p);
  }
  if (r->info.damaged)
    r->info.lines = r->info.damage_line - 1;
  if (err == 0)
    guess_intervals(r, &ix);
  for (size_t i = 0; i < DEPTH; i++)
    if (p.b[i] != NULL) {
      free(p.b[i]->text);
      free(p.b[i]);
    }
  free(ix.hb_last);
  free(ix.gaps);
  free(ix.ngaps);
  return err;
}
