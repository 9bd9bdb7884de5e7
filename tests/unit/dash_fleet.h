/* dash_fleet.h - fake targets for the dashboard's tests: views the tests
 * set by hand, a source that the model reads them through, targets that
 * join and leave, and a reload that frees the old targets (so that a
 * pointer kept across it is a use-after-free the sanitizer build sees).
 * Included by the dashboard's test programs. */
#ifndef TT_DASH_FLEET_H
#define TT_DASH_FLEET_H

#include <stdlib.h>
#include <string.h>

#include "dash_model.h"

#define FLEET_MAX 64
#define T0 1700000000000000ull /* a wall clock, microseconds */

typedef struct fleet {
  size_t n;
  tt_target *t[FLEET_MAX];
  tt_view v[FLEET_MAX];
  bool gone[FLEET_MAX];
} fleet;

static inline char *fleet_strdup(const char *s) {
  char *p = strdup(s);
  assert_non_null(p);
  return p;
}

/* A heap target: name, address and tags ("a,b" or "") its own. */
static inline tt_target *fleet_target(const char *name, const char *address,
                               const char *tags, uint64_t interval_ms) {
  tt_target *t = calloc(1, sizeof(*t));
  assert_non_null(t);
  t->name = fleet_strdup(name);
  t->address = fleet_strdup(address);
  t->mode = TT_MODE_PERSISTENT;
  t->interval_ms = interval_ms;
  t->timeout_ms = 1000;
  t->connect_timeout_ms = 2000;
  t->miss_threshold = 3;
  t->reply_end = fleet_strdup("\n");
  t->reply_end_len = 1;
  t->tags = calloc(8, sizeof(char *));
  assert_non_null(t->tags);
  char buf[128];
  snprintf(buf, sizeof(buf), "%s", tags);
  for (char *p = strtok(buf, ","); p != NULL && t->ntags < 8;
       p = strtok(NULL, ","))
    t->tags[t->ntags++] = fleet_strdup(p);
  return t;
}

static inline void fleet_target_free(tt_target *t) {
  if (t == NULL)
    return;
  for (size_t k = 0; k < t->ntags; k++)
    free(t->tags[k]);
  free(t->tags);
  free(t->name);
  free(t->address);
  free(t->reply_end);
  free(t);
}

static inline const tt_view *fleet_view(void *src, size_t i) {
  fleet *f = src;
  return i < f->n && !f->gone[i] ? &f->v[i] : NULL;
}

/* Appends a target in state, its state entered at T0. */
static inline size_t fleet_add(fleet *f, const char *name, const char *address,
                        const char *tags, tt_state state) {
  assert_true(f->n < FLEET_MAX);
  size_t i = f->n++;
  f->t[i] = fleet_target(name, address, tags, 1000);
  memset(&f->v[i], 0, sizeof(f->v[i]));
  f->v[i].target = f->t[i];
  f->v[i].index = i;
  f->v[i].state = state;
  f->v[i].state_since_us = T0;
  tt_stats_init(&f->v[i].stats);
  return i;
}

static inline fleet *fleet_empty(void) {
  fleet *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  return f;
}

static inline void fleet_free(fleet *f) {
  for (size_t i = 0; i < f->n; i++) {
    fleet_target_free(f->t[i]);
    tt_stats_free(&f->v[i].stats);
  }
  free(f);
}

/* Every target's settings replaced by a copy, the old ones freed, as
 * tt_engine_reload() does with the previous config. */
static inline void fleet_reload(fleet *f) {
  for (size_t i = 0; i < f->n; i++) {
    if (f->gone[i])
      continue;
    tt_target *old = f->t[i];
    char tags[128] = "";
    for (size_t k = 0; k < old->ntags; k++) {
      strcat(tags, k > 0 ? "," : "");
      strcat(tags, old->tags[k]);
    }
    f->t[i] = fleet_target(old->name, old->address, tags, old->interval_ms);
    f->v[i].target = f->t[i];
    fleet_target_free(old);
  }
}

/* A heartbeat as the engine would record it, and its event. */
static inline tt_event fleet_beat(fleet *f, size_t i, uint64_t ts, tt_class cls,
                           uint32_t rtt_us) {
  tt_view *v = &f->v[i];
  tt_stats_heartbeat(&v->stats, cls, rtt_us);
  v->seq++;
  v->last_class = cls;
  if (cls != TT_CLASS_OK)
    v->last_failure = cls;
  return (tt_event){.kind = TT_EVENT_HEARTBEAT, .view = v, .ts_us = ts,
                    .seq = v->seq, .cls = cls, .has_rtt = cls == TT_CLASS_OK,
                    .rtt_us = rtt_us, .error = ""};
}

/* A state change as the engine would make it, and its event. */
static inline tt_event fleet_state(fleet *f, size_t i, uint64_t ts, tt_state to,
                            tt_class cls, const char *error) {
  tt_view *v = &f->v[i];
  tt_event ev = {.kind = TT_EVENT_STATE, .view = v, .ts_us = ts, .cls = cls,
                 .from = v->state, .to = to, .error = error};
  v->state = to;
  v->state_since_us = ts;
  return ev;
}

static inline tt_event fleet_event(fleet *f, size_t i, tt_event_kind kind,
                            uint64_t ts) {
  return (tt_event){.kind = kind, .view = &f->v[i], .ts_us = ts, .error = ""};
}

/* The model on f, pinned, with a page of 20 lines, at T0. */
static inline void model_on(tt_dash_model *m, fleet *f) {
  tt_dash_model_opts o = {.view_at = fleet_view, .src = f, .n = f->n,
                          .utf8 = true, .wall_us = T0};
  assert_int_equal(tt_dash_model_init(m, &o), 0);
  tt_dash_set_page(m, 20);
}

/* Feeds an event and refreshes as the dashboard would. */
static inline unsigned feed(tt_dash_model *m, const tt_event *ev) {
  unsigned dirty = tt_dash_record(m, ev);
  tt_dash_refresh(m, dirty);
  return dirty;
}

static inline unsigned press(tt_dash_model *m, int key) {
  unsigned dirty = tt_dash_key(m, key);
  tt_dash_refresh(m, dirty);
  return dirty;
}

static inline unsigned type(tt_dash_model *m, const char *s) {
  unsigned dirty = 0;
  for (; *s != '\0'; s++)
    dirty |= tt_dash_key(m, (unsigned char)*s);
  tt_dash_refresh(m, dirty);
  return dirty;
}

/* The name on line l, or "[tag]" for a roll-up. */
static inline const char *line_name(const tt_dash_model *m, size_t l) {
  static char buf[64];
  assert_true(l < m->nlines);
  const tt_dash_line *x = &m->lines[l];
  if (x->target != TT_DASH_NO_TARGET)
    return tt_dash_name(m, x->target);
  snprintf(buf, sizeof(buf), "[%s]", tt_dash_group_name(m, x->group));
  return buf;
}

/* Five targets in config order: alpha up, bravo down, charlie degraded,
 * delta connecting, echo up (tags prod, cache). */
static inline fleet *fleet_five(void) {
  fleet *f = fleet_empty();
  fleet_add(f, "alpha", "10.0.0.1:80", "prod", TT_STATE_UP);
  fleet_add(f, "bravo", "10.0.0.2:80", "prod", TT_STATE_DOWN);
  fleet_add(f, "charlie", "db.example:5432", "db", TT_STATE_DEGRADED);
  fleet_add(f, "delta", "10.0.0.4:80", "", TT_STATE_CONNECTING);
  fleet_add(f, "echo", "10.0.0.5:6379", "prod,cache", TT_STATE_UP);
  fleet_beat(f, 0, T0, TT_CLASS_OK, 5000);
  fleet_beat(f, 2, T0, TT_CLASS_OK, 9000);
  fleet_beat(f, 4, T0, TT_CLASS_OK, 1000);
  fleet_beat(f, 1, T0, TT_CLASS_REFUSED, 0);
  return f;
}

#endif
