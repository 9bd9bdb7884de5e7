/* suggest.c - did-you-mean for keys and presets: an edit distance small
 * enough to catch typos and large enough not to guess wildly. */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "preset.h"
#include "suggest.h"

#define MAX_WORD 32   /* longer words are never close to anything here */
#define MAX_PRESETS 32

static unsigned char lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Edit distance (with transpositions) between two short words, ignoring
 * case. */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  size_t d[MAX_WORD + 1][MAX_WORD + 1];

  if (la > MAX_WORD || lb > MAX_WORD)
    return 99;
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      unsigned char ca = lower((unsigned char)a[i - 1]);
      unsigned char cb = lower((unsigned char)b[j - 1]);
      size_t best = d[i - 1][j - 1] + (ca != cb);
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && ca == lower((unsigned char)b[j - 2]) &&
          lower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  }
  return d[la][lb];
}

const char *tt_closest(const char *word, const char *const *cands,
                       size_t n) {
  const char *best = NULL;
  size_t best_d = 99;
  for (size_t i = 0; i < n; i++) {
    size_t d = distance(word, cands[i]);
    size_t limit = strlen(cands[i]) >= 6 ? 2 : 1;
    if (d <= limit && d < strlen(word) && d < best_d) {
      best = cands[i];
      best_d = d;
    }
  }
  return best;
}

void tt_preset_names(char *buf, size_t n) {
  size_t np, used = 0;
  const tt_preset *all = tt_preset_all(&np);
  buf[0] = '\0';
  for (size_t i = 0; i < np && used < n; i++) {
    int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
                     all[i].name);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

void tt_unknown_preset(const char *name, size_t len, char *buf, size_t n) {
  const char *names[MAX_PRESETS];
  size_t np;
  const tt_preset *all = tt_preset_all(&np);
  char q[64], list[256], word[MAX_WORD + 1];
  const char *guess = NULL;

  if (np > MAX_PRESETS)
    np = MAX_PRESETS;
  for (size_t i = 0; i < np; i++)
    names[i] = all[i].name;
  tt_preset_names(list, sizeof(list));
  tt_escape(q, sizeof(q), name, len, 0);
  if (len <= MAX_WORD && memchr(name, '\0', len) == NULL) {
    memcpy(word, name, len);
    word[len] = '\0';
    guess = tt_closest(word, names, np);
  }
  if (guess != NULL)
    snprintf(buf, n, "unknown preset '%s' (did you mean '%s'?); presets: %s",
             q, guess, list);
  else
    snprintf(buf, n, "unknown preset '%s'; presets: %s", q, list);
}
