/* dash_group.c - the rows grouped by tag (t): a group per tag, found by
 * a hash of its name so that ten thousand rows group in one pass; groups
 * in the order of their first row (the worst first, under the default
 * sort), each a roll-up line and, when open, its rows in sort order.
 * Ungrouped, the addresses of one name (addresses: all) stay together the
 * same way, under a roll-up of their own that folds them into one line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dash_model.h"

void tt_dash_groups_free(tt_dash_groups *g) {
  for (size_t k = 0; k < g->n; k++)
    free(g->g[k].tag);
  free(g->g);
  free(g->hash);
  free(g->order);
  free(g->pairs);
  free(g->sorted);
  memset(g, 0, sizeof(*g));
  g->untagged = TT_DASH_NO_GROUP;
}

static uint32_t hash_tag(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static void hash_put(tt_dash_groups *g, uint32_t id) {
  size_t mask = g->hash_cap - 1;
  size_t h = hash_tag(g->g[id].tag) & mask;
  while (g->hash[h] != 0)
    h = (h + 1) & mask;
  g->hash[h] = id + 1;
}

/* Adds a group, open or folded; the tag is copied (NULL: the
 * untagged). */
static uint32_t group_add(tt_dash_groups *g, const char *tag, bool open) {
  if (g->n == g->cap) {
    size_t cap = g->cap > 0 ? g->cap * 2 : 16;
    tt_dash_group *a = realloc(g->g, cap * sizeof(*a));
    if (a == NULL)
      return TT_DASH_NO_GROUP;
    g->g = a;
    uint32_t *o = realloc(g->order, cap * sizeof(*o));
    if (o == NULL)
      return TT_DASH_NO_GROUP;
    g->order = o;
    g->cap = cap;
  }
  if (tag != NULL && (g->n + 1) * 2 > g->hash_cap) {
    size_t hcap = g->hash_cap > 0 ? g->hash_cap * 2 : 64;
    while ((g->n + 1) * 2 > hcap)
      hcap *= 2;
    uint32_t *h = calloc(hcap, sizeof(*h));
    if (h == NULL)
      return TT_DASH_NO_GROUP;
    free(g->hash);
    g->hash = h;
    g->hash_cap = hcap;
    for (uint32_t k = 0; k < g->n; k++)
      if (g->g[k].tag != NULL)
        hash_put(g, k);
  }
  tt_dash_group *x = &g->g[g->n];
  memset(x, 0, sizeof(*x));
  x->open = open;
  if (tag != NULL && (x->tag = strdup(tag)) == NULL)
    return TT_DASH_NO_GROUP;
  uint32_t id = (uint32_t)g->n++;
  if (tag != NULL)
    hash_put(g, id);
  else
    g->untagged = id;
  return id;
}

static uint32_t group_of(tt_dash_groups *g, const char *tag, bool open) {
  if (tag == NULL)
    return g->untagged != TT_DASH_NO_GROUP ? g->untagged
                                           : group_add(g, NULL, open);
  if (g->hash_cap > 0) {
    size_t mask = g->hash_cap - 1;
    for (size_t h = hash_tag(tag) & mask; g->hash[h] != 0; h = (h + 1) & mask)
      if (strcmp(g->g[g->hash[h] - 1].tag, tag) == 0)
        return g->hash[h] - 1;
  }
  return group_add(g, tag, open);
}

tt_dash_groups *tt_dash_groups_shown(tt_dash_model *m) {
  return m->grouped ? &m->groups : &m->names;
}

const tt_dash_groups *tt_dash_groups_shown_c(const tt_dash_model *m) {
  return m->grouped ? &m->groups : &m->names;
}

const char *tt_dash_group_name(const tt_dash_model *m, uint32_t group) {
  const tt_dash_groups *g = tt_dash_groups_shown_c(m);
  if (group >= g->n || g->g[group].tag == NULL)
    return "";
  return g->g[group].tag;
}

static int push_pair(tt_dash_groups *g, uint32_t target, uint32_t group) {
  if (g->npairs == g->pairs_cap) {
    size_t cap = g->pairs_cap > 0 ? g->pairs_cap * 2 : 1024;
    tt_dash_line *p = realloc(g->pairs, cap * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    g->pairs = p;
    uint32_t *s = realloc(g->sorted, cap * sizeof(*s));
    if (s == NULL)
      return -ENOMEM;
    g->sorted = s;
    g->pairs_cap = cap;
  }
  g->pairs[g->npairs++] = (tt_dash_line){target, group};
  return 0;
}

/* Notes that row target (in state) belongs to group. */
static int member(tt_dash_groups *g, uint32_t target, uint32_t group,
                  tt_state state) {
  if (group == TT_DASH_NO_GROUP)
    return -ENOMEM;
  tt_dash_group *x = &g->g[group];
  if (x->rows == 0)
    g->order[g->norder++] = group;
  x->rows++;
  if ((unsigned)state < TT_STATE_COUNT)
    x->counts[state]++;
  return push_pair(g, target, group);
}

/* Forgets the memberships of the last refresh. */
static void groups_clear(tt_dash_groups *g) {
  for (size_t k = 0; k < g->n; k++) {
    memset(g->g[k].counts, 0, sizeof(g->g[k].counts));
    g->g[k].rows = 0;
  }
  g->norder = 0;
  g->npairs = 0;
}

/* The memberships by group, each in row order (a counting sort); x->first
 * is then where a group's members start in g->sorted. */
static void groups_sort(tt_dash_groups *g) {
  uint32_t at = 0;
  for (size_t o = 0; o < g->norder; o++) {
    tt_dash_group *x = &g->g[g->order[o]];
    x->first = at;
    at += x->rows;
  }
  for (size_t p = 0; p < g->npairs; p++) {
    tt_dash_group *x = &g->g[g->pairs[p].group];
    g->sorted[x->first++] = g->pairs[p].target;
  }
  for (size_t o = 0; o < g->norder; o++) {
    tt_dash_group *x = &g->g[g->order[o]];
    x->first -= x->rows;
  }
}

static int lines_room(tt_dash_model *m, size_t need) {
  if (m->lines_cap < need) {
    tt_dash_line *l = realloc(m->lines, (need > 0 ? need : 1) * sizeof(*l));
    if (l == NULL)
      return -ENOMEM;
    m->lines = l;
    m->lines_cap = need;
  }
  return 0;
}

/* Group id's roll-up line and, when it is open, its rows. */
static size_t group_put(tt_dash_model *m, const tt_dash_groups *g,
                        uint32_t id, size_t n) {
  const tt_dash_group *x = &g->g[id];
  m->lines[n++] = (tt_dash_line){TT_DASH_NO_TARGET, id};
  if (x->open)
    for (uint32_t k = 0; k < x->rows; k++)
      m->lines[n++] = (tt_dash_line){g->sorted[x->first + k], id};
  return n;
}

int tt_dash_group_lines(tt_dash_model *m) {
  tt_dash_groups *g = &m->groups;
  groups_clear(g);

  /* Every row in each of its groups (a tag named twice counts once). */
  for (size_t r = 0; r < m->nrows; r++) {
    uint32_t i = m->rows[r];
    const tt_target *t = tt_dash_target(m, i);
    tt_state state = tt_dash_view(m, i)->state;
    size_t before = g->npairs;
    for (size_t k = 0; t != NULL && k < t->ntags; k++) {
      uint32_t id = group_of(g, t->tags[k], false);
      bool twice = false;
      for (size_t p = before; p < g->npairs && !twice; p++)
        twice = g->pairs[p].group == id;
      if (!twice && member(g, i, id, state) != 0)
        return -ENOMEM;
    }
    if (g->npairs == before &&
        member(g, i, group_of(g, NULL, false), state) != 0)
      return -ENOMEM;
  }

  groups_sort(g);
  if (lines_room(m, g->norder + g->npairs) != 0)
    return -ENOMEM;
  size_t n = 0;
  for (size_t o = 0; o < g->norder; o++)
    n = group_put(m, g, g->order[o], n);
  m->nlines = n;
  return 0;
}

int tt_dash_name_lines(tt_dash_model *m) {
  tt_dash_groups *g = &m->names;
  groups_clear(g);
  size_t plain = 0;
  for (size_t r = 0; r < m->nrows; r++) {
    uint32_t i = m->rows[r];
    const tt_target *t = tt_dash_target(m, i);
    if (t == NULL || t->of_name == NULL) {
      plain++;
      continue;
    }
    if (member(g, i, group_of(g, t->of_name, true),
               tt_dash_view(m, i)->state) != 0)
      return -ENOMEM;
  }
  groups_sort(g);
  if (lines_room(m, plain + g->norder + g->npairs) != 0)
    return -ENOMEM;
  /* In row order: a name's lines where its first row would be. */
  size_t n = 0, o = 0;
  for (size_t r = 0; r < m->nrows; r++) {
    uint32_t i = m->rows[r];
    const tt_target *t = tt_dash_target(m, i);
    if (t == NULL || t->of_name == NULL) {
      m->lines[n++] = (tt_dash_line){i, TT_DASH_NO_GROUP};
      continue;
    }
    if (o < g->norder && g->sorted[g->g[g->order[o]].first] == i)
      n = group_put(m, g, g->order[o++], n);
  }
  m->nlines = n;
  return 0;
}
