/* replay_targets.c - a replay's targets: numbered in the order of their
 * first event, found by name, and the versions of their settings that a
 * recording states (or leaves to the defaults and a guessed interval). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "grow.h"
#include "preset.h"
#include "replay_index.h"
#include "view.h"

#define MAX_VERSIONS 64 /* of one target's settings */

static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static const char *name_of(const tt_replay *r, size_t i) {
  return r->defs[r->first_def[i]].t.name;
}

size_t tt_rp_lookup(const tt_replay *r, const char *name) {
  if (r->hash == NULL)
    return SIZE_MAX;
  for (size_t k = hash_name(name) & r->hash_mask; r->hash[k] != 0;
       k = (k + 1) & r->hash_mask)
    if (strcmp(name_of(r, r->hash[k] - 1), name) == 0)
      return r->hash[k] - 1;
  return SIZE_MAX;
}

static void hash_insert(tt_replay *r, size_t i) {
  size_t k = hash_name(name_of(r, i)) & r->hash_mask;
  while (r->hash[k] != 0)
    k = (k + 1) & r->hash_mask;
  r->hash[k] = (uint32_t)i + 1;
}

/* Puts target n - 1 in the table, which grows to stay half empty. */
static int hash_add(tt_replay *r) {
  size_t cap = 64;
  while (cap < 2 * r->n)
    cap *= 2;
  if (r->hash == NULL || cap > r->hash_mask + 1) {
    uint32_t *h = calloc(cap, sizeof *h);
    if (h == NULL)
      return -ENOMEM;
    free(r->hash);
    r->hash = h;
    r->hash_mask = cap - 1;
    for (size_t i = 0; i + 1 < r->n; i++)
      hash_insert(r, i);
  }
  hash_insert(r, r->n - 1);
  return 0;
}

void tt_rp_def_free(tt_rp_def *d) {
  free(d->t.name);
  free(d->t.address);
  free(d->t.host);
  if (d->owns_tags && d->t.tags != NULL) {
    free(d->t.tags[0]); /* one block holds them all */
    free(d->t.tags);
  }
}

static bool same_tags(const tt_target *t, const tt_rp_event *ev) {
  const char *p = ev->tags;
  if (t->ntags != ev->ntags)
    return false;
  for (size_t i = 0; i < t->ntags; p += strlen(p) + 1, i++)
    if (strcmp(t->tags[i], p) != 0)
      return false;
  return true;
}

/* Whether d is what ev says of its target (base: the version in use). */
static bool def_is(const tt_rp_def *d, const tt_rp_event *ev,
                   const tt_rp_def *base) {
  if (strcmp(d->t.address, ev->address[0] ? ev->address
                                          : base ? base->t.address : "") != 0)
    return false;
  if (!ev->has_settings)
    return base == NULL ? d->guessed
                        : d->guessed == base->guessed &&
                            d->t.mode == base->t.mode &&
                            d->t.preset == base->t.preset &&
                            d->t.interval_ms == base->t.interval_ms &&
                            d->t.timeout_ms == base->t.timeout_ms &&
                            d->t.tags == base->t.tags;
  const tt_preset *p = ev->preset[0] ? tt_preset_find(ev->preset) : NULL;
  return !d->guessed && d->t.preset == p &&
         (ev->mode == TT_MODE_UNSET || d->t.mode == ev->mode) &&
         d->t.interval_ms == ev->interval_ms &&
         (ev->timeout_ms == 0 || d->t.timeout_ms == ev->timeout_ms) &&
         same_tags(&d->t, ev);
}

static int copy_tags(tt_target *t, const tt_rp_event *ev) {
  size_t bytes = 0;
  if (ev->ntags == 0)
    return 0;
  for (size_t i = 0; i < ev->ntags; i++)
    bytes += strlen(ev->tags + bytes) + 1;
  char *block = malloc(bytes);
  if (block == NULL || (t->tags = calloc(ev->ntags, sizeof *t->tags)) == NULL) {
    free(block);
    return -ENOMEM;
  }
  memcpy(block, ev->tags, bytes);
  for (size_t i = 0, at = 0; i < ev->ntags; at += strlen(block + at) + 1, i++)
    t->tags[i] = block + at;
  t->ntags = ev->ntags;
  return 0;
}

/* A new version of target i's settings: ev's, or base's with ev's
 * address, or (neither) the defaults with an interval to guess. */
static int new_def(tt_replay *r, size_t i, const tt_rp_event *ev,
                   const tt_rp_def *base, uint32_t *out) {
  tt_rp_def *v = tt_grow(r->defs, &r->defcap, r->ndefs, sizeof *v, 64);
  if (v == NULL)
    return -ENOMEM;
  r->defs = v;
  if (base != NULL)
    base = &v[base - r->defs]; /* it may have moved */
  tt_rp_def *d = &v[r->ndefs];
  memset(d, 0, sizeof *d);
  tt_target_defaults(&d->t);
  d->target = i;
  d->next = NONE;
  const char *address = ev->address[0] ? ev->address
                        : base ? base->t.address : "";
  tt_hostport hp;
  const char *why;
  d->t.name = strdup(ev->target);
  d->t.address = strdup(address);
  if (tt_address_parse(address, &hp, &why) == 0) {
    d->t.host = strdup(hp.host);
    d->t.port = hp.port;
  }
  if (d->t.name == NULL || d->t.address == NULL) {
    tt_rp_def_free(d);
    return -ENOMEM;
  }
  if (ev->has_settings) {
    d->t.preset = ev->preset[0] ? tt_preset_find(ev->preset) : NULL;
    if (ev->mode != TT_MODE_UNSET)
      d->t.mode = ev->mode;
    d->t.interval_ms = ev->interval_ms;
    if (ev->timeout_ms > 0)
      d->t.timeout_ms = ev->timeout_ms;
    d->owns_tags = true;
    if (copy_tags(&d->t, ev) != 0) {
      tt_rp_def_free(d);
      return -ENOMEM;
    }
  } else if (base != NULL) {
    d->guessed = base->guessed;
    d->t.mode = base->t.mode;
    d->t.preset = base->t.preset;
    d->t.interval_ms = base->t.interval_ms;
    d->t.timeout_ms = base->t.timeout_ms;
    d->t.tags = base->t.tags; /* shared: freed with base */
    d->t.ntags = base->t.ntags;
  } else {
    d->guessed = true;
  }
  *out = (uint32_t)r->ndefs++;
  return 0;
}

/* The version of target i's settings that ev speaks of: found, or (while
 * the log is indexed) made. */
uint32_t tt_rp_def_for(tt_replay *r, size_t i, const tt_rp_event *ev,
                       uint32_t base) {
  const tt_rp_def *b = base == NONE ? NULL : &r->defs[base];
  uint32_t last = NONE;
  size_t versions = 0;
  for (uint32_t k = r->first_def[i]; k != NONE; k = r->defs[k].next) {
    if (def_is(&r->defs[k], ev, b))
      return k;
    last = k;
    versions++;
  }
  uint32_t made;
  /* A log that gives a target ever other settings ends up with the
   * last of them: bounded. */
  if (versions >= MAX_VERSIONS || new_def(r, i, ev, b, &made) != 0)
    return base != NONE ? base : last;
  if (last == NONE)
    r->first_def[i] = made;
  else
    r->defs[last].next = made;
  return made;
}

void tt_rp_slot_reset(tt_replay *r, size_t i) {
  tt_rp_slot *s = &r->slots[i];
  tt_view_free(&s->view);
  tt_view_init(&s->view, NULL, i);
  s->def = r->first_def[i];
  s->view.target = &r->defs[s->def].t;
  s->present = false;
  s->ended = true;
}

/* A target seen for the first time: its number, or SIZE_MAX when memory
 * ran out. */
size_t tt_rp_add_target(tt_replay *r, const tt_rp_event *ev) {
  size_t cap = r->cap;
  tt_rp_slot *v = tt_grow(r->slots, &cap, r->n, sizeof *v, 64);
  if (v == NULL)
    return SIZE_MAX;
  r->slots = v;
  if (cap != r->cap) {
    uint32_t *f = realloc(r->first_def, cap * sizeof *f);
    if (f == NULL)
      return SIZE_MAX;
    r->first_def = f;
    r->cap = cap;
  }
  size_t i = r->n;
  memset(&r->slots[i], 0, sizeof r->slots[i]);
  r->first_def[i] = NONE;
  if (tt_rp_def_for(r, i, ev, NONE) == NONE)
    return SIZE_MAX;
  r->n++;
  if (hash_add(r) != 0) {
    r->n--;
    return SIZE_MAX;
  }
  tt_rp_slot_reset(r, i);
  return i;
}
