/* dash_model.c - the dashboard's state: targets as events bring and take
 * them, what is remembered of them over time, the rows filtered and
 * sorted, the lines and the selection on them, the pause, and the event
 * log as the pane shows it. The key table is in dash_keys.c, grouping in
 * dash_group.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash_model.h"
#include "escape.h"
#include "format.h"
#include "view.h"

#define NOTICE_US (4 * 1000000ull)
#define NOTICE_ERROR_US (10 * 1000000ull)

/* ---- targets ---- */

/* Target i from the source, whatever the pause. */
static const tt_view *live_view(const tt_dash_model *m, size_t i) {
  return i < m->n && m->tracks[i].present ? m->view_at(m->src, i) : NULL;
}

const tt_view *tt_dash_view(const tt_dash_model *m, size_t i) {
  if (!m->paused)
    return live_view(m, i);
  return i < m->frozen_n && m->frozen[i].index != SIZE_MAX ? &m->frozen[i]
                                                           : NULL;
}

const tt_target *tt_dash_target(const tt_dash_model *m, size_t i) {
  const tt_view *v = live_view(m, i);
  return v != NULL ? v->target : NULL;
}

const char *tt_dash_name(const tt_dash_model *m, size_t i) {
  return i < m->n && m->tracks[i].name != NULL ? m->tracks[i].name : "";
}

const tt_dash_series *tt_dash_series_of(const tt_dash_model *m, size_t i) {
  if (m->paused)
    return tt_dash_view(m, i) != NULL ? &m->frozen_series[i] : NULL;
  return i < m->n ? m->tracks[i].series : NULL;
}

static const tt_hist_scale *scale_shown(const tt_dash_model *m) {
  return m->paused ? m->frozen_scale : m->scale;
}

uint64_t tt_dash_wall_us(const tt_dash_model *m) {
  return m->paused ? m->frozen_wall_us : m->wall_us;
}

void tt_dash_set_clock(tt_dash_model *m, uint64_t wall_us) {
  m->wall_us = wall_us;
}

const tt_hist_scale *tt_dash_scale(const tt_dash_model *m) {
  return scale_shown(m);
}

size_t tt_dash_selected(const tt_dash_model *m) {
  return m->sel_target == TT_DASH_NO_TARGET ? SIZE_MAX : m->sel_target;
}

static void *grow_array(void *p, size_t n, size_t size) {
  return realloc(p, (n > 0 ? n : 1) * size);
}

/* Grows *p to cap elements of size (those past old zeroed). */
static int grow_to(void *pp, size_t old, size_t cap, size_t size) {
  void **p = pp;
  char *q = grow_array(*p, cap, size);
  if (q == NULL)
    return -ENOMEM;
  memset(q + old * size, 0, (cap - old) * size);
  *p = q;
  return 0;
}

/* Makes room for target numbers below want. */
static int ensure_cap(tt_dash_model *m, size_t want) {
  if (want <= m->cap)
    return 0;
  size_t cap = m->cap > 0 ? m->cap : 16;
  while (cap < want)
    cap *= 2;
  if (grow_to(&m->tracks, m->cap, cap, sizeof(*m->tracks)) != 0 ||
      grow_to(&m->passes, m->cap, cap, sizeof(*m->passes)) != 0 ||
      grow_to(&m->rows, m->cap, cap, sizeof(*m->rows)) != 0 ||
      grow_to(&m->items, m->cap, cap, sizeof(*m->items)) != 0 ||
      grow_to(&m->tmp, m->cap, cap, sizeof(*m->tmp)) != 0)
    return -ENOMEM;
  m->cap = cap;
  return 0;
}

static unsigned text_width(const tt_dash_model *m, const char *s) {
  char buf[512];
  size_t len = tt_escape(buf, sizeof(buf), s, strlen(s),
                         tt_cell_esc_flags(m->utf8));
  return tt_fmt_width(buf, len);
}

static unsigned tags_width(const tt_dash_model *m, const tt_target *t) {
  unsigned w = 0;
  for (size_t k = 0; k < t->ntags; k++)
    w += text_width(m, t->tags[k]) + (k > 0);
  return w;
}

/* Widens name_want and the others for target i. */
static void measure_one(tt_dash_model *m, size_t i) {
  unsigned w = text_width(m, tt_dash_name(m, i));
  if (w > m->name_want)
    m->name_want = w;
  const tt_target *t = tt_dash_target(m, i);
  if (t == NULL)
    return;
  w = text_width(m, t->address);
  if (w > m->address_want)
    m->address_want = w;
  w = tags_width(m, t);
  if (w > m->tags_want)
    m->tags_want = w;
  if (t->tls)
    m->cert_want = tt_columns[TT_COL_CERT].width;
}

bool tt_dash_can_sort(const tt_dash_model *m, tt_col_id c) {
  return tt_columns[c].key != NULL && (c != TT_COL_CERT || m->cert_want > 0);
}

void tt_dash_targets_changed(tt_dash_model *m) {
  m->name_want = m->address_want = m->tags_want = m->cert_want = 0;
  for (size_t i = 0; i < m->n; i++)
    if (m->tracks[i].present)
      measure_one(m, i);
}

/* Target i is there (from the start, or it joined at ts_us). */
static int track_open(tt_dash_model *m, size_t i, const tt_view *v,
                      uint64_t ts_us) {
  tt_dash_track *t = &m->tracks[i];
  if (t->name == NULL && (t->name = strdup(v->target->name)) == NULL)
    return -ENOMEM;
  if (t->series == NULL) {
    if ((t->series = calloc(1, sizeof(*t->series))) == NULL)
      return -ENOMEM;
    tt_hist_init(&t->series->hist);
    tt_loss_init(&t->series->loss);
  }
  t->present = true;
  t->state = (uint8_t)v->state;
  t->since_us = v->state_since_us > 0 ? v->state_since_us : ts_us;
  measure_one(m, i);
  return 0;
}

/* What is remembered of a target that left goes (a pause shows its
 * copy). */
static void series_drop(tt_dash_model *m, size_t i) {
  free(m->tracks[i].series);
  m->tracks[i].series = NULL;
}

unsigned tt_dash_resync(tt_dash_model *m) {
  for (size_t i = 0; i < m->n; i++) {
    tt_dash_track *t = &m->tracks[i];
    const tt_view *v = m->view_at(m->src, i);
    if (v == NULL) {
      if (t->present)
        series_drop(m, i);
      t->present = false;
      continue;
    }
    if (!t->present && track_open(m, i, v, v->state_since_us) != 0)
      continue;
    t->state = (uint8_t)v->state;
    t->since_us = v->state_since_us;
  }
  return TT_DIRTY_DRAW | TT_DIRTY_DATA | TT_DIRTY_FILTER | TT_DIRTY_STATES;
}

/* The interval most targets share: one HISTORY cell by default. */
static uint64_t common_interval_ms(const tt_dash_model *m) {
  enum { DISTINCT = 16 };
  uint64_t value[DISTINCT];
  size_t count[DISTINCT], nv = 0, best = 0;
  for (size_t i = 0; i < m->n; i++) {
    const tt_target *t = tt_dash_target(m, i);
    if (t == NULL || t->interval_ms == 0)
      continue;
    size_t k = 0;
    while (k < nv && value[k] != t->interval_ms)
      k++;
    if (k == nv) {
      if (nv == DISTINCT)
        continue;
      value[nv] = t->interval_ms;
      count[nv++] = 0;
    }
    count[k]++;
  }
  for (size_t k = 1; k < nv; k++)
    if (count[k] > count[best] ||
        (count[k] == count[best] && value[k] < value[best]))
      best = k;
  return nv > 0 ? value[best] : 1000;
}

int tt_dash_model_init(tt_dash_model *m, const tt_dash_model_opts *o) {
  memset(m, 0, sizeof(*m));
  m->view_at = o->view_at;
  m->src = o->src;
  m->utf8 = o->utf8;
  m->wall_us = o->wall_us;
  m->sort_col = TT_COL_STATE;
  m->pinned = true;
  m->sel_target = TT_DASH_NO_TARGET;
  m->sel_group = TT_DASH_NO_GROUP;
  m->page = 1;
  m->log_page = 1;
  m->log_follow = true;
  m->screen = TT_SCREEN_TABLE;
  m->groups.untagged = TT_DASH_NO_GROUP;
  m->names.untagged = TT_DASH_NO_GROUP;
  tt_filter_compile(&m->filter, "");
  int rc = -ENOMEM;
  if (ensure_cap(m, o->n) != 0 || tt_dash_log_init(&m->log) != 0 ||
      (m->scale = malloc(sizeof(*m->scale))) == NULL)
    goto fail;
  tt_hist_scale_init(m->scale);
  m->n = o->n;
  for (size_t i = 0; i < o->n; i++) {
    const tt_view *v = m->view_at(m->src, i);
    m->tracks[i].present = v != NULL;
    if (v != NULL && track_open(m, i, v, o->wall_us) != 0)
      goto fail;
  }
  m->step_us = (o->step_ms > 0 ? o->step_ms : common_interval_ms(m)) * 1000;
  tt_dash_refresh(m, TT_DIRTY_FILTER);
  return 0;
fail:
  tt_dash_model_free(m);
  return rc;
}

/* The paused display's copies (each view's histogram its own). */
static void free_frozen(tt_dash_model *m) {
  for (size_t i = 0; i < m->frozen_n; i++)
    if (m->frozen[i].index != SIZE_MAX)
      tt_view_free(&m->frozen[i]);
  free(m->frozen);
  free(m->frozen_series);
  free(m->frozen_scale);
  m->frozen = NULL;
  m->frozen_series = NULL;
  m->frozen_scale = NULL;
  m->frozen_n = 0;
}

void tt_dash_model_free(tt_dash_model *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->tracks[i].name);
    free(m->tracks[i].series);
  }
  free(m->tracks);
  free(m->passes);
  free(m->rows);
  free(m->items);
  free(m->tmp);
  free(m->lines);
  free_frozen(m);
  free(m->scale);
  tt_dash_log_free(&m->log);
  tt_dash_groups_free(&m->groups);
  tt_dash_groups_free(&m->names);
  memset(m, 0, sizeof(*m));
}

void tt_dash_forget(tt_dash_model *m) {
  for (size_t i = 0; i < m->n; i++) {
    tt_dash_track *t = &m->tracks[i];
    t->since_us = 0; /* how long a state lasted is not known again yet */
    if (t->series != NULL) {
      tt_hist_init(&t->series->hist);
      tt_loss_init(&t->series->loss);
      t->series->mini_total = 0;
    }
  }
  tt_hist_scale_init(m->scale);
  tt_dash_log_clear(&m->log);
  m->frozen_log_total = 0;
  m->log_follow = true;
}

/* ---- events ---- */

static void log_add(tt_dash_model *m, tt_log_kind kind, size_t target,
                    const tt_event *ev, uint32_t lasted_ms,
                    const char *text) {
  tt_dash_change c = {
    .ts_us = ev != NULL ? ev->ts_us : m->wall_us,
    .target = target == SIZE_MAX ? TT_DASH_NO_TARGET : (uint32_t)target,
    .kind = (uint8_t)kind,
    .lasted_ms = lasted_ms,
  };
  if (ev != NULL && kind == TT_LOG_STATE) {
    c.from = (uint8_t)ev->from;
    c.to = (uint8_t)ev->to;
    c.cls = (uint8_t)ev->cls;
  }
  tt_dash_log_add(&m->log, &c, text);
}

static void record_change(tt_dash_model *m, size_t i, const tt_event *ev) {
  tt_dash_track *t = &m->tracks[i];
  tt_dash_series *s = t->series;
  if (s != NULL) {
    s->mini[s->mini_total % TT_DASH_MINI_LEN] = (tt_dash_mini){
        ev->ts_us, (uint8_t)ev->from, (uint8_t)ev->to, (uint8_t)ev->cls};
    s->mini_total++;
  }
  uint64_t lasted = t->since_us > 0 && ev->ts_us > t->since_us
                        ? (ev->ts_us - t->since_us) / 1000 : 0;
  t->state = (uint8_t)ev->to;
  t->since_us = ev->ts_us;
  /* Every start brings each target from connecting to up: that is not
   * news, and ten thousand of them would push out what is. */
  if (ev->from == TT_STATE_CONNECTING && ev->to == TT_STATE_UP)
    return;
  log_add(m, TT_LOG_STATE, i, ev,
          lasted > UINT32_MAX ? UINT32_MAX : (uint32_t)lasted, ev->error);
}

unsigned tt_dash_record(tt_dash_model *m, const tt_event *ev) {
  size_t i = ev->view->index;
  unsigned dirty = TT_DIRTY_DRAW | TT_DIRTY_DATA;
  if (ensure_cap(m, i + 1) != 0)
    return 0;
  if (i >= m->n)
    m->n = i + 1;
  tt_dash_track *t = &m->tracks[i];
  if (ev->kind == TT_EVENT_ADDED || (!t->present && t->name == NULL)) {
    if (track_open(m, i, ev->view, ev->ts_us) != 0)
      return 0;
    dirty |= TT_DIRTY_FILTER;
    if (ev->kind == TT_EVENT_ADDED)
      log_add(m, TT_LOG_ADDED, i, ev, 0, NULL);
  }
  switch (ev->kind) {
  case TT_EVENT_REMOVED:
    log_add(m, TT_LOG_REMOVED, i, ev, 0, NULL);
    t->present = false;
    series_drop(m, i);
    dirty |= TT_DIRTY_FILTER;
    break;
  case TT_EVENT_HEARTBEAT:
    if (t->series != NULL) {
      tt_hist_beat(&t->series->hist, m->scale, m->step_us, ev->ts_us,
                   ev->cls, ev->rtt_us);
      tt_loss_beat(&t->series->loss, ev->ts_us, ev->cls != TT_CLASS_OK);
    }
    break;
  case TT_EVENT_LATE:
    if (t->series != NULL && ev->ts_us > ev->rtt_us)
      tt_hist_late(&t->series->hist, m->step_us, ev->ts_us - ev->rtt_us);
    break;
  case TT_EVENT_STATE:
    record_change(m, i, ev);
    dirty |= TT_DIRTY_STATES;
    break;
  default:
    break;
  }
  return m->paused ? 0 : dirty;
}

unsigned tt_dash_notice(tt_dash_model *m, bool error, const char *text,
                        bool log) {
  snprintf(m->notice, sizeof(m->notice), "%s", text);
  m->notice_error = error;
  m->notice_until_us = m->wall_us + (error ? NOTICE_ERROR_US : NOTICE_US);
  if (log)
    log_add(m, TT_LOG_NOTICE, SIZE_MAX, NULL, 0, text);
  return TT_DIRTY_DRAW;
}

size_t tt_dash_target_changes(const tt_dash_model *m, size_t i,
                              tt_dash_mini *out, size_t max) {
  const tt_dash_series *t = tt_dash_series_of(m, i);
  if (t == NULL)
    return 0;
  size_t have = t->mini_total < TT_DASH_MINI_LEN ? t->mini_total
                                                 : TT_DASH_MINI_LEN;
  size_t k = 0;
  for (; k < have && k < max; k++)
    out[k] = t->mini[(t->mini_total - 1 - k) % TT_DASH_MINI_LEN];
  return k;
}

void tt_dash_counts(const tt_dash_model *m, size_t counts[TT_STATE_COUNT]) {
  for (int s = 0; s < TT_STATE_COUNT; s++)
    counts[s] = 0;
  for (size_t i = 0; i < m->n; i++) {
    const tt_view *v = tt_dash_view(m, i);
    if (v != NULL && (unsigned)v->state < TT_STATE_COUNT)
      counts[v->state]++;
  }
}

/* ---- the pause ---- */

unsigned tt_dash_pause(tt_dash_model *m, bool on) {
  if (on == m->paused)
    return 0;
  if (!on) {
    free_frozen(m);
    m->paused = false;
    /* Catch up with everything that happened meanwhile. */
    return TT_DIRTY_DRAW | TT_DIRTY_FILTER;
  }
  size_t n = m->n > 0 ? m->n : 1;
  tt_view *views = malloc(n * sizeof(*views));
  tt_dash_series *series = malloc(n * sizeof(*series));
  tt_hist_scale *scale = malloc(sizeof(*scale));
  if (views == NULL || series == NULL || scale == NULL) {
    free(views);
    free(series);
    free(scale);
    return tt_dash_notice(m, true, "no memory to pause the display", false);
  }
  for (size_t i = 0; i < m->n; i++) {
    const tt_view *v = live_view(m, i);
    if (v != NULL && m->tracks[i].series != NULL) {
      /* The live histogram moves as it grows: a copy of its own. */
      tt_view_copy(&views[i], v);
      /* A reload frees the config it points into: never keep it. */
      views[i].target = NULL;
      series[i] = *m->tracks[i].series;
    } else {
      views[i].index = SIZE_MAX;
    }
  }
  *scale = *m->scale;
  m->frozen = views;
  m->frozen_series = series;
  m->frozen_scale = scale;
  m->frozen_n = m->n;
  m->frozen_wall_us = m->wall_us;
  m->frozen_log_total = m->log.total;
  m->paused = true;
  return TT_DIRTY_DRAW;
}

/* ---- filter ---- */

static void subject_of(const tt_dash_model *m, size_t i, const tt_view *v,
                       tt_match_subject *s) {
  const tt_target *t = tt_dash_target(m, i);
  *s = (tt_match_subject){
    .name = tt_dash_name(m, i),
    .address = t != NULL ? t->address : NULL,
    .ip = v != NULL ? v->ip : "",
    .tags = t != NULL ? t->tags : NULL,
    .ntags = t != NULL ? t->ntags : 0,
    .view = v,
  };
}

bool tt_dash_passes(const tt_dash_model *m, size_t i) {
  return i < m->n && m->passes[i];
}

/* Every number's pass (targets that left too, for their log entries),
 * and the rows: the targets shown that pass. */
static void refilter(tt_dash_model *m) {
  m->nrows = 0;
  for (size_t i = 0; i < m->n; i++) {
    const tt_view *v = tt_dash_view(m, i);
    tt_match_subject s;
    bool pass = false;
    if (m->tracks[i].name != NULL) {
      subject_of(m, i, v, &s);
      pass = tt_filter_match(&m->filter, &s) &&
             (!m->problems || (v != NULL && v->state != TT_STATE_UP));
    }
    m->passes[i] = pass;
    if (pass && v != NULL)
      m->rows[m->nrows++] = (uint32_t)i;
  }
}

/* ---- sort ---- */

/* What sorting and formatting need of target i besides its view. */
static void basic_ctx(const tt_dash_model *m, size_t i, tt_cell_ctx *ctx) {
  const tt_dash_series *s = tt_dash_series_of(m, i);
  *ctx = (tt_cell_ctx){
    .now_us = tt_dash_wall_us(m),
    .utf8 = m->utf8,
    .name = tt_dash_name(m, i),
    .target = tt_dash_target(m, i),
    .hist = s != NULL ? &s->hist : NULL,
    .loss = s != NULL ? &s->loss : NULL,
    .step_us = m->step_us,
    .level = m->zoom,
    .shared = m->shared_scale,
  };
}

uint64_t tt_dash_hist_span_ms(const tt_dash_model *m) {
  return tt_hist_span_us(m->step_us, m->zoom) / 1000;
}

void tt_dash_cell_ctx(const tt_dash_model *m, size_t i, unsigned hist_width,
                      tt_cell_ctx *ctx) {
  basic_ctx(m, i, ctx);
  size_t w = hist_width < TT_HIST_CELLS ? hist_width : TT_HIST_CELLS;
  if (m->shared_scale &&
      !tt_hist_scale_range(scale_shown(m), m->step_us, m->zoom, ctx->now_us,
                           w, &ctx->lo, &ctx->hi))
    ctx->lo = ctx->hi = 0;
}

/* Rows without a value go last whichever the direction; equal rows keep
 * the config's order, so that they do not trade places on every redraw. */
static int item_cmp(const tt_dash_model *m, const struct tt_sortitem *a,
                    const struct tt_sortitem *b) {
  if (a->key.missing != b->key.missing)
    return a->key.missing ? 1 : -1;
  int r = a->key.missing ? 0 : tt_columns[m->sort_col].compare(&a->key, &b->key);
  if (m->reverse)
    r = -r;
  if (r == 0)
    r = (a->idx > b->idx) - (a->idx < b->idx);
  return r;
}

/* A bottom-up merge sort, since qsort takes no context. */
static void sort_items(tt_dash_model *m, size_t n) {
  struct tt_sortitem *from = m->items, *to = m->tmp;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        to[k++] = item_cmp(m, &from[j], &from[i]) < 0 ? from[j++] : from[i++];
      while (i < mid)
        to[k++] = from[i++];
      while (j < hi)
        to[k++] = from[j++];
    }
    struct tt_sortitem *t = from;
    from = to;
    to = t;
  }
  if (from != m->items)
    memcpy(m->items, from, n * sizeof(*from));
}

static void resort(tt_dash_model *m) {
  const tt_column *col = &tt_columns[m->sort_col];
  for (size_t r = 0; r < m->nrows; r++) {
    tt_cell_ctx ctx;
    basic_ctx(m, m->rows[r], &ctx);
    m->items[r].idx = m->rows[r];
    col->key(tt_dash_view(m, m->rows[r]), &ctx, &m->items[r].key);
  }
  sort_items(m, m->nrows);
  for (size_t r = 0; r < m->nrows; r++)
    m->rows[r] = m->items[r].idx;
}

/* ---- lines and the selection ---- */

static void scroll_to_selection(tt_dash_model *m) {
  unsigned page = m->page > 0 ? m->page : 1;
  if (m->nlines == 0) {
    m->top = 0;
    return;
  }
  if (m->sel < m->top)
    m->top = m->sel;
  if (m->sel >= m->top + page)
    m->top = m->sel - page + 1;
  /* No blank lines at the bottom while there are lines above. */
  if (m->nlines >= page && m->top > m->nlines - page)
    m->top = m->nlines - page;
  if (m->nlines < page)
    m->top = 0;
}

static void select_line(tt_dash_model *m, size_t line) {
  if (m->nlines == 0) {
    m->sel = 0;
    m->sel_target = TT_DASH_NO_TARGET;
    m->sel_group = TT_DASH_NO_GROUP;
  } else {
    m->sel = line < m->nlines ? line : m->nlines - 1;
    m->sel_target = m->lines[m->sel].target;
    m->sel_group = m->lines[m->sel].group;
  }
  scroll_to_selection(m);
}

static bool find_line(tt_dash_model *m, uint32_t target, uint32_t group,
                      bool any_group) {
  for (size_t l = 0; l < m->nlines; l++) {
    const tt_dash_line *x = &m->lines[l];
    if (x->target == target && (any_group || x->group == group)) {
      select_line(m, l);
      return true;
    }
  }
  return false;
}

/* Finds the selected line again: the same target in the same group, in
 * another group, or its group's roll-up when it is folded; when it is
 * gone the selection stays at the same height on whatever is there now. */
static void follow_selection(tt_dash_model *m) {
  bool detail = m->screen == TT_SCREEN_DETAIL;
  if (m->pinned && !detail) {
    select_line(m, 0);
    return;
  }
  uint32_t t = m->sel_target, g = m->sel_group;
  /* The detail view stays on its target, in the rows or not; it closes
   * when its target leaves. */
  if (detail && t != TT_DASH_NO_TARGET && tt_dash_view(m, t) == NULL)
    m->screen = TT_SCREEN_TABLE;
  if (detail && t != TT_DASH_NO_TARGET && tt_dash_view(m, t) != NULL) {
    if (!find_line(m, t, g, false) && !find_line(m, t, g, true)) {
      m->sel_target = t;
      m->sel_group = g;
    }
    return;
  }
  if (t != TT_DASH_NO_TARGET || g != TT_DASH_NO_GROUP) {
    if (find_line(m, t, g, false))
      return;
    if (t != TT_DASH_NO_TARGET && find_line(m, t, g, true))
      return;
    if (g != TT_DASH_NO_GROUP && find_line(m, TT_DASH_NO_TARGET, g, false))
      return;
  }
  select_line(m, m->sel);
}

void tt_dash_select_line(tt_dash_model *m, size_t line) {
  select_line(m, line);
}

/* Heartbeats come all the time, state changes seldom: the rows are
 * filtered, sorted and grouped again only when what they depend on
 * moved (at 10 000 targets that is the difference between a redraw that
 * formats forty rows and one that also goes over all of them). */
void tt_dash_refresh(tt_dash_model *m, unsigned dirty) {
  bool results = dirty & TT_DIRTY_DATA;
  bool states = dirty & TT_DIRTY_STATES;
  tt_key_moves moves = tt_columns[m->sort_col].key_moves;
  bool filter = (dirty & TT_DIRTY_FILTER) ||
                (states && (m->filter.on_states || m->problems)) ||
                (results && m->filter.on_results);
  bool order = filter || (dirty & TT_DIRTY_ORDER) ||
               (states && moves == TT_KEY_ON_STATES) ||
               (results && moves == TT_KEY_ON_RESULTS);
  if (filter)
    refilter(m);
  if (order)
    resort(m);
  /* Roll-ups count states. */
  if (filter || order || (states && (m->grouped || m->names.n > 0)) ||
      m->lines == NULL) {
    int rc = m->grouped ? tt_dash_group_lines(m) : tt_dash_name_lines(m);
    if (rc != 0)
      m->nlines = 0; /* out of memory: an empty table, said so */
  }
  follow_selection(m);
}

void tt_dash_set_page(tt_dash_model *m, unsigned lines) {
  m->page = lines > 0 ? lines : 1;
  follow_selection(m);
}

void tt_dash_set_log_page(tt_dash_model *m, unsigned lines) {
  m->log_page = lines > 0 ? lines : 1;
}

/* ---- the event log as shown ---- */

static uint64_t log_end(const tt_dash_model *m) {
  return m->paused ? m->frozen_log_total : m->log.total;
}

static bool log_shown(const tt_dash_model *m, uint64_t j) {
  const tt_dash_change *c = tt_dash_log_at(&m->log, j);
  if (c == NULL)
    return false;
  return c->target == TT_DASH_NO_TARGET || tt_dash_passes(m, c->target);
}

/* The entry at the pane's top, or the end when none is shown. */
static uint64_t log_top(const tt_dash_model *m) {
  uint64_t end = log_end(m), first = tt_dash_log_first(&m->log);
  uint64_t j = end;
  if (!m->log_follow && m->log_top >= first && m->log_top < end)
    return m->log_top;
  while (j > first) {
    j--;
    if (log_shown(m, j))
      return j;
  }
  return end;
}

size_t tt_dash_log_shown(const tt_dash_model *m) {
  size_t n = 0;
  for (uint64_t j = tt_dash_log_first(&m->log); j < log_end(m); j++)
    n += log_shown(m, j);
  return n;
}

size_t tt_dash_log_above(const tt_dash_model *m) {
  size_t n = 0;
  uint64_t top = log_top(m);
  for (uint64_t j = top + 1; j < log_end(m); j++)
    n += log_shown(m, j);
  return n;
}

size_t tt_dash_log_page(const tt_dash_model *m, const tt_dash_change **out,
                        size_t max) {
  size_t k = 0;
  uint64_t first = tt_dash_log_first(&m->log), top = log_top(m);
  if (top >= log_end(m))
    return 0;
  for (uint64_t j = top + 1; j > first && k < max; j--)
    if (log_shown(m, j - 1))
      out[k++] = tt_dash_log_at(&m->log, j - 1);
  return k;
}

bool tt_dash_log_scroll(tt_dash_model *m, long delta) {
  uint64_t first = tt_dash_log_first(&m->log), end = log_end(m);
  uint64_t top = log_top(m), at = top;
  if (top >= end)
    return false;
  if (delta > 0) {
    for (uint64_t j = top; j > first && delta > 0; j--) {
      if (log_shown(m, j - 1)) {
        at = j - 1;
        delta--;
      }
    }
  } else {
    for (uint64_t j = top + 1; j < end && delta < 0; j++) {
      if (log_shown(m, j)) {
        at = j;
        delta++;
      }
    }
  }
  bool moved = at != top || m->log_follow;
  m->log_top = at;
  m->log_follow = false;
  /* Back at the newest: follow what comes. */
  bool newer = false;
  for (uint64_t j = at + 1; j < end && !newer; j++)
    newer = log_shown(m, j);
  if (!newer)
    m->log_follow = true;
  return moved;
}
