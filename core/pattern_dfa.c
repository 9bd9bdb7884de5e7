/* pattern_dfa.c - running a program over a reply in linear time: a lazy
 * DFA with a bounded state cache, and NFA simulation while it thrashes. */
#include <stdlib.h>
#include <string.h>

#include "pattern_prog.h"

/* A DFA state stands for the set of program counters the NFA would be at;
 * states are built when first needed and cached within a fixed budget,
 * which is emptied when full. Every step, DFA or NFA, visits each
 * instruction at most once (a mark per instruction and step), so a reply
 * of n bytes costs at most 2 x (n + 1) x program size visits, whatever the
 * pattern; a step through a cached transition costs one table load.
 * Nothing backtracks. */

/* What a transition leads to besides a state (states sit at offsets of 8
 * and up, so 0 is free to mean "not built yet"). */
#define UNKNOWN 0u
#define NO_ROOM UINT32_C(0xfffffffd) /* the budget cannot hold one state */
#define MATCHED UINT32_C(0xfffffffe)
#define DEAD UINT32_C(0xffffffff)
#define FIRST_STATE 8u

/* The first NFA window after the cache thrashes; each next one doubles. */
#define NFA_WINDOW 256
/* Fewer bytes than this per state built between two flushes is
 * thrashing: the DFA costs more than it saves. */
#define BYTES_PER_STATE 8

enum { AT_BOL = 1, AT_EOL = 2 };

/* A DFA state: next[nclasses] transitions, then the sorted set of pcs it
 * stands for (byte instructions and $ that have not held yet). */
typedef struct dstate {
  uint32_t hash;
  uint16_t n;
  uint16_t end_ok; /* the reply ending here is a match (through $) */
  uint32_t next[];
} dstate;

typedef struct tt_re_cache dcache;

struct tt_re_cache {
  uint8_t *arena; /* states, addressed by offset: the arena may move */
  uint32_t used, cap;
  uint32_t *table; /* offsets of states by hash, open addressing; 0 free */
  uint32_t tsize, count;
  uint32_t start; /* the state at the reply's start, or UNKNOWN */
  /* Thrash accounting, per call: the position of the last flush and the
   * states built since. */
  size_t flush_at;
  uint32_t built;
};

static dstate *state(const dcache *c, uint32_t off) {
  return (dstate *)(void *)(c->arena + off);
}

static uint16_t *pcs_of(const tt_re_prog *p, dstate *d) {
  return (uint16_t *)(void *)&d->next[p->nclasses];
}

static uint32_t state_size(const tt_re_prog *p, uint32_t n) {
  uint32_t size = (uint32_t)sizeof(dstate) + 4u * p->nclasses + 2u * n;
  return (size + 3u) & ~3u;
}

/* ---- one step of the NFA ---- */

typedef struct step {
  tt_re_prog *p;
  uint16_t *out; /* where the pcs reached go; NULL: only whether MATCH is */
  uint32_t nout;
  uint64_t work;
} step;

/* Starts a step: no instruction is marked as reached. */
static void begin(tt_re_prog *p) {
  if (++p->gen == 0) {
    memset(p->mark, 0, p->ninsns * sizeof(*p->mark));
    p->gen = 1;
  }
}

/* Follows pc0 through splits, jumps and the anchors that hold (at),
 * keeping every instruction that waits for a byte, and every $ that does
 * not hold yet. Returns true on reaching MATCH. */
static bool follow(step *s, uint16_t pc0, unsigned at) {
  tt_re_prog *p = s->p;
  uint32_t *mark = p->mark, gen = p->gen, top = 0;
  uint16_t *stack = p->stack;
#define PUSH(pc)                                                              \
  do {                                                                        \
    uint16_t pc_ = (pc);                                                      \
    if (mark[pc_] != gen) {                                                   \
      mark[pc_] = gen;                                                        \
      stack[top++] = pc_;                                                     \
    }                                                                         \
  } while (0)
  PUSH(pc0);
  while (top > 0) {
    uint16_t pc = stack[--top];
    const tt_re_insn *in = &p->insns[pc];
    s->work++;
    switch ((tt_re_op)in->op) {
    case TT_OP_SPLIT:
      PUSH(in->y);
      PUSH(in->x);
      break;
    case TT_OP_JMP:
      PUSH(in->x);
      break;
    case TT_OP_BOL:
      if (at & AT_BOL)
        PUSH((uint16_t)(pc + 1));
      break;
    case TT_OP_EOL:
      /* A $ that does not hold yet waits, as a byte instruction does. */
      if (at & AT_EOL)
        PUSH((uint16_t)(pc + 1));
      else if (s->out != NULL)
        s->out[s->nout++] = pc;
      break;
    case TT_OP_BYTE:
    case TT_OP_SET:
    case TT_OP_ANY:
      if (s->out != NULL)
        s->out[s->nout++] = pc;
      break;
    case TT_OP_MATCH:
      return true;
    }
  }
#undef PUSH
  return false;
}

static bool takes(const tt_re_prog *p, const tt_re_insn *in, unsigned char b) {
  switch (in->op) {
  case TT_OP_BYTE: return in->byte == b;
  case TT_OP_ANY: return true;
  case TT_OP_SET: return tt_re_set_has(&p->sets[in->x], b);
  default: return false;
  }
}

/* Moves the threads at pcs[0..n) over byte b into s->out, and starts a
 * new one (the search is unanchored: a match may begin anywhere).
 * Returns true when one of them reaches MATCH. */
static bool advance(step *s, const uint16_t *pcs, uint32_t n, unsigned char b) {
  tt_re_prog *p = s->p;
  const tt_re_insn *insns = p->insns;
  uint32_t *mark = p->mark;
  begin(p);
  for (uint32_t k = 0; k < n; k++) {
    if (!takes(p, &insns[pcs[k]], b))
      continue;
    /* Most threads go on to another byte instruction: keep it without
     * the full walk. */
    uint16_t pc = (uint16_t)(pcs[k] + 1);
    if (mark[pc] == p->gen)
      continue;
    if (insns[pc].op <= TT_OP_ANY) {
      mark[pc] = p->gen;
      s->out[s->nout++] = pc;
      s->work++;
    } else if (follow(s, pc, 0)) {
      return true;
    }
  }
  return follow(s, 0, 0);
}

/* Whether threads at pcs[0..n) match when the reply ends there: some $
 * among them leads to MATCH. */
static bool ends_here(tt_re_prog *p, const uint16_t *pcs, uint32_t n,
                      uint64_t *work) {
  step s = {.p = p};
  bool ok = false;
  begin(p);
  for (uint32_t k = 0; k < n && !ok; k++)
    if (p->insns[pcs[k]].op == TT_OP_EOL)
      ok = follow(&s, (uint16_t)(pcs[k] + 1), AT_EOL);
  *work += s.work;
  return ok;
}

/* ---- plain NFA simulation ---- */

/* Runs the threads in p->list[0..*count) over data[*at..end). Returns
 * MATCHED, DEAD, or UNKNOWN with the threads left in p->list. */
static uint32_t nfa_run(tt_re_prog *p, uint32_t *count,
                        const unsigned char *data, size_t *at, size_t end,
                        uint64_t *work) {
  uint16_t *cur = p->list, *nxt = p->list2;
  uint32_t n = *count, r = UNKNOWN;
  step s = {.p = p};
  size_t i = *at;
  for (; i < end; i++) {
    s.out = nxt;
    s.nout = 0;
    if (advance(&s, cur, n, data[i])) {
      r = MATCHED;
      break;
    }
    if (s.nout == 0) {
      r = DEAD;
      break;
    }
    uint16_t *t = cur;
    cur = nxt;
    nxt = t;
    n = s.nout;
  }
  p->stats.nfa_bytes += i - *at;
  *work += s.work;
  if (cur != p->list)
    memcpy(p->list, cur, n * sizeof(*cur));
  *count = n;
  *at = i;
  return r;
}

/* ---- the DFA's state cache ---- */

static uint32_t hash_pcs(const uint16_t *pcs, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t k = 0; k < n; k++)
    h = (h ^ pcs[k]) * 16777619u;
  return h ^ n;
}

static int cmp_pc(const void *a, const void *b) {
  return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void sort_pcs(uint16_t *pcs, uint32_t n) {
  if (n > 16) {
    qsort(pcs, n, sizeof(*pcs), cmp_pc);
    return;
  }
  for (uint32_t k = 1; k < n; k++) {
    uint16_t v = pcs[k];
    uint32_t j = k;
    for (; j > 0 && pcs[j - 1] > v; j--)
      pcs[j] = pcs[j - 1];
    pcs[j] = v;
  }
}

static size_t budget_of(uint32_t arena, uint32_t tsize) {
  return (size_t)arena + (size_t)tsize * sizeof(uint32_t);
}

static bool grow_table(tt_re_prog *p, dcache *c) {
  uint32_t size = c->tsize ? 2 * c->tsize : 16;
  if (budget_of(c->cap, size) > p->cache_max)
    return false;
  uint32_t *t = calloc(size, sizeof(*t));
  if (t == NULL)
    return false;
  for (uint32_t k = 0; k < c->tsize; k++) {
    uint32_t off = c->table[k];
    if (off == 0)
      continue;
    uint32_t j = state(c, off)->hash & (size - 1);
    while (t[j] != 0)
      j = (j + 1) & (size - 1);
    t[j] = off;
  }
  free(c->table);
  c->table = t;
  c->tsize = size;
  return true;
}

static bool grow_arena(tt_re_prog *p, dcache *c, uint32_t need) {
  uint32_t cap = c->cap ? c->cap : 512;
  while (cap < need)
    cap *= 2;
  size_t limit = p->cache_max > budget_of(0, c->tsize)
                   ? p->cache_max - budget_of(0, c->tsize) : 0;
  if (cap > limit)
    cap = (uint32_t)limit & ~3u;
  if (cap < need)
    return false;
  uint8_t *a = realloc(c->arena, cap);
  if (a == NULL)
    return false;
  c->arena = a;
  c->cap = cap;
  return true;
}

/* Makes room for one more state of size bytes within the budget. */
static bool room(tt_re_prog *p, dcache *c, uint32_t size) {
  if ((c->count + 1) * 2 > c->tsize && !grow_table(p, c))
    return false;
  return c->used + size <= c->cap || grow_arena(p, c, c->used + size);
}

/* Forgets every state; the memory stays for the next ones. */
static void flush(tt_re_prog *p, dcache *c) {
  c->used = FIRST_STATE;
  c->count = 0;
  c->start = UNKNOWN;
  if (c->table != NULL)
    memset(c->table, 0, c->tsize * sizeof(*c->table));
  p->stats.flushes++;
}

/* Finds or adds the state for the set pcs[0..n) (sorted here). Sets
 * *flushed when the cache had to be emptied to make room. */
static uint32_t intern(tt_re_prog *p, dcache *c, uint16_t *pcs,
                       uint32_t n, bool *flushed, uint64_t *work) {
  sort_pcs(pcs, n);
  uint32_t h = hash_pcs(pcs, n), size = state_size(p, n);
  if (c->tsize > 0) {
    for (uint32_t j = h & (c->tsize - 1); c->table[j] != 0;
         j = (j + 1) & (c->tsize - 1)) {
      dstate *d = state(c, c->table[j]);
      if (d->hash == h && d->n == n &&
          memcmp(pcs_of(p, d), pcs, n * sizeof(*pcs)) == 0)
        return c->table[j];
    }
  }
  if (!room(p, c, size)) {
    flush(p, c);
    *flushed = true;
    if (!room(p, c, size))
      return NO_ROOM;
  }
  uint32_t off = c->used;
  dstate *d = state(c, off);
  c->used += size;
  d->hash = h;
  d->n = (uint16_t)n;
  d->end_ok = ends_here(p, pcs, n, work);
  memset(d->next, 0, p->nclasses * sizeof(d->next[0]));
  memcpy(pcs_of(p, d), pcs, n * sizeof(*pcs));
  uint32_t j = h & (c->tsize - 1);
  while (c->table[j] != 0)
    j = (j + 1) & (c->tsize - 1);
  c->table[j] = off;
  c->count++;
  c->built++;
  p->stats.states++;
  return off;
}

static dcache *cache_of(tt_re_prog *p) {
  if (p->cache == NULL) {
    p->cache = calloc(1, sizeof(*p->cache));
    if (p->cache != NULL)
      p->cache->used = FIRST_STATE;
  }
  return p->cache;
}

/* ---- matching ---- */

/* Runs the NFA from the threads in p->list over data[at..n). */
static bool nfa_finish(tt_re_prog *p, uint32_t count, const unsigned char *data,
                       size_t at, size_t n, uint64_t *work) {
  uint32_t r = nfa_run(p, &count, data, &at, n, work);
  if (r != UNKNOWN)
    return r == MATCHED;
  return ends_here(p, p->list, count, work);
}

/* The state at the reply's start (built once per cache), MATCHED or DEAD;
 * NO_ROOM without a cache to hold it, the threads then in p->list. */
static uint32_t start_state(tt_re_prog *p, dcache *c, uint32_t *count,
                            uint64_t *work) {
  if (c != NULL && c->start != UNKNOWN)
    return c->start;
  step s = {.p = p, .out = p->list};
  begin(p);
  bool m = follow(&s, 0, AT_BOL);
  *work += s.work;
  *count = s.nout;
  if (m || s.nout == 0)
    return m ? MATCHED : DEAD;
  if (c == NULL)
    return NO_ROOM;
  bool flushed = false;
  uint32_t cur = intern(p, c, p->list, s.nout, &flushed, work);
  if (cur != NO_ROOM)
    c->start = cur;
  return cur;
}

static bool run(tt_re_prog *p, const unsigned char *data, size_t n,
                uint64_t *work) {
  /* The empty reply is its own start and end. */
  if (n == 0) {
    step s = {.p = p};
    begin(p);
    bool ok = follow(&s, 0, AT_BOL | AT_EOL);
    *work += s.work;
    return ok;
  }
  dcache *c = p->mode == TT_RE_MODE_NFA ? NULL : cache_of(p);
  uint32_t count = 0, cur = start_state(p, c, &count, work);
  if (cur == MATCHED || cur == DEAD)
    return cur == MATCHED;
  if (cur == NO_ROOM)
    return nfa_finish(p, count, data, 0, n, work);

  step s = {.p = p};
  const uint8_t *classmap = p->classmap;
  size_t i = 0, window = NFA_WINDOW;
  c->flush_at = 0;
  c->built = 0;
  for (;;) {
    /* The usual case: transitions already built. */
    uint64_t steps = 0;
    uint32_t next = UNKNOWN;
    while (i < n) {
      next = state(c, cur)->next[classmap[data[i]]];
      if (next == UNKNOWN)
        break;
      steps++;
      i++;
      if (next >= MATCHED)
        break;
      cur = next;
    }
    *work += steps;
    if (next >= MATCHED)
      return next == MATCHED;
    if (i == n)
      return state(c, cur)->end_ok;

    /* Build the transition on data[i]. */
    unsigned cls = classmap[data[i]];
    dstate *d = state(c, cur);
    s.out = p->list;
    s.nout = 0;
    s.work = 0;
    bool m = advance(&s, pcs_of(p, d), d->n, data[i++]);
    *work += s.work;
    if (m || s.nout == 0) {
      d->next[cls] = m ? MATCHED : DEAD;
      return m;
    }
    bool flushed = false;
    next = intern(p, c, p->list, s.nout, &flushed, work);
    if (next == NO_ROOM)
      return nfa_finish(p, s.nout, data, i, n, work);
    if (!flushed) {
      state(c, cur)->next[cls] = next;
      cur = next;
      continue;
    }
    bool thrash = p->mode == TT_RE_MODE_AUTO &&
                  i - c->flush_at < (size_t)BYTES_PER_STATE * c->built;
    c->flush_at = i;
    c->built = 0;
    cur = next;
    if (!thrash)
      continue;

    /* Thrashing: simulate the NFA for a while from the same threads, then
     * give the DFA another chance (the input may settle). */
    count = s.nout;
    size_t end = n - i > window ? i + window : n;
    window *= 2;
    uint32_t r = nfa_run(p, &count, data, &i, end, work);
    if (r != UNKNOWN)
      return r == MATCHED;
    if (i == n)
      return ends_here(p, p->list, count, work);
    flushed = false;
    cur = intern(p, c, p->list, count, &flushed, work);
    if (cur == NO_ROOM)
      return nfa_finish(p, count, data, i, n, work);
    c->flush_at = i;
    c->built = 0;
  }
}

bool tt_re_match(tt_re_prog *p, const unsigned char *data, size_t n) {
  uint64_t work = 0;
  bool ok = run(p, data, n, &work);
  p->stats.work += work;
  return ok;
}

size_t tt_re_cache_bytes(const tt_re_prog *p) {
  if (p->cache == NULL)
    return 0;
  return budget_of(p->cache->cap, p->cache->tsize);
}

size_t tt_re_cache_struct_size(void) {
  return sizeof(dcache);
}

void tt_re_cache_free(tt_re_prog *p) {
  if (p->cache == NULL)
    return;
  free(p->cache->arena);
  free(p->cache->table);
  free(p->cache);
  p->cache = NULL;
}
