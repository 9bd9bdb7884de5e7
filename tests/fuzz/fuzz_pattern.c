/* fuzz_pattern.c - libFuzzer target: any pattern is taken or refused, runs
 * within its linear bound, and gives glibc's answer where glibc is trusted. */
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "pattern_prog.h"
#include "ref_helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* glibc's own matcher is slow on some long replies, and its compiler
 * copies the tree for each + and {n,m} and then walks the copies' empty
 * paths with no bound. Stacked or nested repetitions multiply: a+++...
 * takes 2^n memory, and ^2{2,}{4,}*;**{2,}{4,}2b0 (seven operators,
 * counts under 5) ran for minutes in regcomp. So glibc is asked only when
 * the product of every repetition's weight (its largest count + 1, or 2
 * for *, + and ?) times the pattern's length stays small; ours still runs,
 * against its bound. Anchors are worse: glibc copies what follows one for
 * each context it may be in, so that ^2**{2,}{4,} takes 0.5 s ({3,}{4,}:
 * 20 s) where x2**{2,}{4,} takes 0.05 ms, and each copy of (^$)? doubles
 * the walk ((^$)?{6}* 32 ms, {10} 47 s): with an anchor, far less. Past
 * these, so does an empty group (:()?{25}* took 15 s): glibc is asked in
 * a helper process (ref_helper.h), given up on after a second. */
#define REF_MAX_PATTERN 128
#define REF_MAX_REPLY 512
#define REF_MAX_WEIGHT 2048 /* length x the repetitions' product */
#define REF_MAX_WEIGHT_ANCHORS 64 /* ... with an anchor */
#define REF_MAX_SIZE 64     /* our program's size, for the copies' */

/* The weight of a {n}, {n,} or {n,m} at s (just past the brace). */
static size_t brace_weight(const char *s) {
  char *end;
  unsigned long n = strtoul(s, &end, 10);
  if (*end == ',' && end[1] >= '0' && end[1] <= '9')
    n = strtoul(end + 1, &end, 10);
  return n > REF_MAX_WEIGHT ? REF_MAX_WEIGHT + 1 : (size_t)n + 1;
}

static bool glibc_copes(const char *src, size_t n, size_t size) {
  size_t len = strlen(src);
  if (size > REF_MAX_SIZE || len > REF_MAX_PATTERN || n > REF_MAX_REPLY)
    return false;
  size_t weight = len;
  bool anchor = false;
  for (size_t i = 0; i < len && weight <= REF_MAX_WEIGHT; i++) {
    char c = src[i];
    if (c == '\\' && i + 1 < len)
      i++;
    else if (c == '+' || c == '*' || c == '?')
      weight *= 2;
    else if (c == '{')
      weight *= brace_weight(src + i + 1);
    else if (c == '^' || c == '$')
      anchor = true; /* or a bracket's: counted all the same */
  }
  return weight <= (anchor ? REF_MAX_WEIGHT_ANCHORS : REF_MAX_WEIGHT);
}

/* Runs one engine alone; aborts past the bound the engine promises. */
static bool run(tt_pattern *p, int mode, size_t cache_max, const char *reply,
                size_t n) {
  tt_pattern_stats a, b;
  tt_re_cache_free(p->prog);
  p->prog->mode = mode;
  p->prog->cache_max = cache_max;
  tt_pattern_get_stats(p, &a);
  bool ok = tt_re_match(p->prog, (const unsigned char *)reply, n);
  tt_pattern_get_stats(p, &b);
  if (b.work - a.work > 2 * (n + 1) * b.size || b.cache > cache_max) {
    fprintf(stderr, "%s: %llu steps over %zu bytes, %zu bytes of cache\n",
            p->source, (unsigned long long)(b.work - a.work), n, b.cache);
    abort();
  }
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool once;
  if (!once) {
    setlocale(LC_ALL, "C");
    once = true;
  }
  /* The pattern, a NUL, the reply (which may hold anything). */
  const uint8_t *nul = memchr(data, '\0', size);
  size_t plen = nul != NULL ? (size_t)(nul - data) : size;
  char *src = malloc(plen + 1);
  if (src == NULL)
    return 0;
  memcpy(src, data, plen);
  src[plen] = '\0';
  const char *reply = nul != NULL ? (const char *)nul + 1 : "";
  size_t n = nul != NULL ? size - plen - 1 : 0;

  tt_pattern p;
  char err[160];
  if (tt_pattern_compile(&p, src, err, sizeof err) != 0) {
    if (strlen(err) == 0 || strlen(err) >= sizeof err - 1)
      abort();
    free(src);
    return 0;
  }
  bool fast = tt_pattern_match(&p, reply, n);
  bool dfa = run(&p, TT_RE_MODE_DFA, TT_PATTERN_CACHE_MAX, reply, n);
  bool nfa = run(&p, TT_RE_MODE_NFA, TT_PATTERN_CACHE_MAX, reply, n);
  bool tiny = run(&p, TT_RE_MODE_AUTO, 500, reply, n);
  if (fast != dfa || dfa != nfa || nfa != tiny) {
    fprintf(stderr, "%s: engines disagree: %d %d %d %d\n", src, fast, dfa,
            nfa, tiny);
    abort();
  }

  tt_pattern_stats st;
  tt_pattern_get_stats(&p, &st);
  if (glibc_copes(src, n, st.size)) {
    int answer = ref_ask(src, reply, n);
    if ((answer == REF_MATCH || answer == REF_NO_MATCH) &&
        (answer == REF_MATCH) != fast) {
      fprintf(stderr, "%s: we say %d, glibc %d\n", src, fast, !fast);
      abort();
    }
    if (answer == REF_REFUSED) {
      /* We take no syntax that glibc calls wrong. */
      fprintf(stderr, "%s: glibc refuses it, we take it\n", src);
      abort();
    }
  }
  tt_pattern_free(&p);
  free(src);
  return 0;
}
