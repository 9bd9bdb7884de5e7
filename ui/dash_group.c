/* dash_group.c - the rows grouped by tag (t): a group per tag, found by
 * a hash of its name so that ten thousand rows group in one pass; groups
 * in the order of their first row (the worst first, under the default
 * sort), each a roll-up line and, when open, its rows in sort order. */
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

/* Adds a group; the tag is copied (NULL: the untagged). */
static uint32_t group_add(tt_dash_groups *g, const char *tag) {
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
  if (tag != NULL && (x->tag = strdup(tag)) == NULL)
    return TT_DASH_NO_GROUP;
  uint32_t id = (uint32_t)g->n++;
  if (tag != NULL)
    hash_put(g, id);
  else
    g->untagged = id;
  return id;
}

static uint32_t group_of(tt_dash_groups *g, const char *tag) {
  if (tag == NULL)
    return g->untagged != TT_DASH_NO_GROUP ? g->untagged : group_add(g, NULL);
  if (g->hash_cap > 0) {
    size_t mask = g->hash_cap - 1;
    for (size_t h = hash_tag(tag) & mask; g->hash[h] != 0; h = (h + 1) & mask)
      if (strcmp(g->g[g->hash[h] - 1].tag, tag) == 0)
        return g->hash[h] - 1;
  }
  return group_add(g, tag);
}

const char *tt_dash_group_name(const tt_dash_model *m, uint32_t group) {
  if (group >= m->groups.n || m->groups.g[group].tag == NULL)
    return "";
  return m->groups.g[group].tag;
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

int tt_dash_group_lines(tt_dash_model *m) {
  tt_dash_groups *g = &m->groups;
  for (size_t k = 0; k < g->n; k++) {
    memset(g->g[k].counts, 0, sizeof(g->g[k].counts));
    g->g[k].rows = 0;
  }
  g->norder = 0;
  g->npairs = 0;

  /* Every row in each of its groups (a tag named twice counts once). */
  for (size_t r = 0; r < m->nrows; r++) {
    uint32_t i = m->rows[r];
    const tt_target *t = tt_dash_target(m, i);
    tt_state state = tt_dash_view(m, i)->state;
    size_t before = g->npairs;
    for (size_t k = 0; t != NULL && k < t->ntags; k++) {
      uint32_t id = group_of(g, t->tags[k]);
      bool twice = false;
      for (size_t p = before; p < g->npairs && !twice; p++)
        twice = g->pairs[p].group == id;
      if (!twice && member(g, i, id, state) != 0)
        return -ENOMEM;
    }
    if (g->npairs == before && member(g, i, group_of(g, NULL), state) != 0)
      return -ENOMEM;
  }

  /* The memberships by group, each in row order (a counting sort). */
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

  size_t need = g->norder + g->npairs;
  if (m->lines_cap < need) {
    tt_dash_line *l = realloc(m->lines, (need > 0 ? need : 1) * sizeof(*l));
    if (l == NULL)
      return -ENOMEM;
    m->lines = l;
    m->lines_cap = need;
  }
  size_t n = 0;
  at = 0;
  for (size_t o = 0; o < g->norder; o++) {
    uint32_t id = g->order[o];
    tt_dash_group *x = &g->g[id];
    m->lines[n++] = (tt_dash_line){TT_DASH_NO_TARGET, id};
    if (x->open)
      for (uint32_t k = 0; k < x->rows; k++)
        m->lines[n++] = (tt_dash_line){g->sorted[at + k], id};
    at += x->rows;
  }
  m->nlines = n;
  return 0;
}
