/* pattern.c - matching replies: memcmp for an anchored literal (what most
 * heartbeats check), our own linear-time engine for any other pattern. */
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "pattern_prog.h"

/* The engine: pattern_parse.c reads the syntax, pattern_prog.c compiles
 * it to a Thompson program, pattern_dfa.c runs that.
 *
 * Memory per compiled pattern, bounded: the program (6 bytes an
 * instruction, at most TT_PATTERN_MAX_SIZE of them), its bracket sets (32
 * bytes each, at most 256), scratch for one step (10 bytes an
 * instruction) and the DFA state cache (grown on demand, at most
 * TT_PATTERN_CACHE_MAX): under 80 KiB whatever the pattern, about 2 KiB
 * for a preset's. */

/* Characters with a meaning in an ERE; a backslash before one makes it
 * literal. */
static const char ere_special[] = ".[]()*+?{}|^$\\";

/* Finds the literal of "^chars" or "^chars$"; returns false when src is
 * anything more. */
static bool literal_of(tt_pattern *p, const char *src) {
  size_t len = strlen(src), n = 0;
  bool exact = false;
  if (src[0] != '^')
    return false;
  char *lit = malloc(len);
  if (lit == NULL)
    return false;
  for (size_t i = 1; i < len; i++) {
    unsigned char c = (unsigned char)src[i];
    if (c == '\\') {
      /* Only an escaped special character is defined to be literal. */
      if (i + 1 >= len || strchr(ere_special, src[i + 1]) == NULL)
        goto no;
      lit[n++] = src[++i];
    } else if (c == '$' && i + 1 == len) {
      exact = true;
    } else if (c < 0x20 || c >= 0x7f || strchr(ere_special, c) != NULL) {
      goto no;
    } else {
      lit[n++] = (char)c;
    }
  }
  p->literal = lit;
  p->literal_len = n;
  p->literal_exact = exact;
  return true;
no:
  free(lit);
  return false;
}

int tt_pattern_compile(tt_pattern *p, const char *src, char *err, size_t n) {
  tt_re_tree tree;
  memset(p, 0, sizeof(*p));
  if (tt_re_parse(src, &tree, err, n) != 0)
    return -1;
  p->prog = tt_re_prog_new(&tree);
  tt_re_tree_free(&tree);
  p->source = strdup(src);
  if (p->prog == NULL || p->source == NULL) {
    tt_pattern_free(p);
    if (n > 0)
      strncpy(err, "out of memory", n - 1)[n - 1] = '\0';
    return -1;
  }
  literal_of(p, src);
  return 0;
}

bool tt_pattern_match(const tt_pattern *p, const char *data, size_t n) {
  if (p->literal != NULL) {
    if (p->literal_exact ? n != p->literal_len : n < p->literal_len)
      return false;
    return memcmp(data, p->literal, p->literal_len) == 0;
  }
  return tt_re_match(p->prog, (const unsigned char *)data, n);
}

void tt_pattern_free(tt_pattern *p) {
  tt_re_prog_free(p->prog);
  free(p->source);
  free(p->literal);
  memset(p, 0, sizeof(*p));
}

void tt_pattern_get_stats(const tt_pattern *p, tt_pattern_stats *out) {
  const tt_re_prog *g = p->prog;
  *out = g->stats;
  out->cache = tt_re_cache_bytes(g);
  out->memory = sizeof(*p) + strlen(p->source) + 1 + p->literal_len +
                sizeof(*g) + g->ninsns * (sizeof(*g->insns) + sizeof(*g->mark) +
                                          3 * sizeof(*g->stack)) +
                (g->nsets + 1) * sizeof(*g->sets) + out->cache +
                (g->cache != NULL ? tt_re_cache_struct_size() : 0);
}
