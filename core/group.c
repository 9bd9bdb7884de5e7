/* group.c - addresses: all: every address of a name a target of its own
 * (NAME[IP]), the name looked up again every resolve_every, addresses that
 * appear or vanish added or removed. While no address is known the name
 * itself is the one target, so that why (dns) is seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* One address's target. */
typedef struct tt_child {
  tt_addr addr;
  size_t index;
} tt_child;

struct tt_group {
  tt_engine *e;
  const tt_target *t;
  uv_timer_t timer;       /* the next lookup */
  tt_resolve_req lookup;
  size_t placeholder;     /* the name's own session, or SIZE_MAX */
  tt_child *children;
  size_t nchildren;
  bool removed;           /* freed in the timer's close callback */
};

static bool same_addr(const tt_addr *a, const tt_addr *b) {
  if (a->sa.sa_family != b->sa.sa_family)
    return false;
  if (a->sa.sa_family == AF_INET6)
    return memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr,
                  sizeof a->in6.sin6_addr) == 0;
  return a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
}

/* The target of one address: the group's settings, named NAME[IP], with
 * the IP as its host. It shares every other string with the group's
 * target, which outlives it (a retarget refreshes the copies). */
static tt_target *child_target(const tt_target *t, const tt_addr *a) {
  char ip[TT_IP_MAX];
  tt_target *c = malloc(sizeof *c);
  if (c == NULL)
    return NULL;
  *c = *t;
  if (a->sa.sa_family == AF_INET6)
    uv_ip6_name(&a->in6, ip, sizeof ip);
  else
    uv_ip4_name(&a->in4, ip, sizeof ip);
  size_t n = strlen(t->name) + strlen(ip) + 3;
  c->name = malloc(n);
  c->host = strdup(ip);
  if (c->name == NULL || c->host == NULL) {
    free(c->name);
    free(c->host);
    free(c);
    return NULL;
  }
  snprintf(c->name, n, "%s[%s]", t->name, ip);
  c->literal_family = a->sa.sa_family == AF_INET6 ? 6 : 4;
  c->addresses = TT_ADDRESSES_ANY;
  c->of_name = t->name;
  return c;
}

static void add_child(tt_group *g, const tt_addr *a) {
  tt_child *v = realloc(g->children, (g->nchildren + 1) * sizeof *v);
  if (v == NULL)
    return;
  g->children = v;
  tt_target *c = child_target(g->t, a);
  if (c == NULL)
    return;
  tt_child *ch = &g->children[g->nchildren];
  ch->addr = *a;
  if (tt_engine_add_session(g->e, c, c, &ch->index) < 0) {
    free(c->name);
    free(c->host);
    free(c);
    return;
  }
  g->nchildren++;
}

static void remove_child(tt_group *g, size_t k) {
  tt_engine_remove_session(g->e, g->children[k].index);
  g->children[k] = g->children[--g->nchildren];
}

static void set_placeholder(tt_group *g, bool want) {
  if (want && g->placeholder == SIZE_MAX)
    tt_engine_add_session(g->e, g->t, NULL, &g->placeholder);
  else if (!want && g->placeholder != SIZE_MAX) {
    tt_engine_remove_session(g->e, g->placeholder);
    g->placeholder = SIZE_MAX;
  }
}

static void lookup_cb(tt_resolve_req *req, int status, const tt_addr *addrs,
                      size_t n) {
  tt_group *g = req->data;
  if (status == UV_EAI_CANCELED)
    return;
  /* The addresses that join are placed together, among the targets that
   * stay. */
  tt_engine_batch_begin(g->e);
  if (status == 0) {
    /* Addresses that vanished leave, new ones join. */
    for (size_t k = g->nchildren; k-- > 0;) {
      bool still = false;
      for (size_t i = 0; i < n && !still; i++)
        still = same_addr(&g->children[k].addr, &addrs[i]);
      if (!still)
        remove_child(g, k);
    }
    for (size_t i = 0; i < n; i++) {
      bool known = false;
      for (size_t k = 0; k < g->nchildren && !known; k++)
        known = same_addr(&g->children[k].addr, &addrs[i]);
      if (!known)
        add_child(g, &addrs[i]);
    }
    set_placeholder(g, g->nchildren == 0);
  } else if (status == UV_EAI_NONAME || status == UV_EAI_NODATA) {
    /* The name is gone: its addresses with it, and the name itself shows
     * why. A name server that does not answer changes nothing. */
    while (g->nchildren > 0)
      remove_child(g, g->nchildren - 1);
    set_placeholder(g, true);
  }
  tt_engine_batch_end(g->e);
}

static void timer_cb(uv_timer_t *timer) {
  tt_group *g = timer->data;
  uv_timer_start(&g->timer, timer_cb, g->t->resolve_every_ms, 0);
  if (g->lookup.query == NULL)
    tt_resolve(g->e->resolver, &g->lookup, g->t->host, g->t->family,
               lookup_cb);
}

int tt_group_new(tt_engine *e, const tt_target *t, tt_group **out) {
  tt_group *g = calloc(1, sizeof *g);
  if (g == NULL)
    return UV_ENOMEM;
  g->e = e;
  g->t = t;
  g->lookup.data = g;
  g->placeholder = SIZE_MAX;
  /* Until the first lookup answers, the name is the target. */
  int r = tt_engine_add_session(e, t, NULL, &g->placeholder);
  if (r < 0) {
    free(g);
    return r;
  }
  if (e->started && !e->stopping)
    tt_group_start(g);
  *out = g;
  return 0;
}

void tt_group_start(tt_group *g) {
  tt_engine *e = g->e;
  uv_timer_init(e->loop, &g->timer);
  g->timer.data = g;
  e->live++;
  uv_timer_start(&g->timer, timer_cb, 0, 0);
}

void tt_group_retarget(tt_group *g, const tt_target *t) {
  g->t = t;
  if (g->placeholder != SIZE_MAX)
    tt_session_retarget(tt_engine_session(g->e, g->placeholder), t);
  for (size_t k = 0; k < g->nchildren; k++) {
    tt_session *s = tt_engine_session(g->e, g->children[k].index);
    tt_target *c = s->owned;
    char *name = c->name, *host = c->host;
    int family = c->literal_family;
    *c = *t;
    c->name = name;
    c->host = host;
    c->literal_family = family;
    c->addresses = TT_ADDRESSES_ANY;
    c->of_name = t->name;
    tt_session_retarget(s, c);
  }
}

static void timer_close_cb(uv_handle_t *h) {
  tt_group *g = h->data;
  tt_engine *e = g->e;
  if (g->removed)
    tt_group_free(g);
  tt_engine_handle_closed(e);
}

static void close_timer(tt_group *g) {
  tt_resolve_cancel(&g->lookup);
  if (g->timer.loop != NULL && !uv_is_closing((uv_handle_t *)&g->timer))
    uv_close((uv_handle_t *)&g->timer, timer_close_cb);
}

void tt_group_remove(tt_group *g) {
  while (g->nchildren > 0)
    remove_child(g, g->nchildren - 1);
  set_placeholder(g, false);
  g->removed = true;
  if (g->timer.loop == NULL)
    tt_group_free(g);
  else
    close_timer(g);
}

void tt_group_stop(tt_group *g) {
  close_timer(g);
}

void tt_group_free(tt_group *g) {
  free(g->children);
  free(g);
}
