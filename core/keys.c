/* keys.c - the keys of the file, checked against the settings table:
 * which key belongs where, did-you-mean for the rest, and each value read
 * by its type into a layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "suggest.h"

/* Keys of the top level, which are no setting: slots after the table's. */
enum { SLOT_DEFAULTS = TT_SET_COUNT, SLOT_TARGETS, NSLOTS };
static const char *const top_keys[] = {"defaults", "targets"};

const tt_ynode *ld_node(const loader *L, uint32_t i) {
  return tt_ydoc_node(&L->doc, i);
}

const char *ld_text(const loader *L, const tt_ynode *n) {
  return tt_ydoc_text(&L->doc, n);
}

bool ld_next_pair(const loader *L, uint32_t *k, const tt_ynode **key,
                  const tt_ynode **val) {
  if (*k == 0)
    return false;
  *key = ld_node(L, *k);
  *val = ld_node(L, (*key)->next);
  if (*val == NULL)
    return false;
  *k = (*val)->next;
  return true;
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
  snprintf(buf, size, "'%s'", ld_quote(q, sizeof(q), ld_text(L, n), n->count));
  return buf;
}

void ld_wrong_kind(loader *L, const tt_ynode *v, const char *key,
                   const char *expected) {
  char found[48];
  const char *what = describe(L, v, found, sizeof(found));
  if (key != NULL)
    ld_file_diag(L, v->line, v->col, "%s: expected %s, found %s", key,
                 expected, what);
  else
    ld_file_diag(L, v->line, v->col, "expected %s, found %s", expected, what);
}

const char *ld_scalar(loader *L, const tt_ynode *v, const char *key,
                      const char *expected, bool bytes_ok) {
  const char *s;
  if (v->kind != TT_Y_SCALAR || tt_ydoc_is_null(&L->doc, v)) {
    ld_wrong_kind(L, v, key, expected);
    return NULL;
  }
  if (v->binary && !bytes_ok) {
    ld_file_diag(L, v->line, v->col,
                 "%s cannot be !!binary: only send and reply_end hold bytes",
                 key);
    return NULL;
  }
  s = ld_text(L, v);
  if (!bytes_ok && strlen(s) != v->count) {
    ld_file_diag(L, v->line, v->col, "%s must not contain a NUL byte", key);
    return NULL;
  }
  return s;
}

/* ---- which key goes where ---- */

/* The part of a row's key after group (prefix "backoff."), or the whole
 * key when group is NULL and the key has no dot; else NULL. */
static const char *key_in(const tt_setting *s, const char *group) {
  size_t glen;
  if (group == NULL)
    return strchr(s->key, '.') ? NULL : s->key;
  glen = strlen(group);
  return strncmp(s->key, group, glen) == 0 && s->key[glen] == '.'
             ? s->key + glen + 1
             : NULL;
}

/* The group a row belongs to ("backoff" for "backoff.max"), written into
 * buf, or NULL. */
static const char *group_of(const tt_setting *s, char *buf, size_t n) {
  const char *dot = strchr(s->key, '.');
  if (dot == NULL || (size_t)(dot - s->key) >= n)
    return NULL;
  memcpy(buf, s->key, (size_t)(dot - s->key));
  buf[dot - s->key] = '\0';
  return buf;
}

static bool allowed(int slot, enum place place) {
  unsigned in = place == AT_DEFAULTS ? TT_IN_DEFAULTS : TT_IN_TARGET;
  if (place == AT_TOP)
    return slot >= TT_SET_COUNT;
  return slot < TT_SET_COUNT &&
         (tt_setting_get((tt_setting_id)slot)->layers & in);
}

/* The slot of key s: a row's id (a group's first row for a group such as
 * "backoff"), or a top-level key. Within group, only its rows. -1 when
 * there is none. */
static int lookup(const char *s, size_t len, const char *group) {
  char g[32];
  if (strlen(s) != len)
    return -1;
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *row = tt_setting_get((tt_setting_id)id);
    const char *k = key_in(row, group);
    if (k != NULL && strcmp(k, s) == 0)
      return id;
    if (group == NULL && group_of(row, g, sizeof(g)) != NULL &&
        strcmp(g, s) == 0)
      return id;
  }
  for (int i = 0; group == NULL && i < 2; i++)
    if (strcmp(top_keys[i], s) == 0)
      return SLOT_DEFAULTS + i;
  return -1;
}

/* The keys valid in one kind of mapping, in table order, a group's name
 * once, with their slots. */
typedef struct keylist {
  size_t n;
  const char *name[NSLOTS];
  int slot[NSLOTS];
  char groups[4][32];
} keylist;

static void candidates(enum place place, const char *group, keylist *kl) {
  size_t ngroups = 0;
  kl->n = 0;
  if (place == AT_TOP) {
    for (int i = 0; i < 2; i++) {
      kl->slot[kl->n] = SLOT_DEFAULTS + i;
      kl->name[kl->n++] = top_keys[i];
    }
    return;
  }
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *row = tt_setting_get((tt_setting_id)id);
    const char *k = key_in(row, group);
    if (!allowed(id, place))
      continue;
    if (k == NULL && group == NULL && ngroups < 4) {
      /* The first row of a group stands for the group. */
      const char *g = group_of(row, kl->groups[ngroups], 32);
      if (g != NULL && lookup(g, strlen(g), NULL) == id)
        k = kl->groups[ngroups++];
    }
    if (k == NULL)
      continue;
    kl->slot[kl->n] = id;
    kl->name[kl->n++] = k;
  }
}

static bool is_group(int slot) {
  return slot < TT_SET_COUNT &&
         strchr(tt_setting_get((tt_setting_id)slot)->key, '.') != NULL;
}

/* Reports a key that is not allowed in this mapping. Returns the slot of
 * the key it is probably a misspelling of, or -1. */
static int unknown_key(loader *L, const tt_ynode *key, enum place place,
                       const char *group, int slot) {
  const char *s = ld_text(L, key);
  char q[QUOTE_SIZE];
  const char *guess;
  keylist kl;

  ld_quote(q, sizeof(q), s, key->count);
  if (strcmp(s, "<<") == 0) {
    ld_file_diag(L, key->line, key->col, "merge keys (<<) are not supported");
    return -1;
  }
  if (slot >= 0 && group == NULL) {
    bool top = slot >= TT_SET_COUNT;
    unsigned layers = top ? 0 : tt_setting_get((tt_setting_id)slot)->layers;
    const char *belongs = NULL;
    if (place == AT_TOP && (layers & TT_IN_DEFAULTS))
      belongs = "under defaults: or in a target";
    else if (place == AT_TOP && (layers & TT_IN_TARGET))
      belongs = "in a target, under targets:";
    else if (place == AT_DEFAULTS && (layers & TT_IN_TARGET))
      belongs = "in a target, not in defaults:";
    else if (place == AT_TARGET && (layers & TT_IN_DEFAULTS))
      belongs = "under defaults:, not in a target: it is one value for "
                "the whole run";
    else if (place != AT_TOP && top)
      belongs = "at the top level";
    if (belongs != NULL) {
      ld_file_diag(L, key->line, key->col, "'%s' belongs %s", q, belongs);
      return -1;
    }
  }
  candidates(place, group, &kl);
  guess = strlen(s) == key->count ? tt_closest(s, kl.name, kl.n) : NULL;
  if (guess != NULL) {
    ld_file_diag(L, key->line, key->col,
                 "unknown key '%s'; did you mean '%s'?", q, guess);
    for (size_t i = 0; i < kl.n; i++)
      if (kl.name[i] == guess)
        return kl.slot[i];
  } else {
    char list[400];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < kl.n; i++) {
      int w = snprintf(list + used, sizeof(list) - used, "%s%s",
                       i ? ", " : "", kl.name[i]);
      if (w < 0 || (size_t)w >= sizeof(list) - used)
        break;
      used += (size_t)w;
    }
    ld_file_diag(L, key->line, key->col, "unknown key '%s'; valid keys: %s",
                 q, list);
  }
  return -1;
}

/* Checks one key of a mapping against the keys allowed there and those
 * already seen. Returns its slot, or -1 after reporting; then *guess is
 * the slot it was probably meant to be, or -1. */
static int check_key(loader *L, const tt_ynode *key, enum place place,
                     const char *group, const tt_ynode **seen, int *guess) {
  const char *s;
  int slot;

  *guess = -1;
  if (key->kind != TT_Y_SCALAR || tt_ydoc_is_null(&L->doc, key) ||
      key->binary) {
    char found[48];
    ld_file_diag(L, key->line, key->col, "keys must be strings, found %s",
                 key->binary ? "!!binary"
                             : describe(L, key, found, sizeof(found)));
    return -1;
  }
  s = ld_text(L, key);
  slot = lookup(s, key->count, group);
  if (slot < 0 || (group == NULL && !allowed(slot, place))) {
    *guess = unknown_key(L, key, place, group, slot);
    return -1;
  }
  if (seen[slot] != NULL) {
    ld_file_diag(L, key->line, key->col, "duplicate key '%s' (first at %u:%u)",
                 s, seen[slot]->line, seen[slot]->col);
    return -1;
  }
  seen[slot] = key;
  return slot;
}

/* The settings a misspelt key was probably meant to set: problems that
 * involve them are not reported, as they could be follow-ons. */
static uint32_t suspects(int guess) {
  uint32_t bits = 0;
  const char *dot;
  size_t glen;
  if (guess < 0 || guess >= TT_SET_COUNT)
    return 0;
  if (!is_group(guess))
    return TT_BIT(guess);
  dot = strchr(tt_setting_get((tt_setting_id)guess)->key, '.');
  glen = (size_t)(dot - tt_setting_get((tt_setting_id)guess)->key) + 1;
  for (int id = 0; id < TT_SET_COUNT; id++)
    if (strncmp(tt_setting_get((tt_setting_id)id)->key,
                tt_setting_get((tt_setting_id)guess)->key, glen) == 0)
      bits |= TT_BIT(id);
  return bits;
}

/* ---- values ---- */

static void set_value(layer *lay, tt_setting_id id, const tt_ynode *key,
                      tt_setting_value v) {
  lay->s.v[id] = v;
  lay->s.has |= TT_BIT(id);
  lay->at[id] = (where){FROM_CONFIG, false, key->line, key->col};
}

/* status: one code, a range, or a list of them. */
static void read_status(loader *L, layer *lay, const tt_setting *s,
                        const tt_ynode *key, const tt_ynode *v) {
  tt_setting_id id = tt_setting_id_of(s);
  const tt_ynode *item = v;
  char expected[160], q[QUOTE_SIZE];
  tt_status_range *ranges;
  size_t n = 0, cap = v->kind == TT_Y_SEQ ? v->count : 1;
  tt_setting_value val;

  tt_setting_expected(s, expected, sizeof(expected));
  if (v->kind == TT_Y_MAP || (v->kind == TT_Y_SEQ && v->count == 0)) {
    if (v->kind == TT_Y_MAP)
      ld_wrong_kind(L, v, s->key, expected);
    else
      ld_file_diag(L, v->line, v->col, "%s is empty", s->key);
    lay->bad |= TT_BIT(id);
    return;
  }
  if (cap > TT_MAX_STATUS) {
    ld_file_diag(L, v->line, v->col,
                 "%s lists more than %d codes and ranges", s->key,
                 TT_MAX_STATUS);
    lay->bad |= TT_BIT(id);
    return;
  }
  if ((ranges = ld_keep(L, malloc(cap * sizeof(*ranges)))) == NULL)
    return;
  if (v->kind == TT_Y_SEQ)
    item = ld_node(L, v->first);
  for (; item != NULL; item = v->kind == TT_Y_SEQ ? ld_node(L, item->next)
                                                  : NULL) {
    const char *text = ld_scalar(L, item, s->key, expected, false);
    const char *why;
    if (text == NULL) {
      lay->bad |= TT_BIT(id);
      continue;
    }
    if (tt_status_read(text, &ranges[n], &why) != 0) {
      ld_file_diag(L, item->line, item->col, "%s '%s' %s", s->key,
                   ld_quote(q, sizeof(q), text, item->count), why);
      lay->bad |= TT_BIT(id);
      continue;
    }
    n++;
  }
  if (lay->bad & TT_BIT(id))
    return;
  val.status.v = ranges;
  val.status.n = n;
  set_value(lay, id, key, val);
}

/* One value of a setting, by its type. */
static void read_value(loader *L, layer *lay, const tt_setting *s,
                       const tt_ynode *key, const tt_ynode *v) {
  tt_setting_id id = tt_setting_id_of(s);
  char expected[200], why[320], q[QUOTE_SIZE];
  const char *text;
  tt_setting_value val;

  if (s->type == TT_STYPE_STATUS) {
    read_status(L, lay, s, key, v);
    return;
  }
  tt_setting_expected(s, expected, sizeof(expected));
  text = ld_scalar(L, v, s->key, expected, s->type == TT_STYPE_BYTES);
  if (text == NULL) {
    lay->bad |= TT_BIT(id);
    return;
  }
  if (tt_setting_read(s, text, v->count, &val, why, sizeof(why)) == 0) {
    set_value(lay, id, key, val);
    return;
  }
  ld_quote(q, sizeof(q), text, v->count);
  if (s->type == TT_STYPE_PRESET)
    ld_file_diag(L, v->line, v->col, "%s", why);
  else if (s->type == TT_STYPE_REGEX)
    ld_file_diag(L, v->line, v->col, "%s '%s': %s", s->key, q, why);
  else if (v->count == 0 ||
           ((s->type == TT_STYPE_BYTES || s->type == TT_STYPE_COMMAND) &&
            v->count > 64))
    /* Nothing to quote, or too much. */
    ld_file_diag(L, v->line, v->col, "%s %s", s->key, why);
  else
    ld_file_diag(L, v->line, v->col, "%s '%s' %s", s->key, q, why);
  lay->bad |= TT_BIT(id);
}

/* "{initial: 500ms, max: 30s}": a group's keys and defaults. */
static void group_example(const char *group, char *buf, size_t n) {
  size_t used = 0;
  used += (size_t)snprintf(buf, n, "a mapping such as {");
  for (int id = 0; id < TT_SET_COUNT && used < n; id++) {
    const tt_setting *row = tt_setting_get((tt_setting_id)id);
    const char *k = key_in(row, group);
    char def[32];
    if (k == NULL)
      continue;
    tt_setting_default_text(row, def, sizeof(def));
    used += (size_t)snprintf(buf + used, n - used, "%s%s: %s",
                             buf[used - 1] == '{' ? "" : ", ", k, def);
  }
  if (used < n)
    snprintf(buf + used, n - used, "}");
}

/* A group's mapping, such as backoff: {initial: 1s, max: 1m}. */
static void read_group(loader *L, layer *lay, int first, const tt_ynode *v) {
  const tt_ynode *seen[NSLOTS] = {0};
  const tt_ynode *k, *val;
  char group[32], example[160];
  uint32_t i;

  group_of(tt_setting_get((tt_setting_id)first), group, sizeof(group));
  if (v->kind != TT_Y_MAP) {
    group_example(group, example, sizeof(example));
    ld_wrong_kind(L, v, group, example);
    lay->bad |= suspects(first);
    return;
  }
  for (i = v->first; ld_next_pair(L, &i, &k, &val);) {
    int guess, slot = check_key(L, k, AT_TARGET, group, seen, &guess);
    if (slot >= 0)
      read_value(L, lay, tt_setting_get((tt_setting_id)slot), k, val);
    else
      lay->bad |= suspects(guess);
  }
}

void ld_read_settings(loader *L, const tt_ynode *map, enum place place,
                      layer *lay, const tt_ynode **keys, const tt_ynode **vals,
                      bool *refused) {
  const tt_ynode *seen[NSLOTS] = {0};
  const tt_ynode *key, *val;
  uint32_t i;

  for (i = map->first; ld_next_pair(L, &i, &key, &val);) {
    int guess, slot = check_key(L, key, place, NULL, seen, &guess);
    const tt_setting *s;
    if (slot < 0) {
      lay->bad |= suspects(guess);
      if (refused != NULL &&
          (guess == TT_SET_ADDRESS || guess == TT_SET_HOST ||
           guess == TT_SET_PORT))
        *refused = true;
      continue;
    }
    s = tt_setting_get((tt_setting_id)slot);
    if (is_group(slot))
      read_group(L, lay, slot, val);
    else if (s->type < TT_STYPE_PRESET) {
      /* name, address, tags...: the target reads them itself. */
      if (keys != NULL) {
        keys[slot] = key;
        vals[slot] = val;
      }
    } else {
      read_value(L, lay, s, key, val);
    }
  }
  /* Two ways to end a reply in one place contradict each other. */
  if ((lay->s.has & TT_BIT(TT_SET_REPLY_END)) &&
      (lay->s.has & TT_BIT(TT_SET_REPLY_BYTES))) {
    const where *a = &lay->at[TT_SET_REPLY_END];
    const where *b = &lay->at[TT_SET_REPLY_BYTES];
    const where *last =
        (a->line > b->line || (a->line == b->line && a->col > b->col)) ? a
                                                                        : b;
    ld_file_diag(L, last->line, last->col,
                 "give reply_end or reply_bytes, not both (reply_bytes "
                 "ends a reply after that many bytes)");
    lay->bad |= TT_BIT(TT_SET_REPLY_END) | TT_BIT(TT_SET_REPLY_BYTES);
  }
}

int ld_read_top(loader *L, const tt_ynode **defaults,
                const tt_ynode **targets) {
  const tt_ynode *root = ld_node(L, L->doc.root), *key, *val;
  const tt_ynode *seen[NSLOTS] = {0};
  bool refused = false; /* targets: seems misspelt */
  uint32_t i;

  if (root == NULL || tt_ydoc_is_null(&L->doc, root)) {
    ld_file_diag(L, 1, 1,
                 "the file is empty; expected a mapping with targets: (and "
                 "optionally defaults:)");
    return -1;
  }
  if (root->kind != TT_Y_MAP) {
    ld_wrong_kind(L, root, NULL,
                  "a mapping with targets: (and optionally defaults:)");
    return -1;
  }
  for (i = root->first; ld_next_pair(L, &i, &key, &val);) {
    int guess, slot = check_key(L, key, AT_TOP, NULL, seen, &guess);
    if (guess == SLOT_TARGETS)
      refused = true;
    else if (slot == SLOT_DEFAULTS)
      *defaults = val;
    else if (slot == SLOT_TARGETS)
      *targets = val;
  }
  if (*targets == NULL && L->in->nadhoc == 0 && !refused)
    ld_file_diag(L, root->line, root->col,
                 "no targets: add a targets: list, or give targets on the "
                 "command line");
  return 0;
}
