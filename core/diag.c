/* diag.c - the config loader's problems, worded for the person who has to
 * fix them: collected once each, then handed over in file order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "grow.h"
#include "loader.h"

#define MAX_DIAGS 1000 /* problems reported; past them, only a note */

void tt_diags_init(tt_diags *d) {
  d->v = NULL;
  d->n = d->cap = 0;
}

void tt_diags_free(tt_diags *d) {
  for (size_t i = 0; i < d->n; i++)
    free(d->v[i].text);
  free(d->v);
  tt_diags_init(d);
}

static void diags_push(tt_diags *d, unsigned line, unsigned col, char *text) {
  tt_diag *v = tt_grow(d->v, &d->cap, d->n, sizeof(*v), 8);
  if (v == NULL) {
    free(text);
    return;
  }
  d->v = v;
  d->v[d->n].line = line;
  d->v[d->n].col = col;
  d->v[d->n].text = text;
  d->n++;
}

/* Keeps one problem (taking text), once: the same problem found through
 * several targets (a bad default) is reported a single time. */
static void add_pending(loader *L, bool option, unsigned line, unsigned col,
                        char *text) {
  L->failed = true;
  if (text == NULL)
    return;
  if (L->ndiags == MAX_DIAGS) {
    L->truncated = true;
    free(text);
    return;
  }
  for (size_t i = 0; i < L->ndiags; i++) {
    pending *p = &L->diags[i];
    if (p->option == option && p->line == line && p->col == col &&
        strcmp(p->text, text) == 0) {
      free(text);
      return;
    }
  }
  pending *v = tt_grow(L->diags, &L->capdiags, L->ndiags, sizeof(*v), 16);
  if (v == NULL) {
    free(text);
    return;
  }
  L->diags = v;
  L->diags[L->ndiags++] = (pending){line, col, option, L->seq++, text};
}

static char *vformat(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);
static char *vformat(const char *fmt, va_list ap) {
  char *s;
  if (vasprintf(&s, fmt, ap) < 0)
    return NULL;
  return s;
}

char *ld_format(const char *fmt, ...) {
  va_list ap;
  char *s;
  va_start(ap, fmt);
  s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

const char *ld_quote(char *buf, size_t n, const char *s, size_t len) {
  tt_escape(buf, n, s, len, 0);
  return buf;
}

void ld_file_diag(loader *L, unsigned line, unsigned col, const char *fmt,
                  ...) {
  va_list ap;
  char *msg, *text = NULL;
  va_start(ap, fmt);
  msg = vformat(fmt, ap);
  va_end(ap);
  if (msg != NULL) {
    if (line > 0)
      text = ld_format("%s:%u:%u: %s", L->source, line, col, msg);
    else
      text = ld_format("%s: %s", L->source, msg);
  }
  free(msg);
  add_pending(L, false, line, col, text);
}

void ld_option_diag(loader *L, const char *fmt, ...) {
  va_list ap;
  char *text;
  va_start(ap, fmt);
  text = vformat(fmt, ap);
  va_end(ap);
  add_pending(L, true, 0, 0, text);
}

/* A message about target t: at line:col of the file (line 0: the
 * target's own place), or under the command-line target it came from. */
static void target_vdiag(loader *L, const tctx *t, unsigned line,
                         unsigned col, const char *fmt, va_list ap)
  PRINTF_LIKE(5, 0);
static void target_vdiag(loader *L, const tctx *t, unsigned line,
                         unsigned col, const char *fmt, va_list ap) {
  char *msg = vformat(fmt, ap);
  if (msg == NULL)
    L->failed = true;
  else if (t->arg != NULL)
    ld_option_diag(L, "TARGET '%s': %s", t->arg, msg);
  else if (line > 0)
    ld_file_diag(L, line, col, "%s", msg);
  else
    ld_file_diag(L, t->line, t->col, "%s", msg);
  free(msg);
}

void ld_target_diag(loader *L, const tctx *t, unsigned line, unsigned col,
                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  target_vdiag(L, t, line, col, fmt, ap);
  va_end(ap);
}

void ld_where_diag(loader *L, const draft *d, const where *at,
                   const char *fmt, ...) {
  bool in_file = at != NULL && at->origin == FROM_CONFIG;
  va_list ap;
  va_start(ap, fmt);
  target_vdiag(L, &d->ctx, in_file ? at->line : 0, in_file ? at->col : 0,
               fmt, ap);
  va_end(ap);
}

static int pending_order(const void *a, const void *b) {
  const pending *x = a, *y = b;
  if (x->option != y->option)
    return x->option ? 1 : -1;
  if (!x->option) {
    if (x->line != y->line)
      return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
      return x->col < y->col ? -1 : 1;
  }
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ld_flush_diags(loader *L, tt_diags *out) {
  if (L->ndiags > 0)
    qsort(L->diags, L->ndiags, sizeof(L->diags[0]), pending_order);
  for (size_t i = 0; i < L->ndiags; i++) {
    pending *p = &L->diags[i];
    diags_push(out, p->line, p->col, p->text);
  }
  if (L->truncated) {
    char *text = ld_format("too many problems; only the first %d are shown",
                           MAX_DIAGS);
    if (text != NULL)
      diags_push(out, 0, 0, text);
  }
  free(L->diags);
  L->diags = NULL;
  L->ndiags = L->capdiags = 0;
}

void *ld_keep(loader *L, void *p) {
  if (p == NULL) {
    L->failed = true;
    return NULL;
  }
  if (L->nowned == L->capowned) {
    size_t cap = L->capowned ? L->capowned * 2 : 8;
    void **v = realloc(L->owned, cap * sizeof(*v));
    if (v == NULL) {
      free(p);
      L->failed = true;
      return NULL;
    }
    L->owned = v;
    L->capowned = cap;
  }
  L->owned[L->nowned++] = p;
  return p;
}
