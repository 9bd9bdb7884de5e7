/* config.c - loading the configuration: a YAML file and command-line
 * targets resolved layer by layer into targets, or every problem found,
 * worded for the person who has to fix it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "config.h"
#include "duration.h"
#include "escape.h"
#include "yamldoc.h"

#define MAX_DIAGS 1000 /* problems reported; past them, only a note */
#define MAX_TAG 64     /* bytes */
#define QUOTE_SIZE 64  /* how much of a value a message quotes, escaped */

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---- the fields of a settings layer ---- */

/* One index per TT_HAS_* bit, in the same order, and the banner, which only
 * a preset sets. */
enum field {
  F_INTERVAL,
  F_TIMEOUT,
  F_CONNECT_TIMEOUT,
  F_MISS_THRESHOLD,
  F_RTT_WARN,
  F_MAX_REPLY,
  F_REPLY_END,
  F_FAMILY,
  F_BACKOFF_INITIAL,
  F_BACKOFF_MAX,
  F_MODE,
  F_SEND,
  F_EXPECT,
  F_PRESET,
  F_BANNER,
  NFIELDS
};
#define BIT(f) (1u << (f))

_Static_assert(BIT(F_INTERVAL) == TT_HAS_INTERVAL, "field order");
_Static_assert(BIT(F_BACKOFF_MAX) == TT_HAS_BACKOFF_MAX, "field order");
_Static_assert(BIT(F_PRESET) == TT_HAS_PRESET, "field order");

/* How each field is spelled in the file and on the command line. */
static const char *const field_keys[NFIELDS] = {
  "interval", "timeout", "connect_timeout", "miss_threshold", "rtt_warn",
  "max_reply", "reply_end", "family", "backoff.initial", "backoff.max",
  "mode", "send", "expect", "preset", "banner",
};
static const char *const field_options[NFIELDS] = {
  "--interval", "--timeout", "--connect-timeout", "--miss-threshold",
  "--rtt-warn", "--max-reply", "--reply-end", "--family",
  "--backoff-initial", "--backoff-max", "--mode", "--send", "--expect",
  "--preset", "--preset",
};

/* Where a setting's value came from, so that a problem found only once the
 * layers are combined is reported where it can be fixed. */
enum origin {
  FROM_BUILTIN = 0,
  FROM_CONFIG, /* the file, or a TARGET argument */
  FROM_OPTION  /* a command-line option (in->overrides) */
};

typedef struct where {
  unsigned char origin;
  bool preset;       /* set by the preset named at line:col */
  unsigned line, col;
} where;

/* One layer as written: values, where each key stood, and which keys
 * were written but refused (so that no follow-on problem is reported). */
typedef struct layer {
  tt_settings s;
  where at[NFIELDS];
  unsigned bad;
} layer;

/* The layers combined. */
typedef struct resolved {
  tt_settings s;
  const char *banner;
  where at[NFIELDS];
} resolved;

/* ---- the keys of the file ---- */

enum key {
  K_NAME,
  K_ADDRESS,
  K_HOST,
  K_PORT,
  K_TAGS,
  K_PRESET,
  K_MODE,
  K_SEND,
  K_EXPECT,
  K_INTERVAL,
  K_TIMEOUT,
  K_CONNECT_TIMEOUT,
  K_MISS_THRESHOLD,
  K_RTT_WARN,
  K_MAX_REPLY,
  K_REPLY_END,
  K_FAMILY,
  K_BACKOFF,
  K_DEFAULTS,
  K_TARGETS,
  K_INITIAL,
  K_MAX,
  K_COUNT
};

static const char *const key_names[K_COUNT] = {
  "name", "address", "host", "port", "tags", "preset", "mode", "send",
  "expect", "interval", "timeout", "connect_timeout", "miss_threshold",
  "rtt_warn", "max_reply", "reply_end", "family", "backoff", "defaults",
  "targets", "initial", "max",
};

/* The keys allowed in each kind of mapping: a range of enum key. */
enum keyset { SET_TOP, SET_DEFAULTS, SET_TARGET, SET_BACKOFF };
static const struct {
  enum key first, last;
} keysets[] = {
  [SET_TOP] = {K_DEFAULTS, K_TARGETS},
  [SET_DEFAULTS] = {K_PRESET, K_BACKOFF},
  [SET_TARGET] = {K_NAME, K_BACKOFF},
  [SET_BACKOFF] = {K_INITIAL, K_MAX},
};

/* ---- the loader ---- */

typedef struct pending {
  unsigned line, col;
  bool option;       /* a command-line problem: after the file's */
  size_t seq;
  char *text;
} pending;

typedef struct loader {
  const tt_config_input *in;
  char *source;      /* the file's name, escaped for messages */
  tt_ydoc doc;
  layer defaults;
  layer overrides;
  tt_config *cfg;
  uint32_t *names;   /* hash of target names: index + 1, 0 when free */
  size_t names_mask;
  tt_pattern **pats; /* hash of compiled patterns by source */
  size_t pats_mask;
  pending *diags;
  size_t ndiags, capdiags, seq;
  bool failed;
  bool truncated;
} loader;

/* What a target's problems are reported against. */
typedef struct tctx {
  const char *arg;    /* the TARGET argument, escaped; NULL for the file */
  unsigned line, col; /* the target's mapping in the file */
} tctx;

/* ---- diagnostics ---- */

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
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 8;
    tt_diag *v = realloc(d->v, cap * sizeof(*v));
    if (v == NULL) {
      free(text);
      return;
    }
    d->v = v;
    d->cap = cap;
  }
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
  if (L->ndiags == L->capdiags) {
    size_t cap = L->capdiags ? L->capdiags * 2 : 16;
    pending *v = realloc(L->diags, cap * sizeof(*v));
    if (v == NULL) {
      free(text);
      return;
    }
    L->diags = v;
    L->capdiags = cap;
  }
  L->diags[L->ndiags++] = (pending){line, col, option, L->seq++, text};
}

static char *vformat(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);
static char *vformat(const char *fmt, va_list ap) {
  char *s;
  if (vasprintf(&s, fmt, ap) < 0)
    return NULL;
  return s;
}

static char *format(const char *fmt, ...) PRINTF_LIKE(1, 2);
static char *format(const char *fmt, ...) {
  va_list ap;
  char *s;
  va_start(ap, fmt);
  s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

/* A problem in the file: "FILE:LINE:COL: message", or "FILE: message" when
 * it has no position. */
static void file_diag(loader *L, unsigned line, unsigned col, const char *fmt,
                      ...) PRINTF_LIKE(4, 5);
static void file_diag(loader *L, unsigned line, unsigned col, const char *fmt,
                      ...) {
  va_list ap;
  char *msg, *text = NULL;
  va_start(ap, fmt);
  msg = vformat(fmt, ap);
  va_end(ap);
  if (msg != NULL) {
    if (line > 0)
      text = format("%s:%u:%u: %s", L->source, line, col, msg);
    else
      text = format("%s: %s", L->source, msg);
  }
  free(msg);
  add_pending(L, false, line, col, text);
}

/* A problem on the command line, already prefixed by its caller. */
static void option_diag(loader *L, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void option_diag(loader *L, const char *fmt, ...) {
  va_list ap;
  char *text;
  va_start(ap, fmt);
  text = vformat(fmt, ap);
  va_end(ap);
  add_pending(L, true, 0, 0, text);
}

/* A problem of one target: at line:col in the file (the target itself when
 * line is 0), or "TARGET 'x': message" for a command-line target. */
static void target_diag(loader *L, const tctx *t, unsigned line, unsigned col,
                        const char *fmt, ...) PRINTF_LIKE(5, 6);
static void target_diag(loader *L, const tctx *t, unsigned line, unsigned col,
                        const char *fmt, ...) {
  va_list ap;
  char *msg;
  va_start(ap, fmt);
  msg = vformat(fmt, ap);
  va_end(ap);
  if (msg == NULL) {
    L->failed = true;
    return;
  }
  if (t->arg != NULL)
    option_diag(L, "TARGET '%s': %s", t->arg, msg);
  else if (line > 0)
    file_diag(L, line, col, "%s", msg);
  else
    file_diag(L, t->line, t->col, "%s", msg);
  free(msg);
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

/* Hands the problems over in order: the file's by position, then the
 * command line's as found. */
static void flush_diags(loader *L, tt_diags *out) {
  if (L->ndiags > 0)
    qsort(L->diags, L->ndiags, sizeof(L->diags[0]), pending_order);
  for (size_t i = 0; i < L->ndiags; i++) {
    pending *p = &L->diags[i];
    diags_push(out, p->line, p->col, p->text);
  }
  if (L->truncated) {
    char *text = format("too many problems; only the first %d are shown",
                        MAX_DIAGS);
    if (text != NULL)
      diags_push(out, 0, 0, text);
  }
  free(L->diags);
  L->diags = NULL;
  L->ndiags = L->capdiags = 0;
}

/* ---- small helpers ---- */

/* Escapes len bytes of s into buf for quoting in a message. */
static const char *quote(char *buf, size_t n, const char *s, size_t len) {
  tt_escape(buf, n, s, len, 0);
  return buf;
}

static bool is_digits(const char *s) {
  if (*s == '\0')
    return false;
  for (; *s != '\0'; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

/* Reads a decimal whole number from lo to hi, digits only. */
static int parse_count(const char *s, uint32_t lo, uint32_t hi,
                       uint32_t *out) {
  uint64_t v = 0;
  if (!is_digits(s))
    return -1;
  for (; *s != '\0'; s++) {
    if (v <= hi)
      v = v * 10 + (uint64_t)(*s - '0');
  }
  if (v < lo || v > hi)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

/* Control characters a terminal would obey: C0, DEL, and C1 as UTF-8. */
static bool has_control(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len; i++) {
    if (u[i] < 0x20 || u[i] == 0x7f)
      return true;
    if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
      return true;
  }
  return false;
}

static char *dup_bytes(const char *s, size_t len) {
  char *d = malloc(len + 1);
  if (d != NULL) {
    if (len > 0)
      memcpy(d, s, len);
    d[len] = '\0';
  }
  return d;
}

static unsigned char lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Edit distance (with transpositions) between two short words, ignoring
 * case; words longer than 32 bytes are never close to anything here. */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  size_t d[33][33];

  if (la > 32 || lb > 32)
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

/* The candidate close enough to word to be what was meant, or NULL: one
 * edit away for short names, two for names of six bytes or more. */
static const char *closest(const char *word, const char *const *cands,
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

/* "tcp, echo, redis, ..." */
static void preset_list(char *buf, size_t n) {
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

/* The message for a preset name that is not one. */
static char *unknown_preset(const char *name, size_t len) {
  const char *names[16];
  size_t np;
  const tt_preset *all = tt_preset_all(&np);
  char q[QUOTE_SIZE], list[128];
  const char *guess;

  for (size_t i = 0; i < np && i < 16; i++)
    names[i] = all[i].name;
  preset_list(list, sizeof(list));
  quote(q, sizeof(q), name, len);
  guess = strlen(name) == len ? closest(name, names, np < 16 ? np : 16) : NULL;
  if (guess != NULL)
    return format("unknown preset '%s' (did you mean '%s'?); presets: %s", q,
                  guess, list);
  return format("unknown preset '%s'; presets: %s", q, list);
}

/* The reason a name is refused, or NULL. */
static const char *name_problem(const char *s, size_t len) {
  if (len > TT_MAX_NAME)
    return "is longer than 100 bytes";
  if (has_control(s, len))
    return "must not contain control characters";
  return NULL;
}

/* ---- reading nodes ---- */

static const tt_ynode *node(const loader *L, uint32_t i) {
  return tt_ydoc_node(&L->doc, i);
}

static const char *text_of(const loader *L, const tt_ynode *n) {
  return tt_ydoc_text(&L->doc, n);
}

/* What a node is, for "expected X, found Y". */
static const char *describe(const loader *L, const tt_ynode *n, char *buf,
                            size_t size) {
  char q[40];
  if (n->kind == TT_Y_MAP)
    return "a mapping";
  if (n->kind == TT_Y_SEQ)
    return "a list";
  if (tt_ydoc_is_null(&L->doc, n))
    return "nothing";
  snprintf(buf, size, "'%s'", quote(q, sizeof(q), text_of(L, n), n->count));
  return buf;
}

static void wrong_kind(loader *L, const tt_ynode *v, const char *key,
                       const char *expected) {
  char found[48];
  const char *what = describe(L, v, found, sizeof(found));
  if (key != NULL)
    file_diag(L, v->line, v->col, "%s: expected %s, found %s", key, expected,
              what);
  else
    file_diag(L, v->line, v->col, "expected %s, found %s", expected, what);
}

/* The text of a value that must be a scalar, or NULL after reporting that
 * it is something else, nothing, or (unless nul_ok) holds a NUL byte. */
static const char *scalar_value(loader *L, const tt_ynode *v, const char *key,
                                const char *expected, bool nul_ok) {
  const char *s;
  if (v->kind != TT_Y_SCALAR || tt_ydoc_is_null(&L->doc, v)) {
    wrong_kind(L, v, key, expected);
    return NULL;
  }
  s = text_of(L, v);
  if (!nul_ok && strlen(s) != v->count) {
    file_diag(L, v->line, v->col, "%s must not contain a NUL byte", key);
    return NULL;
  }
  return s;
}

/* Reports a key that is not allowed in this mapping. Returns the key it
 * is probably a misspelling of, or -1. */
static int unknown_key(loader *L, const tt_ynode *key, enum keyset set,
                       int id) {
  const char *s = text_of(L, key);
  char q[QUOTE_SIZE];
  const char *cands[K_COUNT] = {0};
  size_t n = 0;
  const char *guess;

  quote(q, sizeof(q), s, key->count);
  if (strcmp(s, "<<") == 0) {
    file_diag(L, key->line, key->col, "merge keys (<<) are not supported");
    return -1;
  }
  if (id >= 0) {
    bool setting = id >= K_PRESET && id <= K_BACKOFF;
    bool target_only = id >= K_NAME && id <= K_TAGS;
    bool top = id == K_DEFAULTS || id == K_TARGETS;
    const char *place = NULL;
    if (set == SET_TOP && setting)
      place = "under defaults: or in a target";
    else if (set == SET_TOP && target_only)
      place = "in a target, under targets:";
    else if (set == SET_DEFAULTS && target_only)
      place = "in a target, not in defaults:";
    else if ((set == SET_DEFAULTS || set == SET_TARGET) && top)
      place = "at the top level";
    if (place != NULL) {
      file_diag(L, key->line, key->col, "'%s' belongs %s", q, place);
      return -1;
    }
  }
  for (int k = (int)keysets[set].first; k <= (int)keysets[set].last; k++)
    cands[n++] = key_names[k];
  guess = strlen(s) == key->count ? closest(s, cands, n) : NULL;
  if (guess != NULL) {
    file_diag(L, key->line, key->col, "unknown key '%s'; did you mean '%s'?", q,
              guess);
    for (int k = (int)keysets[set].first; k <= (int)keysets[set].last; k++)
      if (key_names[k] == guess)
        return k;
  } else {
    char list[320];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
      int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                       cands[i]);
      if (w < 0 || (size_t)w >= sizeof(list) - used)
        break;
      used += (size_t)w;
    }
    file_diag(L, key->line, key->col, "unknown key '%s'; valid keys: %s", q,
              list);
  }
  return -1;
}

/* Checks one key of a mapping against the keys allowed there and those
 * already seen. Returns its id, or -1 after reporting; then *guess is the
 * key it was probably meant to be, or -1. */
static int check_key(loader *L, const tt_ynode *key, enum keyset set,
                     const tt_ynode **seen, int *guess) {
  const char *s;
  int id = -1;

  *guess = -1;
  if (key->kind != TT_Y_SCALAR || tt_ydoc_is_null(&L->doc, key)) {
    char found[48];
    file_diag(L, key->line, key->col, "keys must be strings, found %s",
              describe(L, key, found, sizeof(found)));
    return -1;
  }
  s = text_of(L, key);
  for (int k = 0; k < K_COUNT; k++) {
    if (strlen(key_names[k]) == key->count && strcmp(key_names[k], s) == 0)
      id = k;
  }
  if (id < (int)keysets[set].first || id > (int)keysets[set].last) {
    *guess = unknown_key(L, key, set, id);
    return -1;
  }
  if (seen[id] != NULL) {
    file_diag(L, key->line, key->col, "duplicate key '%s' (first at %u:%u)",
              key_names[id], seen[id]->line, seen[id]->col);
    return -1;
  }
  seen[id] = key;
  return id;
}

/* Steps through a mapping's pairs: *k is the key's index, and the value
 * follows it. */
static bool next_pair(const loader *L, uint32_t *k, const tt_ynode **key,
                      const tt_ynode **val) {
  if (*k == 0)
    return false;
  *key = node(L, *k);
  *val = node(L, (*key)->next);
  if (*val == NULL)
    return false;
  *k = (*val)->next;
  return true;
}

/* ---- settings keys ---- */

static uint64_t *duration_slot(tt_settings *s, enum field f) {
  switch (f) {
  case F_INTERVAL: return &s->interval_ms;
  case F_TIMEOUT: return &s->timeout_ms;
  case F_CONNECT_TIMEOUT: return &s->connect_timeout_ms;
  case F_RTT_WARN: return &s->rtt_warn_ms;
  case F_BACKOFF_INITIAL: return &s->backoff_initial_ms;
  default: return &s->backoff_max_ms;
  }
}

static uint64_t duration_of(const tt_settings *s, enum field f) {
  return *duration_slot((tt_settings *)s, f);
}

static void set_field(layer *lay, enum field f, const tt_ynode *key) {
  lay->s.has |= BIT(f);
  lay->at[f] = (where){FROM_CONFIG, false, key->line, key->col};
}

static void duration_key(loader *L, layer *lay, enum field f,
                         const tt_ynode *key, const tt_ynode *v) {
  const char *name = field_keys[f];
  const char *s, *why;
  char q[QUOTE_SIZE];
  uint64_t ms;

  s = scalar_value(L, v, name, "a duration such as 250ms, 2s or 1m", false);
  if (s == NULL) {
    lay->bad |= BIT(f);
    return;
  }
  quote(q, sizeof(q), s, v->count);
  if (tt_duration_parse(s, &ms, &why) != 0) {
    file_diag(L, v->line, v->col, "%s '%s' %s", name, q, why);
    lay->bad |= BIT(f);
    return;
  }
  if (ms == 0) {
    file_diag(L, v->line, v->col, "%s '%s' must be greater than 0", name, q);
    lay->bad |= BIT(f);
    return;
  }
  *duration_slot(&lay->s, f) = ms;
  set_field(lay, f, key);
}

static void backoff_key(loader *L, layer *lay, const tt_ynode *v) {
  const tt_ynode *seen[K_COUNT] = {0};
  const tt_ynode *k, *val;
  uint32_t i;

  if (v->kind != TT_Y_MAP) {
    wrong_kind(L, v, "backoff", "a mapping such as {initial: 500ms, max: 30s}");
    lay->bad |= BIT(F_BACKOFF_INITIAL) | BIT(F_BACKOFF_MAX);
    return;
  }
  for (i = v->first; next_pair(L, &i, &k, &val);) {
    int guess, id = check_key(L, k, SET_BACKOFF, seen, &guess);
    if (guess == K_INITIAL)
      lay->bad |= BIT(F_BACKOFF_INITIAL);
    else if (guess == K_MAX)
      lay->bad |= BIT(F_BACKOFF_MAX);
    else if (id == K_INITIAL)
      duration_key(L, lay, F_BACKOFF_INITIAL, k, val);
    else if (id == K_MAX)
      duration_key(L, lay, F_BACKOFF_MAX, k, val);
  }
}

static void count_key(loader *L, layer *lay, enum field f,
                      const tt_ynode *key, const tt_ynode *v) {
  const char *name = field_keys[f];
  const char *expected = f == F_MISS_THRESHOLD
                             ? "a whole number from 1 to 100"
                             : "a whole number of bytes from 1 to 1048576";
  uint32_t hi = f == F_MISS_THRESHOLD ? TT_MAX_MISS_THRESHOLD
                                      : TT_MAX_MAX_REPLY;
  const char *s = scalar_value(L, v, name, expected, false);
  char q[QUOTE_SIZE];
  uint32_t n;

  if (s == NULL) {
    lay->bad |= BIT(f);
    return;
  }
  if (parse_count(s, 1, hi, &n) != 0) {
    file_diag(L, v->line, v->col, "%s '%s' must be %s", name,
              quote(q, sizeof(q), s, v->count), expected);
    lay->bad |= BIT(f);
    return;
  }
  if (f == F_MISS_THRESHOLD)
    lay->s.miss_threshold = n;
  else
    lay->s.max_reply = n;
  set_field(lay, f, key);
}

/* send and reply_end: any bytes, NUL included, within bounds. */
static void bytes_key(loader *L, layer *lay, enum field f, const tt_ynode *key,
                      const tt_ynode *v) {
  const char *name = field_keys[f];
  size_t max = f == F_SEND ? TT_MAX_SEND : TT_MAX_REPLY_END;
  const char *s = scalar_value(L, v, name, "a string", true);
  char q[QUOTE_SIZE];

  if (s == NULL) {
    lay->bad |= BIT(f);
    return;
  }
  if (v->count == 0) {
    file_diag(L, v->line, v->col, "%s is empty", name);
    lay->bad |= BIT(f);
    return;
  }
  if (v->count > max) {
    if (f == F_SEND)
      file_diag(L, v->line, v->col, "send is longer than 64 KiB");
    else
      file_diag(L, v->line, v->col, "reply_end '%s' is longer than 16 bytes",
                quote(q, sizeof(q), s, v->count));
    lay->bad |= BIT(f);
    return;
  }
  if (f == F_SEND) {
    lay->s.send = s;
    lay->s.send_len = v->count;
  } else {
    lay->s.reply_end = s;
    lay->s.reply_end_len = v->count;
  }
  set_field(lay, f, key);
}

/* Compiles an expect regex to check it; *err gets regerror's text. */
static int check_regex(const char *re, char *err, size_t n) {
  regex_t r;
  int rc = regcomp(&r, re, REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    regerror(rc, &r, err, n);
    return -1;
  }
  regfree(&r);
  return 0;
}

static void parse_setting(loader *L, layer *lay, enum key k,
                          const tt_ynode *key, const tt_ynode *v) {
  char q[QUOTE_SIZE];
  const char *s;

  switch (k) {
  case K_INTERVAL: duration_key(L, lay, F_INTERVAL, key, v); return;
  case K_TIMEOUT: duration_key(L, lay, F_TIMEOUT, key, v); return;
  case K_CONNECT_TIMEOUT:
    duration_key(L, lay, F_CONNECT_TIMEOUT, key, v);
    return;
  case K_RTT_WARN: duration_key(L, lay, F_RTT_WARN, key, v); return;
  case K_MISS_THRESHOLD: count_key(L, lay, F_MISS_THRESHOLD, key, v); return;
  case K_MAX_REPLY: count_key(L, lay, F_MAX_REPLY, key, v); return;
  case K_REPLY_END: bytes_key(L, lay, F_REPLY_END, key, v); return;
  case K_SEND: bytes_key(L, lay, F_SEND, key, v); return;
  case K_BACKOFF: backoff_key(L, lay, v); return;
  case K_FAMILY:
    s = scalar_value(L, v, "family", "auto, ipv4 or ipv6", false);
    if (s != NULL && tt_family_from_name(s, &lay->s.family) == 0) {
      set_field(lay, F_FAMILY, key);
      return;
    }
    if (s != NULL)
      file_diag(L, v->line, v->col, "family '%s' must be auto, ipv4 or ipv6",
                quote(q, sizeof(q), s, v->count));
    lay->bad |= BIT(F_FAMILY);
    return;
  case K_MODE:
    s = scalar_value(L, v, "mode", "persistent or connect", false);
    if (s != NULL && tt_mode_from_name(s, &lay->s.mode) == 0) {
      set_field(lay, F_MODE, key);
      return;
    }
    if (s != NULL)
      file_diag(L, v->line, v->col, "mode '%s' must be persistent or connect",
                quote(q, sizeof(q), s, v->count));
    lay->bad |= BIT(F_MODE);
    return;
  case K_EXPECT: {
    char err[160];
    s = scalar_value(L, v, "expect", "a regular expression", false);
    if (s != NULL && check_regex(s, err, sizeof(err)) == 0) {
      lay->s.expect = s;
      set_field(lay, F_EXPECT, key);
      return;
    }
    if (s != NULL)
      file_diag(L, v->line, v->col, "expect '%s': %s",
                quote(q, sizeof(q), s, v->count), err);
    lay->bad |= BIT(F_EXPECT);
    return;
  }
  case K_PRESET: {
    char list[128];
    preset_list(list, sizeof(list));
    {
      char expected[160];
      snprintf(expected, sizeof(expected), "a preset name (%s)", list);
      s = scalar_value(L, v, "preset", expected, false);
    }
    if (s != NULL && (lay->s.preset = tt_preset_find(s)) != NULL) {
      set_field(lay, F_PRESET, key);
      return;
    }
    if (s != NULL) {
      char *msg = unknown_preset(s, v->count);
      if (msg != NULL)
        file_diag(L, v->line, v->col, "%s", msg);
      else
        L->failed = true;
      free(msg);
    }
    lay->bad |= BIT(F_PRESET);
    return;
  }
  default:
    return;
  }
}

/* The fields that a misspelt key was probably meant to set: problems that
 * involve them are not reported, as they could be follow-ons. */
static unsigned suspect_fields(int guess) {
  switch (guess) {
  case K_PRESET: return BIT(F_PRESET);
  case K_MODE: return BIT(F_MODE);
  case K_SEND: return BIT(F_SEND);
  case K_EXPECT: return BIT(F_EXPECT);
  case K_INTERVAL: return BIT(F_INTERVAL);
  case K_TIMEOUT: return BIT(F_TIMEOUT);
  case K_FAMILY: return BIT(F_FAMILY);
  case K_BACKOFF: return BIT(F_BACKOFF_INITIAL) | BIT(F_BACKOFF_MAX);
  default: return 0;
  }
}

/* ---- layers ---- */

static void resolved_init(resolved *r) {
  memset(r, 0, sizeof(*r));
  r->s.interval_ms = TT_DEFAULT_INTERVAL_MS;
  r->s.timeout_ms = TT_DEFAULT_TIMEOUT_MS;
  r->s.connect_timeout_ms = TT_DEFAULT_CONNECT_TIMEOUT_MS;
  r->s.miss_threshold = TT_DEFAULT_MISS_THRESHOLD;
  r->s.max_reply = TT_DEFAULT_MAX_REPLY;
  r->s.reply_end = TT_DEFAULT_REPLY_END;
  r->s.reply_end_len = strlen(TT_DEFAULT_REPLY_END);
  r->s.family = TT_FAMILY_AUTO;
  r->s.backoff_initial_ms = TT_DEFAULT_BACKOFF_INITIAL_MS;
  r->s.backoff_max_ms = TT_DEFAULT_BACKOFF_MAX_MS;
  r->s.mode = TT_MODE_UNSET;
}

/* A preset sets mode, send, expect, banner and reply_end at its layer,
 * clearing what it does not use. */
static void apply_preset(resolved *r, const tt_preset *p, where at) {
  static const enum field sets[] = {F_MODE, F_SEND, F_EXPECT, F_BANNER,
                                    F_REPLY_END, F_PRESET};
  r->s.preset = p;
  r->s.mode = p->mode;
  r->s.send = p->send;
  r->s.send_len = p->send ? strlen(p->send) : 0;
  r->s.expect = p->expect;
  r->banner = p->banner;
  r->s.reply_end = p->reply_end ? p->reply_end : TT_DEFAULT_REPLY_END;
  r->s.reply_end_len = strlen(r->s.reply_end);
  r->s.has |= TT_HAS_MODE | TT_HAS_PRESET;
  at.preset = true;
  for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
    r->at[sets[i]] = at;
}

static void apply_layer(resolved *r, const layer *l) {
  const tt_settings *s = &l->s;
  if (s->has & TT_HAS_PRESET)
    apply_preset(r, s->preset, l->at[F_PRESET]);
  for (int f = 0; f < F_PRESET; f++) {
    if (!(s->has & BIT(f)))
      continue;
    switch ((enum field)f) {
    case F_INTERVAL:
    case F_TIMEOUT:
    case F_CONNECT_TIMEOUT:
    case F_RTT_WARN:
    case F_BACKOFF_INITIAL:
    case F_BACKOFF_MAX:
      *duration_slot(&r->s, (enum field)f) = duration_of(s, (enum field)f);
      break;
    case F_MISS_THRESHOLD: r->s.miss_threshold = s->miss_threshold; break;
    case F_MAX_REPLY: r->s.max_reply = s->max_reply; break;
    case F_REPLY_END:
      r->s.reply_end = s->reply_end;
      r->s.reply_end_len = s->reply_end_len;
      break;
    case F_FAMILY: r->s.family = s->family; break;
    case F_MODE: r->s.mode = s->mode; break;
    case F_SEND:
      r->s.send = s->send;
      r->s.send_len = s->send_len;
      break;
    case F_EXPECT: r->s.expect = s->expect; break;
    default: break;
    }
    r->s.has |= BIT(f);
    r->at[f] = l->at[f];
  }
}

/* Checks the command-line overrides once and makes a layer of them. */
static void load_overrides(loader *L) {
  const tt_settings *o = L->in->overrides;
  layer *lay = &L->overrides;

  if (o == NULL)
    return;
  lay->s = *o;
  lay->s.has = 0;
  for (int f = 0; f <= F_PRESET; f++) {
    const char *opt = field_options[f];
    const char *why = NULL;
    char err[160];
    if (!(o->has & BIT(f)))
      continue;
    switch ((enum field)f) {
    case F_INTERVAL:
    case F_TIMEOUT:
    case F_CONNECT_TIMEOUT:
    case F_RTT_WARN:
    case F_BACKOFF_INITIAL:
    case F_BACKOFF_MAX: {
      uint64_t ms = duration_of(o, (enum field)f);
      if (ms == 0)
        why = "must be greater than 0";
      else if (ms > TT_MAX_DURATION_MS)
        why = "is longer than 24h";
      break;
    }
    case F_MISS_THRESHOLD:
      if (o->miss_threshold < 1 || o->miss_threshold > TT_MAX_MISS_THRESHOLD)
        why = "must be a whole number from 1 to 100";
      break;
    case F_MAX_REPLY:
      if (o->max_reply < 1 || o->max_reply > TT_MAX_MAX_REPLY)
        why = "must be a whole number of bytes from 1 to 1048576";
      break;
    case F_REPLY_END:
      if (o->reply_end == NULL || o->reply_end_len == 0)
        why = "is empty";
      else if (o->reply_end_len > TT_MAX_REPLY_END)
        why = "is longer than 16 bytes";
      break;
    case F_FAMILY:
      if (o->family != TT_FAMILY_AUTO && o->family != TT_FAMILY_IPV4 &&
          o->family != TT_FAMILY_IPV6)
        why = "must be auto, ipv4 or ipv6";
      break;
    case F_MODE:
      if (o->mode != TT_MODE_PERSISTENT && o->mode != TT_MODE_CONNECT)
        why = "must be persistent or connect";
      break;
    case F_SEND:
      if (o->send == NULL || o->send_len == 0)
        why = "is empty";
      else if (o->send_len > TT_MAX_SEND)
        why = "is longer than 64 KiB";
      break;
    case F_EXPECT:
      if (o->expect == NULL)
        why = "is empty";
      else if (check_regex(o->expect, err, sizeof(err)) != 0)
        why = err;
      break;
    case F_PRESET:
      if (o->preset == NULL)
        why = "is not a preset";
      break;
    default:
      break;
    }
    if (why != NULL) {
      option_diag(L, "%s: %s", opt, why);
      lay->bad |= BIT(f);
      continue;
    }
    lay->s.has |= BIT(f);
    lay->at[f] = (where){FROM_OPTION, false, 0, 0};
  }
}

/* ---- targets ---- */

/* A target as read, before its settings are combined. */
typedef struct draft {
  tctx ctx;
  layer lay;
  /* keys of a target in the file */
  const tt_ynode *key[K_COUNT];
  const tt_ynode *val[K_COUNT];
  /* where the name (explicit or defaulted) is reported */
  unsigned name_line, name_col;
  bool refused; /* an address key seems misspelt: do not call it missing */
} draft;

static uint32_t name_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* Records t's name; reports it when an earlier target has the same. */
static void check_unique_name(loader *L, draft *d, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  size_t i = name_hash(t->name) & L->names_mask;
  char q[QUOTE_SIZE];

  for (; L->names[i] != 0; i = (i + 1) & L->names_mask) {
    const tt_target *first = &L->cfg->targets[L->names[i] - 1];
    if (strcmp(first->name, t->name) != 0)
      continue;
    quote(q, sizeof(q), t->name, strlen(t->name));
    if (first->line == 0)
      target_diag(L, &d->ctx, 0, 0,
                  "duplicate target name '%s' (given earlier on the command "
                  "line)",
                  q);
    else if (d->ctx.arg != NULL)
      target_diag(L, &d->ctx, 0, 0,
                  "duplicate target name '%s' (first at %s:%u:%u)", q,
                  L->source, first->line, first->col);
    else
      target_diag(L, &d->ctx, d->name_line, d->name_col,
                  "duplicate target name '%s' (first at %u:%u)", q,
                  first->line, first->col);
    return;
  }
  L->names[i] = (uint32_t)index + 1;
}

/* Reports a problem of the combined settings where it can be fixed: at
 * the key that set the deciding value (or the target) for the file, as
 * the option for the command line. */
static void where_diag(loader *L, const draft *d, const where *at,
                       const char *fmt, ...) PRINTF_LIKE(4, 5);
static void where_diag(loader *L, const draft *d, const where *at,
                       const char *fmt, ...) {
  va_list ap;
  char *msg;
  va_start(ap, fmt);
  msg = vformat(fmt, ap);
  va_end(ap);
  if (msg == NULL) {
    L->failed = true;
    return;
  }
  if (at != NULL && at->origin == FROM_CONFIG)
    target_diag(L, &d->ctx, at->line, at->col, "%s", msg);
  else
    target_diag(L, &d->ctx, 0, 0, "%s", msg);
  free(msg);
}

static const where *from_file(const resolved *r, enum field f) {
  return r->at[f].origin == FROM_CONFIG ? &r->at[f] : NULL;
}

/* The problems that only show once the layers are combined. bad says
 * which fields had a refused value somewhere, so that no follow-on problem
 * is reported. */
static void check_combined(loader *L, const draft *d, const tt_target *t,
                           const resolved *r, unsigned bad) {
  char a[32], b[32], q[QUOTE_SIZE];
  const unsigned mode_fields =
      BIT(F_MODE) | BIT(F_SEND) | BIT(F_PRESET) | BIT(F_EXPECT);
  const char *name = t->name ? quote(q, sizeof(q), t->name, strlen(t->name))
                             : "?";

  if (!(bad & mode_fields) && r->s.mode == TT_MODE_PERSISTENT &&
      r->s.send == NULL) {
    if (r->at[F_MODE].origin == FROM_OPTION)
      option_diag(L,
                  "--mode: persistent mode needs send, or a preset that sets "
                  "it (target '%s' has none)",
                  name);
    else
      where_diag(L, d, from_file(r, F_MODE),
                 "persistent mode needs send, or a preset that sets it");
  }
  if (!(bad & mode_fields) && r->s.mode == TT_MODE_CONNECT &&
      r->s.send != NULL && r->s.expect == NULL) {
    if (r->at[F_SEND].origin == FROM_OPTION)
      option_diag(L,
                  "--send: connect mode with send needs expect (target '%s' "
                  "has none)",
                  name);
    else if (r->at[F_MODE].origin == FROM_OPTION)
      option_diag(L,
                  "--mode: connect mode with send needs expect (target '%s' "
                  "has none)",
                  name);
    else
      where_diag(L, d,
                 from_file(r, F_SEND) ? from_file(r, F_SEND)
                                      : from_file(r, F_MODE),
                 "connect mode with send needs expect");
  }
  if (!(bad & (mode_fields | BIT(F_TIMEOUT) | BIT(F_INTERVAL))) &&
      r->s.mode == TT_MODE_PERSISTENT && r->s.timeout_ms > r->s.interval_ms) {
    bool opt_t = r->at[F_TIMEOUT].origin == FROM_OPTION;
    bool opt_i = r->at[F_INTERVAL].origin == FROM_OPTION;
    tt_duration_format(r->s.timeout_ms, a, sizeof(a));
    tt_duration_format(r->s.interval_ms, b, sizeof(b));
    if (opt_t && opt_i)
      option_diag(L,
                  "--timeout: %s must not exceed --interval %s in persistent "
                  "mode",
                  a, b);
    else if (opt_t)
      option_diag(L,
                  "--timeout: %s must not exceed the interval (%s) of target "
                  "'%s' in persistent mode",
                  a, b, name);
    else if (opt_i)
      option_diag(L,
                  "--interval: %s must not be below the timeout (%s) of "
                  "target '%s' in persistent mode",
                  b, a, name);
    else
      where_diag(L, d,
                 from_file(r, F_TIMEOUT) ? from_file(r, F_TIMEOUT)
                                         : from_file(r, F_INTERVAL),
                 "timeout (%s) must not exceed interval (%s) in persistent "
                 "mode",
                 a, b);
  }
  if (!(bad & (BIT(F_BACKOFF_INITIAL) | BIT(F_BACKOFF_MAX))) &&
      r->s.backoff_initial_ms > r->s.backoff_max_ms) {
    tt_duration_format(r->s.backoff_initial_ms, a, sizeof(a));
    tt_duration_format(r->s.backoff_max_ms, b, sizeof(b));
    if (r->at[F_BACKOFF_INITIAL].origin == FROM_OPTION ||
        r->at[F_BACKOFF_MAX].origin == FROM_OPTION)
      option_diag(L,
                  "%s: backoff initial (%s) must not exceed backoff max (%s) "
                  "of target '%s'",
                  r->at[F_BACKOFF_INITIAL].origin == FROM_OPTION
                      ? "--backoff-initial"
                      : "--backoff-max",
                  a, b, name);
    else
      where_diag(L, d,
                 from_file(r, F_BACKOFF_INITIAL)
                     ? from_file(r, F_BACKOFF_INITIAL)
                     : from_file(r, F_BACKOFF_MAX),
                 "backoff initial (%s) must not exceed backoff max (%s)", a,
                 b);
  }
  if (!(bad & BIT(F_FAMILY)) && t->address != NULL &&
      ((r->s.family == TT_FAMILY_IPV4 && t->literal_family == 6) ||
       (r->s.family == TT_FAMILY_IPV6 && t->literal_family == 4))) {
    const char *fam = tt_family_name(r->s.family);
    const char *lit = t->literal_family == 6 ? "IPv6" : "IPv4";
    char qa[QUOTE_SIZE];
    quote(qa, sizeof(qa), t->address, strlen(t->address));
    if (r->at[F_FAMILY].origin == FROM_OPTION)
      option_diag(L, "--family: %s does not fit target '%s' (an %s address)",
                  fam, name, lit);
    else if (d->ctx.arg != NULL)
      target_diag(L, &d->ctx, 0, 0, "address is %s, but family is %s", lit,
                  fam);
    else if (d->val[K_ADDRESS] != NULL)
      target_diag(L, &d->ctx, d->val[K_ADDRESS]->line,
                  d->val[K_ADDRESS]->col,
                  "address '%s' is %s, but family is %s", qa, lit, fam);
    else
      target_diag(L, &d->ctx, d->val[K_HOST]->line, d->val[K_HOST]->col,
                  "host '%s' is %s, but family is %s",
                  quote(qa, sizeof(qa), t->host, strlen(t->host)), lit, fam);
  }
}

/* The preset's send with every "{address}" replaced by the address. */
static char *expand_send(const char *send, size_t len, const char *address,
                         size_t *out_len) {
  static const char token[] = "{address}";
  const size_t tlen = sizeof(token) - 1;
  size_t alen = address ? strlen(address) : 0, n = 0, w = 0;
  const char *p, *end = send + len;
  char *out;

  if (address == NULL) {
    *out_len = len;
    return dup_bytes(send, len);
  }
  for (p = send; (p = memmem(p, (size_t)(end - p), token, tlen)) != NULL;
       p += tlen)
    n++;
  out = malloc(len - n * tlen + n * alen + 1);
  if (out == NULL)
    return NULL;
  for (p = send; p < end;) {
    const char *hit = memmem(p, (size_t)(end - p), token, tlen);
    size_t chunk = hit ? (size_t)(hit - p) : (size_t)(end - p);
    memcpy(out + w, p, chunk);
    w += chunk;
    p += chunk;
    if (hit == NULL)
      break;
    memcpy(out + w, address, alen);
    w += alen;
    p += tlen;
  }
  out[w] = '\0';
  *out_len = w;
  return out;
}

/* Finds the compiled pattern for src, compiling it the first time: ten
 * thousand targets with one preset share one. */
static int compile(loader *L, const draft *d, const char *src,
                   const char **dst, const tt_pattern **out,
                   const char *what) {
  size_t i = name_hash(src) & L->pats_mask;
  for (; L->pats[i] != NULL; i = (i + 1) & L->pats_mask) {
    if (strcmp(L->pats[i]->source, src) == 0) {
      *dst = L->pats[i]->source;
      *out = L->pats[i];
      return 0;
    }
  }
  char err[160];
  tt_pattern *p = malloc(sizeof(*p));
  if (p == NULL) {
    L->failed = true;
    return -1;
  }
  if (tt_pattern_compile(p, src, err, sizeof(err)) != 0) {
    target_diag(L, &d->ctx, 0, 0, "%s: %s", what, err);
    free(p);
    return -1;
  }
  p->next = L->cfg->patterns;
  L->cfg->patterns = p;
  L->pats[i] = p;
  *dst = p->source;
  *out = p;
  return 0;
}

/* Combines the layers for one target whose name and address are known
 * (or were refused), checks the result and fills in t. */
static void finish_target(loader *L, draft *d, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  unsigned bad = L->defaults.bad | d->lay.bad | L->overrides.bad;
  resolved r;

  if (t->name != NULL)
    check_unique_name(L, d, index);

  resolved_init(&r);
  apply_layer(&r, &L->defaults);
  apply_layer(&r, &d->lay);
  apply_layer(&r, &L->overrides);
  /* When no layer chose a mode, sending something means a heartbeat. */
  if (!(r.s.has & TT_HAS_MODE))
    r.s.mode = r.s.send != NULL ? TT_MODE_PERSISTENT : TT_MODE_CONNECT;
  check_combined(L, d, t, &r, bad);
  if (L->failed)
    return; /* nothing of this config will be used */

  t->preset = r.s.preset;
  t->mode = r.s.mode;
  t->interval_ms = r.s.interval_ms;
  t->timeout_ms = r.s.timeout_ms;
  t->connect_timeout_ms = r.s.connect_timeout_ms;
  t->rtt_warn_ms = r.s.rtt_warn_ms;
  t->miss_threshold = r.s.miss_threshold;
  t->max_reply = r.s.max_reply;
  t->family = r.s.family;
  t->backoff_initial_ms = r.s.backoff_initial_ms;
  t->backoff_max_ms = r.s.backoff_max_ms;
  if (r.s.send != NULL) {
    if (r.at[F_SEND].preset)
      t->send = expand_send(r.s.send, r.s.send_len, t->address, &t->send_len);
    else
      t->send = dup_bytes(r.s.send, t->send_len = r.s.send_len);
    if (t->send == NULL)
      L->failed = true;
  }
  t->reply_end = dup_bytes(r.s.reply_end, t->reply_end_len = r.s.reply_end_len);
  if (t->reply_end == NULL)
    L->failed = true;
  if (r.s.expect != NULL)
    compile(L, d, r.s.expect, &t->expect, &t->expect_pattern, "expect");
  if (r.banner != NULL)
    compile(L, d, r.banner, &t->banner, &t->banner_pattern, "banner");
}

/* Sets the target's host, port and address from its address: key, or
 * from host: and port:. */
static void file_address(loader *L, draft *d, tt_target *t) {
  const tt_ynode *av = d->val[K_ADDRESS], *hv = d->val[K_HOST],
                 *pv = d->val[K_PORT];
  char q[QUOTE_SIZE];
  const char *why, *s;
  tt_hostport hp;

  if (av != NULL && (hv != NULL || pv != NULL)) {
    /* Reported at whichever of the keys was written last. */
    const tt_ynode *k = d->key[K_ADDRESS];
    for (int id = K_HOST; id <= K_PORT; id++) {
      const tt_ynode *o = d->key[id];
      if (o != NULL && (o->line > k->line ||
                        (o->line == k->line && o->col > k->col)))
        k = o;
    }
    file_diag(L, k->line, k->col,
              "give either address or host and port, not both");
    return;
  }
  if (av != NULL) {
    s = scalar_value(L, av, "address", "host:port", false);
    if (s == NULL)
      return;
    if (tt_address_parse(s, &hp, &why) != 0) {
      file_diag(L, av->line, av->col, "address '%s' %s",
                quote(q, sizeof(q), s, av->count), why);
      return;
    }
    t->address = strdup(s);
  } else if (hv == NULL || pv == NULL) {
    /* With an address key misspelt ("adress:"), the address is not
     * missing: that problem is already reported. */
    if (d->refused)
      return;
    if (hv == NULL && pv == NULL)
      file_diag(L, d->ctx.line, d->ctx.col,
                "this target has no address; add address: host:port (or "
                "host: and port:)");
    else if (pv == NULL)
      file_diag(L, d->key[K_HOST]->line, d->key[K_HOST]->col,
                "host needs port (or write address: host:port)");
    else
      file_diag(L, d->key[K_PORT]->line, d->key[K_PORT]->col,
                "port needs host (or write address: host:port)");
    return;
  } else {
    const char *h = scalar_value(L, hv, "host", "a host name or IP address",
                                 false);
    const char *p = scalar_value(L, pv, "port", "a port from 1 to 65535",
                                 false);
    int bad = h == NULL || p == NULL;
    if (h != NULL && tt_host_parse(h, &hp, &why) != 0) {
      file_diag(L, hv->line, hv->col, "host '%s' %s",
                quote(q, sizeof(q), h, hv->count), why);
      bad = 1;
    }
    if (p != NULL && tt_port_parse(p, &hp.port, &why) != 0) {
      file_diag(L, pv->line, pv->col, "port '%s' %s",
                quote(q, sizeof(q), p, pv->count), why);
      bad = 1;
    }
    if (bad)
      return;
    t->address = format(hp.literal_family == 6 ? "[%s]:%u" : "%s:%u", hp.host,
                        (unsigned)hp.port);
  }
  t->host = strdup(hp.host);
  t->port = hp.port;
  t->literal_family = hp.literal_family;
  if (t->address == NULL || t->host == NULL) {
    L->failed = true;
    return;
  }
}

static void file_name(loader *L, draft *d, tt_target *t) {
  const tt_ynode *nv = d->val[K_NAME];
  char q[QUOTE_SIZE];
  const char *s, *why;

  d->name_line = d->ctx.line;
  d->name_col = d->ctx.col;
  if (nv == NULL) {
    /* The name defaults to the address as configured. */
    if (t->address != NULL && (t->name = strdup(t->address)) == NULL)
      L->failed = true;
    return;
  }
  d->name_line = nv->line;
  d->name_col = nv->col;
  s = scalar_value(L, nv, "name", "a string", false);
  if (s == NULL)
    return;
  if (nv->count == 0) {
    file_diag(L, nv->line, nv->col, "name is empty");
    return;
  }
  if ((why = name_problem(s, nv->count)) != NULL) {
    file_diag(L, nv->line, nv->col, "name '%s' %s",
              quote(q, sizeof(q), s, nv->count), why);
    return;
  }
  if ((t->name = strdup(s)) == NULL)
    L->failed = true;
}

static void file_tags(loader *L, draft *d, tt_target *t) {
  const tt_ynode *tv = d->val[K_TAGS], *item;
  char q[QUOTE_SIZE];
  size_t n = 0;

  if (tv == NULL)
    return;
  if (tv->kind != TT_Y_SEQ) {
    wrong_kind(L, tv, "tags", "a list of strings such as [cache, prod]");
    return;
  }
  if (tv->count == 0)
    return;
  t->tags = calloc(tv->count, sizeof(*t->tags));
  if (t->tags == NULL) {
    L->failed = true;
    return;
  }
  for (uint32_t i = tv->first; (item = node(L, i)) != NULL; i = item->next) {
    const char *s = scalar_value(L, item, "tag", "a string", false);
    const char *why = NULL;
    if (s == NULL)
      continue;
    if (item->count == 0) {
      file_diag(L, item->line, item->col, "tag is empty");
      continue;
    }
    if (item->count > MAX_TAG)
      why = "is longer than 64 bytes";
    else if (has_control(s, item->count))
      why = "must not contain control characters";
    if (why != NULL) {
      file_diag(L, item->line, item->col, "tag '%s' %s",
                quote(q, sizeof(q), s, item->count), why);
      continue;
    }
    if ((t->tags[n] = strdup(s)) == NULL) {
      L->failed = true;
      break;
    }
    t->ntags = ++n;
  }
}

static void load_file_target(loader *L, const tt_ynode *map, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  const tt_ynode *key, *val;
  draft d;
  uint32_t i;

  memset(&d, 0, sizeof(d));
  d.ctx.line = map->line;
  d.ctx.col = map->col;
  t->line = map->line;
  t->col = map->col;
  if (map->kind != TT_Y_MAP) {
    wrong_kind(L, map, NULL,
               "a target (a mapping such as {address: db1:5432})");
    return;
  }
  for (i = map->first; next_pair(L, &i, &key, &val);) {
    int guess, id = check_key(L, key, SET_TARGET, d.key, &guess);
    if (id < 0) {
      d.lay.bad |= suspect_fields(guess);
      if (guess == K_ADDRESS || guess == K_HOST || guess == K_PORT)
        d.refused = true;
      continue;
    }
    d.val[id] = val;
    if (id >= K_PRESET)
      parse_setting(L, &d.lay, (enum key)id, key, val);
  }
  file_address(L, &d, t);
  file_name(L, &d, t);
  file_tags(L, &d, t);
  finish_target(L, &d, index);
}

/* A TARGET argument: [NAME=][PRESET://]HOST:PORT. */
static void load_adhoc(loader *L, const char *arg, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  char qarg[128];
  const char *eq = strchr(arg, '='), *rest = eq ? eq + 1 : arg, *sep, *why;
  tt_hostport hp;
  draft d;

  memset(&d, 0, sizeof(d));
  d.ctx.arg = quote(qarg, sizeof(qarg), arg, strlen(arg));
  if (eq != NULL) {
    size_t len = (size_t)(eq - arg);
    char q[QUOTE_SIZE];
    if (len == 0) {
      target_diag(L, &d.ctx, 0, 0, "name is empty");
    } else if ((why = name_problem(arg, len)) != NULL) {
      target_diag(L, &d.ctx, 0, 0, "name '%s' %s",
                  quote(q, sizeof(q), arg, len), why);
    } else if ((t->name = dup_bytes(arg, len)) == NULL) {
      L->failed = true;
      return;
    }
  }
  sep = strstr(rest, "://");
  if (sep != NULL) {
    char *pname = dup_bytes(rest, (size_t)(sep - rest));
    if (pname == NULL) {
      L->failed = true;
      return;
    }
    d.lay.s.preset = tt_preset_find(pname);
    if (d.lay.s.preset != NULL) {
      d.lay.s.has |= TT_HAS_PRESET;
      d.lay.at[F_PRESET] = (where){FROM_CONFIG, false, 0, 0};
    } else {
      char *msg = unknown_preset(pname, strlen(pname));
      if (msg != NULL)
        target_diag(L, &d.ctx, 0, 0, "%s", msg);
      else
        L->failed = true;
      free(msg);
      d.lay.bad |= BIT(F_PRESET);
    }
    free(pname);
    rest = sep + 3;
  }
  if (tt_address_parse(rest, &hp, &why) != 0) {
    target_diag(L, &d.ctx, 0, 0, "%s", why);
  } else {
    t->address = strdup(rest);
    t->host = strdup(hp.host);
    t->port = hp.port;
    t->literal_family = hp.literal_family;
    if (t->address == NULL || t->host == NULL) {
      L->failed = true;
      return;
    }
    if (eq == NULL && (t->name = strdup(rest)) == NULL) {
      L->failed = true;
      return;
    }
  }
  finish_target(L, &d, index);
}

/* ---- the file ---- */

static void yaml_report(void *ctx, unsigned line, unsigned col,
                        const char *msg) {
  file_diag(ctx, line, col, "%s", msg);
}

/* Reads the whole file, within the size bound. */
static int read_file(loader *L, const char *path, char **buf, size_t *len) {
  size_t cap = 0, n = 0;
  char *b = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0) {
    file_diag(L, 0, 0, "cannot read: %s", strerror(errno));
    return -1;
  }
  for (;;) {
    ssize_t r;
    if (n == cap) {
      char *nb;
      if (cap > TT_YAML_MAX_BYTES) {
        file_diag(L, 0, 0, "is larger than 16 MiB");
        goto fail;
      }
      cap = cap ? cap * 2 : 64 * 1024;
      if ((nb = realloc(b, cap + 1)) == NULL) {
        file_diag(L, 0, 0, "cannot read: %s", strerror(ENOMEM));
        goto fail;
      }
      b = nb;
    }
    r = read(fd, b + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      file_diag(L, 0, 0, "cannot read: %s", strerror(errno));
      goto fail;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  if (n > TT_YAML_MAX_BYTES) {
    file_diag(L, 0, 0, "is larger than 16 MiB");
    free(b);
    return -1;
  }
  *buf = b;
  *len = n;
  return 0;
fail:
  close(fd);
  free(b);
  return -1;
}

/* Finds defaults: and targets: at the top of the document. Returns -1 when
 * the document is not a config at all. */
static int load_top(loader *L, const tt_ynode **defaults,
                    const tt_ynode **targets) {
  const tt_ynode *root = node(L, L->doc.root), *key, *val;
  const tt_ynode *seen[K_COUNT] = {0};
  bool refused = false; /* targets: seems misspelt */
  uint32_t i;

  if (root == NULL || tt_ydoc_is_null(&L->doc, root)) {
    file_diag(L, 1, 1,
              "the file is empty; expected a mapping with targets: (and "
              "optionally defaults:)");
    return -1;
  }
  if (root->kind != TT_Y_MAP) {
    wrong_kind(L, root, NULL,
               "a mapping with targets: (and optionally defaults:)");
    return -1;
  }
  for (i = root->first; next_pair(L, &i, &key, &val);) {
    int guess, id = check_key(L, key, SET_TOP, seen, &guess);
    if (guess == K_TARGETS)
      refused = true;
    else if (id == K_DEFAULTS)
      *defaults = val;
    else if (id == K_TARGETS)
      *targets = val;
  }
  if (*targets == NULL && L->in->nadhoc == 0 && !refused)
    file_diag(L, root->line, root->col,
              "no targets: add a targets: list, or give targets on the "
              "command line");
  return 0;
}

static void load_defaults(loader *L, const tt_ynode *map) {
  const tt_ynode *seen[K_COUNT] = {0};
  const tt_ynode *key, *val;
  uint32_t i;

  if (map == NULL || tt_ydoc_is_null(&L->doc, map))
    return;
  if (map->kind != TT_Y_MAP) {
    wrong_kind(L, map, "defaults", "a mapping of settings");
    return;
  }
  for (i = map->first; next_pair(L, &i, &key, &val);) {
    int guess, id = check_key(L, key, SET_DEFAULTS, seen, &guess);
    if (id >= 0)
      parse_setting(L, &L->defaults, (enum key)id, key, val);
    else
      L->defaults.bad |= suspect_fields(guess);
  }
}

/* How many targets the file lists, or -1 after reporting why none can be
 * read from it. */
static long count_file_targets(loader *L, const tt_ynode *targets) {
  if (targets == NULL)
    return 0;
  if (tt_ydoc_is_null(&L->doc, targets) ||
      (targets->kind == TT_Y_SEQ && targets->count == 0)) {
    if (L->in->nadhoc == 0)
      file_diag(L, targets->line, targets->col,
                "targets is empty; list at least one target, or give targets "
                "on the command line");
    return 0;
  }
  if (targets->kind != TT_Y_SEQ) {
    wrong_kind(L, targets, "targets", "a list of targets");
    return -1;
  }
  return (long)targets->count;
}

static int alloc_targets(loader *L, size_t n) {
  size_t cap = 16;
  if (n == 0)
    return 0;
  L->cfg->targets = calloc(n, sizeof(tt_target));
  while (cap < n * 2)
    cap *= 2;
  L->names = calloc(cap, sizeof(*L->names));
  L->names_mask = cap - 1;
  /* Each target has at most two patterns (expect and banner). */
  L->pats = calloc(cap * 2, sizeof(*L->pats));
  L->pats_mask = cap * 2 - 1;
  if (L->cfg->targets == NULL || L->names == NULL || L->pats == NULL) {
    L->failed = true;
    return -1;
  }
  return 0;
}

/* ---- loading ---- */

static void load(loader *L) {
  const tt_config_input *in = L->in;
  const tt_ynode *defaults = NULL, *targets = NULL;
  char *filebuf = NULL;
  const char *buf = NULL;
  size_t len = 0, nfile = 0;
  bool have_file = in->path != NULL || in->buffer != NULL;

  load_overrides(L);
  if (!have_file && in->nadhoc == 0) {
    option_diag(L,
                "no targets: give a config file or targets on the command "
                "line");
    return;
  }
  if (in->path != NULL) {
    if (read_file(L, in->path, &filebuf, &len) != 0)
      return;
    buf = filebuf;
  } else if (in->buffer != NULL) {
    buf = in->buffer;
    len = in->buffer_len;
  }
  if (have_file) {
    long n;
    int rc = tt_ydoc_read(&L->doc, buf ? buf : "", len, yaml_report, L);
    free(filebuf);
    if (rc != 0 || load_top(L, &defaults, &targets) != 0)
      return;
    load_defaults(L, defaults);
    if ((n = count_file_targets(L, targets)) < 0)
      return;
    nfile = (size_t)n;
  }
  if (nfile + in->nadhoc > TT_MAX_TARGETS) {
    if (nfile > TT_MAX_TARGETS)
      file_diag(L, targets->line, targets->col,
                "too many targets (more than %d)", TT_MAX_TARGETS);
    else
      option_diag(L, "too many targets (more than %d)", TT_MAX_TARGETS);
    return;
  }
  if (alloc_targets(L, nfile + in->nadhoc) != 0)
    return;
  if (nfile > 0) {
    const tt_ynode *item;
    for (uint32_t i = targets->first; (item = node(L, i)) != NULL;
         i = item->next)
      load_file_target(L, item, L->cfg->ntargets++);
  }
  for (size_t i = 0; i < in->nadhoc; i++)
    load_adhoc(L, in->adhoc[i], L->cfg->ntargets++);
}

int tt_config_load(const tt_config_input *in, tt_config *cfg, tt_diags *diags) {
  loader L;
  const char *name;

  memset(cfg, 0, sizeof(*cfg));
  memset(&L, 0, sizeof(L));
  L.in = in;
  L.cfg = cfg;
  if (in->path != NULL)
    name = in->path;
  else if (in->buffer != NULL)
    name = in->buffer_name ? in->buffer_name : "<config>";
  else
    name = NULL;
  if (name != NULL) {
    size_t n = strlen(name) * 4 + 4;
    L.source = malloc(n);
    cfg->source = strdup(name);
    if (L.source == NULL || cfg->source == NULL) {
      free(L.source);
      free(cfg->source);
      cfg->source = NULL;
      diags_push(diags, 0, 0, strdup("out of memory"));
      return -1;
    }
    quote(L.source, n, name, strlen(name));
  }
  load(&L);
  tt_ydoc_free(&L.doc);
  free(L.names);
  free(L.pats);
  if (L.failed)
    tt_config_free(cfg);
  flush_diags(&L, diags);
  free(L.source);
  return L.failed ? -1 : 0;
}

void tt_config_free(tt_config *cfg) {
  for (size_t i = 0; i < cfg->ntargets; i++) {
    tt_target *t = &cfg->targets[i];
    free(t->name);
    free(t->address);
    free(t->host);
    free(t->send);
    free(t->reply_end);
    for (size_t j = 0; j < t->ntags; j++)
      free(t->tags[j]);
    free(t->tags);
  }
  while (cfg->patterns != NULL) {
    tt_pattern *p = cfg->patterns;
    cfg->patterns = p->next;
    tt_pattern_free(p);
    free(p);
  }
  free(cfg->targets);
  free(cfg->source);
  memset(cfg, 0, sizeof(*cfg));
}
