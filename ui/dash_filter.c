/* dash_filter.c - parsing filter terms and matching them. Text terms are
 * case-insensitive substrings; state and class names become bit masks
 * once, so that matching ten thousand targets is a few comparisons each. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "dash_filter.h"

/* Case-insensitive (ASCII) substring search of needle[0..nl). */
static bool contains(const char *hay, const char *needle, size_t nl) {
  if (hay == NULL)
    return false;
  if (nl == 0)
    return true;
  for (; *hay != '\0'; hay++) {
    size_t i = 0;
    while (i < nl && hay[i] != '\0' &&
           tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
      i++;
    if (i == nl)
      return true;
  }
  return false;
}

static bool equals(const char *a, const char *b, size_t bl) {
  return strlen(a) == bl && strncasecmp(a, b, bl) == 0;
}

/* The names (of count, through name_of) that value names: each of its
 * comma-separated parts a prefix of the name, or all of it when exact. */
static unsigned names_mask(const char *value, size_t len, int count,
                           const char *(*name_of)(int), bool exact) {
  unsigned mask = 0;
  size_t i = 0;
  while (i <= len) {
    size_t j = i;
    while (j < len && value[j] != ',')
      j++;
    if (j > i) {
      for (int k = 0; k < count; k++) {
        const char *n = name_of(k);
        bool hit = exact ? equals(n, value + i, j - i)
                         : strlen(n) >= j - i &&
                               strncasecmp(n, value + i, j - i) == 0;
        if (hit)
          mask |= 1u << k;
      }
    }
    i = j + 1;
  }
  return mask;
}

static const char *state_name_of(int k) {
  return tt_state_name((tt_state)k);
}

static const char *class_name_of(int k) {
  return tt_class_name((tt_class)k);
}

static const struct {
  const char *field;
  tt_term_kind kind;
} fields[] = {
  {"state", TT_TERM_STATE}, {"class", TT_TERM_CLASS}, {"tag", TT_TERM_TAG},
  {"name", TT_TERM_NAME},   {"addr", TT_TERM_ADDRESS},
  {"address", TT_TERM_ADDRESS},
};

static void compile_term(tt_filter *f, char *w, size_t len) {
  tt_term *t = &f->term[f->nterms];
  memset(t, 0, sizeof(*t));
  if (len > 0 && w[0] == '!') {
    t->negate = true;
    w++;
    len--;
  }
  t->kind = TT_TERM_TEXT;
  const char *colon = memchr(w, ':', len);
  if (colon != NULL) {
    size_t fl = (size_t)(colon - w);
    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
      if (equals(fields[k].field, w, fl)) {
        t->kind = fields[k].kind;
        w += fl + 1;
        len -= fl + 1;
        break;
      }
    }
  }
  t->word = w;
  t->len = len;
  /* "!" or "tag:" alone, half typed, does not hide everything. */
  if (len == 0)
    return;
  if (t->kind == TT_TERM_TEXT && memchr(w, ',', len) == NULL &&
      names_mask(w, len, TT_STATE_COUNT, state_name_of, true) != 0)
    t->kind = TT_TERM_STATE;
  if (t->kind == TT_TERM_STATE) {
    /* A bare word names a state whole; after "state:" a prefix will do. */
    t->mask = names_mask(w, len, TT_STATE_COUNT, state_name_of,
                         colon == NULL);
    f->on_states = true;
  } else if (t->kind == TT_TERM_CLASS) {
    t->mask = names_mask(w, len, TT_CLASS_COUNT, class_name_of, false);
    f->on_results = true;
  }
  f->nterms++;
}

void tt_filter_compile(tt_filter *f, const char *src) {
  memset(f, 0, sizeof(*f));
  size_t n = strlen(src);
  if (n >= sizeof(f->text))
    n = sizeof(f->text) - 1;
  memcpy(f->text, src, n);
  f->text[n] = '\0';
  size_t i = 0;
  while (i < n && f->nterms < TT_FILTER_TERMS) {
    while (i < n && f->text[i] == ' ')
      i++;
    size_t j = i;
    while (j < n && f->text[j] != ' ')
      j++;
    if (j > i) {
      f->text[j] = '\0';
      compile_term(f, f->text + i, j - i);
    }
    i = j + 1;
  }
}

static bool has_tag(const tt_match_subject *s, const tt_term *t) {
  for (size_t k = 0; k < s->ntags; k++) {
    size_t i = 0;
    while (i <= t->len) {
      size_t j = i;
      while (j < t->len && t->word[j] != ',')
        j++;
      if (j > i && equals(s->tags[k], t->word + i, j - i))
        return true;
      i = j + 1;
    }
  }
  return false;
}

static bool term_match(const tt_term *t, const tt_match_subject *s) {
  switch (t->kind) {
  case TT_TERM_NAME:
    return contains(s->name, t->word, t->len);
  case TT_TERM_ADDRESS:
    return contains(s->address, t->word, t->len) ||
           contains(s->ip, t->word, t->len);
  case TT_TERM_TAG:
    return has_tag(s, t);
  case TT_TERM_STATE:
    return s->view != NULL && (t->mask >> s->view->state & 1u);
  case TT_TERM_CLASS:
    return s->view != NULL && s->view->seq > 0 &&
           (t->mask >> s->view->last_class & 1u);
  case TT_TERM_TEXT:
    if (contains(s->name, t->word, t->len) ||
        contains(s->address, t->word, t->len) ||
        contains(s->ip, t->word, t->len))
      return true;
    for (size_t k = 0; k < s->ntags; k++)
      if (contains(s->tags[k], t->word, t->len))
        return true;
    return false;
  }
  return false;
}

bool tt_filter_match(const tt_filter *f, const tt_match_subject *s) {
  for (size_t i = 0; i < f->nterms; i++)
    if (term_match(&f->term[i], s) == f->term[i].negate)
      return false;
  return true;
}
