/* pattern_prog.c - a parsed expression into a Thompson program: byte
 * instructions, splits and jumps, anchors, and one MATCH at its end. */
#include <stdlib.h>
#include <string.h>

#include "pattern_prog.h"

#define NO_PC UINT16_MAX /* ends a chain of instructions still to patch */

typedef struct builder {
  const tt_re_tree *t;
  tt_re_insn *insns;
  uint16_t pc;
} builder;

static uint16_t put(builder *B, tt_re_op op, uint16_t x, uint16_t y) {
  tt_re_insn *in = &B->insns[B->pc];
  in->op = (uint8_t)op;
  in->byte = 0;
  in->x = x;
  in->y = y;
  return B->pc++;
}

/* Points every y (or x) of a chain linked through it at target. */
static void patch(builder *B, uint16_t chain, bool via_x, uint16_t target) {
  while (chain != NO_PC) {
    tt_re_insn *in = &B->insns[chain];
    uint16_t next = via_x ? in->x : in->y;
    if (via_x)
      in->x = target;
    else
      in->y = target;
    chain = next;
  }
}

/* Appends node k's instructions. The sizes the parser counted are what
 * this writes, so the array was allocated to fit. Recursion follows the
 * tree's depth, which the parser bounds. */
static void emit(builder *B, int32_t k) {
  const tt_re_node *nd = &B->t->nodes[k];
  uint16_t at, chain = NO_PC;
  switch ((tt_re_kind)nd->kind) {
  case TT_RE_EMPTY:
    return;
  case TT_RE_BYTE:
    at = put(B, TT_OP_BYTE, 0, 0);
    B->insns[at].byte = nd->byte;
    return;
  case TT_RE_ANY: put(B, TT_OP_ANY, 0, 0); return;
  case TT_RE_SET: put(B, TT_OP_SET, nd->set, 0); return;
  case TT_RE_BOL: put(B, TT_OP_BOL, 0, 0); return;
  case TT_RE_EOL: put(B, TT_OP_EOL, 0, 0); return;
  case TT_RE_CAT:
    for (int32_t c = nd->child; c >= 0; c = B->t->nodes[c].next)
      emit(B, c);
    return;
  case TT_RE_ALT:
    /* split(branch, rest); branch; jump end; ... last branch; end: */
    for (int32_t c = nd->child; c >= 0; c = B->t->nodes[c].next) {
      if (B->t->nodes[c].next < 0) {
        emit(B, c);
        break;
      }
      at = put(B, TT_OP_SPLIT, (uint16_t)(B->pc + 1), 0);
      emit(B, c);
      chain = put(B, TT_OP_JMP, chain, 0);
      B->insns[at].y = B->pc;
    }
    patch(B, chain, true, B->pc);
    return;
  case TT_RE_REPEAT:
    break;
  }
  unsigned min = nd->min, max = nd->max;
  if (max == TT_RE_INF && min == 0) {
    /* loop: split(body, end); body; jump loop; end: */
    at = put(B, TT_OP_SPLIT, (uint16_t)(B->pc + 1), 0);
    emit(B, nd->child);
    put(B, TT_OP_JMP, at, 0);
    B->insns[at].y = B->pc;
    return;
  }
  if (max == TT_RE_INF) {
    /* x{n,}: n - 1 copies, then x+ (body; split(body, end)). */
    for (unsigned i = 1; i < min; i++)
      emit(B, nd->child);
    at = B->pc;
    emit(B, nd->child);
    put(B, TT_OP_SPLIT, at, (uint16_t)(B->pc + 1));
    return;
  }
  /* x{n,m}: n copies, then m - n of split(copy, end); copy. */
  for (unsigned i = 0; i < min; i++)
    emit(B, nd->child);
  for (unsigned i = min; i < max; i++) {
    chain = put(B, TT_OP_SPLIT, (uint16_t)(B->pc + 1), chain);
    emit(B, nd->child);
  }
  patch(B, chain, false, B->pc);
}

/* Splits the byte classes so that no class straddles set's edge. */
static void refine(tt_re_prog *p, const tt_re_set *set) {
  int16_t map[256][2];
  uint16_t n = 0;
  memset(map, -1, sizeof(map));
  for (unsigned b = 0; b < 256; b++) {
    unsigned c = p->classmap[b], in = tt_re_set_has(set, (unsigned char)b);
    if (map[c][in] < 0)
      map[c][in] = (int16_t)n++;
    p->classmap[b] = (uint8_t)map[c][in];
  }
  p->nclasses = n;
}

static void byte_classes(tt_re_prog *p) {
  bool seen[256] = {false};
  memset(p->classmap, 0, sizeof(p->classmap));
  p->nclasses = 1;
  for (uint32_t pc = 0; pc < p->ninsns; pc++) {
    const tt_re_insn *in = &p->insns[pc];
    if (in->op == TT_OP_BYTE && !seen[in->byte]) {
      tt_re_set one = {{0}};
      seen[in->byte] = true;
      tt_re_set_add(&one, in->byte);
      refine(p, &one);
    }
  }
  for (uint32_t i = 0; i < p->nsets; i++)
    refine(p, &p->sets[i]);
  for (int b = 255; b >= 0; b--)
    p->classrep[p->classmap[b]] = (uint8_t)b;
}

tt_re_prog *tt_re_prog_new(const tt_re_tree *tree) {
  tt_re_prog *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return NULL;
  uint32_t n = tree->nodes[tree->root].size + 1;
  p->ninsns = n;
  p->nsets = (uint32_t)tree->nsets;
  p->insns = malloc(n * sizeof(*p->insns));
  p->sets = malloc((tree->nsets + 1) * sizeof(*p->sets));
  p->mark = calloc(n, sizeof(*p->mark));
  p->stack = malloc(n * sizeof(*p->stack));
  p->list = malloc(n * sizeof(*p->list));
  p->list2 = malloc(n * sizeof(*p->list2));
  if (p->insns == NULL || p->sets == NULL || p->mark == NULL ||
      p->stack == NULL || p->list == NULL || p->list2 == NULL) {
    tt_re_prog_free(p);
    return NULL;
  }
  if (tree->nsets > 0)
    memcpy(p->sets, tree->sets, tree->nsets * sizeof(*p->sets));

  builder B = {.t = tree, .insns = p->insns, .pc = 0};
  emit(&B, tree->root);
  put(&B, TT_OP_MATCH, 0, 0);
  byte_classes(p);
  p->cache_max = TT_PATTERN_CACHE_MAX;
  p->stats.size = n;
  return p;
}

void tt_re_prog_free(tt_re_prog *p) {
  if (p == NULL)
    return;
  tt_re_cache_free(p);
  free(p->insns);
  free(p->sets);
  free(p->mark);
  free(p->stack);
  free(p->list);
  free(p->list2);
  free(p);
}
