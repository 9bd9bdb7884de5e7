/* pattern_prog.h - private to the pattern module: the syntax tree the
 * parser builds, the Thompson program compiled from it, and its matcher. */
#ifndef TETHER_PATTERN_PROG_H
#define TETHER_PATTERN_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern.h"

/* Counts in {n,m} go up to POSIX's RE_DUP_MAX (glibc would take 32767,
 * which only makes programs too big to run in bounded time). */
#define TT_RE_DUP_MAX 255
/* Parentheses nest this deep at most: the parser recurses on them. */
#define TT_RE_MAX_DEPTH 100
/* Distinct bracket expressions (after \w, \s and . are counted as such):
 * each costs 32 bytes in the program. */
#define TT_RE_MAX_SETS 256

/* A set of bytes, one bit each. */
typedef struct tt_re_set {
  uint64_t bits[4];
} tt_re_set;

static inline bool tt_re_set_has(const tt_re_set *s, unsigned char b) {
  return (s->bits[b >> 6] >> (b & 63)) & 1;
}

static inline void tt_re_set_add(tt_re_set *s, unsigned char b) {
  s->bits[b >> 6] |= UINT64_C(1) << (b & 63);
}

/* ---- the syntax tree (pattern_parse.c) ---- */

typedef enum tt_re_kind {
  TT_RE_EMPTY,  /* matches the empty string */
  TT_RE_BYTE,   /* one byte */
  TT_RE_ANY,    /* any byte */
  TT_RE_SET,    /* a byte of sets[set] */
  TT_RE_BOL,    /* ^: the start of the reply */
  TT_RE_EOL,    /* $: the end of the reply */
  TT_RE_CAT,    /* the children in turn */
  TT_RE_ALT,    /* one of the children */
  TT_RE_REPEAT  /* the child min..max times */
} tt_re_kind;

#define TT_RE_INF UINT16_MAX /* an unbounded max */

typedef struct tt_re_node {
  uint8_t kind;
  uint8_t byte;        /* TT_RE_BYTE */
  uint16_t min, max;   /* TT_RE_REPEAT */
  uint16_t set;        /* TT_RE_SET */
  int32_t child, next; /* first child, next sibling; -1 for none */
  uint32_t size;       /* instructions it compiles to, capped */
} tt_re_node;

typedef struct tt_re_tree {
  tt_re_node *nodes;
  size_t nnodes, capnodes;
  tt_re_set *sets;
  size_t nsets, capsets;
  int32_t root;
} tt_re_tree;

/* Parses src into tree. Returns 0, or -1 with a message in err (whose
 * tree is freed). */
int tt_re_parse(const char *src, tt_re_tree *tree, char *err, size_t n);
void tt_re_tree_free(tt_re_tree *tree);

/* ---- the program (pattern_prog.c) ---- */

typedef enum tt_re_op {
  TT_OP_BYTE,  /* consume insn.byte */
  TT_OP_SET,   /* consume a byte of sets[insn.x] */
  TT_OP_ANY,   /* consume any byte */
  TT_OP_SPLIT, /* go on at x and at y */
  TT_OP_JMP,   /* go on at x */
  TT_OP_BOL,   /* go on at pc + 1 at the reply's start only */
  TT_OP_EOL,   /* go on at pc + 1 at the reply's end only */
  TT_OP_MATCH
} tt_re_op;

typedef struct tt_re_insn {
  uint8_t op;
  uint8_t byte;
  uint16_t x, y;
} tt_re_insn;

struct tt_re_cache;

typedef struct tt_re_prog {
  tt_re_insn *insns;
  uint32_t ninsns;
  tt_re_set *sets;
  uint32_t nsets;
  /* Bytes that no instruction tells apart share a class: DFA states keep
   * one transition per class, not per byte. */
  uint8_t classmap[256];
  uint8_t classrep[256]; /* a byte of each class */
  uint16_t nclasses;

  /* Scratch for one step, sized by the program, allocated with it so
   * that matching does not allocate. */
  uint32_t *mark; /* generation of the last step that reached each pc */
  uint32_t gen;
  uint16_t *stack, *list, *list2;

  struct tt_re_cache *cache; /* the lazy DFA's states; NULL until used */
  size_t cache_max;          /* the most bytes the state cache may hold */
  int mode;                  /* TT_RE_MODE_*, for tests */

  tt_pattern_stats stats;
} tt_re_prog;

/* How tt_re_match runs: the lazy DFA falling back to NFA simulation when
 * its cache thrashes (the default), or one of them alone (for tests). */
enum { TT_RE_MODE_AUTO, TT_RE_MODE_DFA, TT_RE_MODE_NFA };

/* Compiles a parsed tree. Returns NULL when memory runs out. */
tt_re_prog *tt_re_prog_new(const tt_re_tree *tree);
void tt_re_prog_free(tt_re_prog *p);

/* ---- matching (pattern_dfa.c) ---- */

bool tt_re_match(tt_re_prog *p, const unsigned char *data, size_t n);
/* Bytes the state cache holds now (arena and hash table). */
size_t tt_re_cache_bytes(const tt_re_prog *p);
size_t tt_re_cache_struct_size(void);
void tt_re_cache_free(tt_re_prog *p);

#endif
