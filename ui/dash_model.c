/* dash_model.c - the dashboard's state and its key actions: filtering,
 * sorting, a selection that follows its target, the pause snapshot and the
 * event log. Nothing here draws. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash_model.h"
#include "escape.h"
#include "format.h"

struct tt_sortitem {
  tt_sortkey key;
  uint32_t idx;
};

int tt_dash_model_init(tt_dash_model *m, size_t n, tt_view_fn view_at,
                       void *src, bool utf8) {
  memset(m, 0, sizeof(*m));
  m->view_at = view_at;
  m->src = src;
  m->n = n;
  m->utf8 = utf8;
  m->sort_col = TT_COL_STATE;
  m->sel = SIZE_MAX;
  m->page = 1;
  m->screen = TT_SCREEN_TABLE;
  size_t cap = n > 0 ? n : 1;
  m->rows = malloc(cap * sizeof(*m->rows));
  m->items = malloc(cap * sizeof(*m->items));
  m->tmp = malloc(cap * sizeof(*m->tmp));
  m->log = malloc(TT_DASH_LOG_LEN * sizeof(*m->log));
  m->tlog = calloc(cap, sizeof(*m->tlog));
  if (m->rows == NULL || m->items == NULL || m->tmp == NULL ||
      m->log == NULL || m->tlog == NULL) {
    tt_dash_model_free(m);
    return -ENOMEM;
  }
  /* Names and addresses never change: measure them once. */
  int flags = tt_cell_esc_flags(utf8);
  for (size_t i = 0; i < n; i++) {
    const tt_target *t = view_at(src, i)->target;
    char buf[512];
    size_t len = tt_escape(buf, sizeof(buf), t->name, strlen(t->name), flags);
    unsigned w = tt_fmt_width(buf, len);
    if (w > m->name_want)
      m->name_want = w;
    len = tt_escape(buf, sizeof(buf), t->address, strlen(t->address), flags);
    w = tt_fmt_width(buf, len);
    if (w > m->address_want)
      m->address_want = w;
  }
  tt_dash_refresh(m, TT_DIRTY_FILTER);
  return 0;
}

void tt_dash_model_free(tt_dash_model *m) {
  free(m->rows);
  free(m->items);
  free(m->tmp);
  free(m->log);
  free(m->tlog);
  free(m->frozen);
  m->rows = NULL;
  m->items = m->tmp = NULL;
  m->log = NULL;
  m->tlog = NULL;
  m->frozen = NULL;
}

const tt_view *tt_dash_view(const tt_dash_model *m, size_t i) {
  return m->paused ? &m->frozen[i] : m->view_at(m->src, i);
}

uint64_t tt_dash_now_ms(const tt_dash_model *m) {
  return m->paused ? m->frozen_ms : m->now_ms;
}

uint64_t tt_dash_wall_us(const tt_dash_model *m) {
  return m->paused ? m->frozen_wall_us : m->wall_us;
}

/* ---- filter ---- */

/* Case-insensitive (ASCII) substring search. */
static bool contains(const char *hay, const char *needle) {
  size_t nl = strlen(needle);
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

bool tt_dash_matches(const tt_target *t, const char *filter) {
  if (filter[0] == '\0')
    return true;
  if (contains(t->name, filter) || contains(t->address, filter))
    return true;
  for (size_t i = 0; i < t->ntags; i++)
    if (contains(t->tags[i], filter))
      return true;
  return false;
}

static void refilter(tt_dash_model *m) {
  m->nrows = 0;
  for (size_t i = 0; i < m->n; i++)
    if (tt_dash_matches(tt_dash_view(m, i)->target, m->filter))
      m->rows[m->nrows++] = (uint32_t)i;
}

/* ---- sort ---- */

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
    m->items[r].idx = m->rows[r];
    col->key(tt_dash_view(m, m->rows[r]), &m->items[r].key);
  }
  sort_items(m, m->nrows);
  for (size_t r = 0; r < m->nrows; r++)
    m->rows[r] = m->items[r].idx;
}

/* ---- selection ---- */

static void scroll_to_selection(tt_dash_model *m) {
  unsigned page = m->page > 0 ? m->page : 1;
  if (m->nrows == 0) {
    m->top = 0;
    return;
  }
  if (m->sel_row < m->top)
    m->top = m->sel_row;
  if (m->sel_row >= m->top + page)
    m->top = m->sel_row - page + 1;
  /* No blank rows at the bottom while there are rows above. */
  if (m->nrows >= page && m->top > m->nrows - page)
    m->top = m->nrows - page;
  if (m->nrows < page)
    m->top = 0;
}

static void select_row(tt_dash_model *m, size_t row) {
  if (m->nrows == 0) {
    m->sel = SIZE_MAX;
    m->sel_row = 0;
  } else {
    m->sel_row = row < m->nrows ? row : m->nrows - 1;
    m->sel = m->rows[m->sel_row];
  }
  scroll_to_selection(m);
}

/* Finds the selected target's row again; when it is gone (filtered out)
 * the selection stays at the same height on whatever is there now. */
static void follow_selection(tt_dash_model *m) {
  if (m->sel != SIZE_MAX) {
    for (size_t r = 0; r < m->nrows; r++) {
      if (m->rows[r] == m->sel) {
        m->sel_row = r;
        scroll_to_selection(m);
        return;
      }
    }
  }
  select_row(m, m->sel == SIZE_MAX ? 0 : m->sel_row);
}

void tt_dash_refresh(tt_dash_model *m, unsigned dirty) {
  bool order = dirty & (TT_DIRTY_FILTER | TT_DIRTY_ORDER);
  if ((dirty & TT_DIRTY_DATA) && tt_columns[m->sort_col].key_changes)
    order = true;
  if (dirty & TT_DIRTY_FILTER)
    refilter(m);
  if (order)
    resort(m);
  follow_selection(m);
}

void tt_dash_set_page(tt_dash_model *m, unsigned rows) {
  m->page = rows > 0 ? rows : 1;
  scroll_to_selection(m);
}

/* ---- events ---- */

unsigned tt_dash_record(tt_dash_model *m, const tt_event *ev) {
  if (ev->kind == TT_EVENT_STATE && ev->view->index < m->n) {
    size_t i = ev->view->index;
    tt_dash_change *c = &m->log[m->log_total % TT_DASH_LOG_LEN];
    c->ts_us = ev->ts_us;
    c->target = i;
    c->from = (uint8_t)ev->from;
    c->to = (uint8_t)ev->to;
    c->cls = (uint8_t)ev->cls;
    snprintf(c->error, sizeof(c->error), "%s", ev->error ? ev->error : "");
    m->log_total++;
    tt_dash_target_log *t = &m->tlog[i];
    t->m[t->total % TT_DASH_MINI_LEN] = (tt_dash_mini){
        ev->ts_us, (uint8_t)ev->from, (uint8_t)ev->to, (uint8_t)ev->cls};
    t->total++;
  }
  return m->paused ? 0 : TT_DIRTY_DRAW | TT_DIRTY_DATA;
}

size_t tt_dash_log_count(const tt_dash_model *m) {
  uint64_t total = m->paused ? m->frozen_log_total : m->log_total;
  uint64_t gone = m->log_total > TT_DASH_LOG_LEN
                      ? m->log_total - TT_DASH_LOG_LEN : 0;
  return total > gone ? (size_t)(total - gone) : 0;
}

const tt_dash_change *tt_dash_log_get(const tt_dash_model *m, size_t k) {
  uint64_t total = m->paused ? m->frozen_log_total : m->log_total;
  if (k >= tt_dash_log_count(m))
    return NULL;
  return &m->log[(total - 1 - k) % TT_DASH_LOG_LEN];
}

size_t tt_dash_target_changes(const tt_dash_model *m, size_t i,
                              tt_dash_mini *out, size_t max) {
  if (i >= m->n)
    return 0;
  const tt_dash_target_log *t = &m->tlog[i];
  size_t have = t->total < TT_DASH_MINI_LEN ? t->total : TT_DASH_MINI_LEN;
  size_t k = 0;
  for (; k < have && k < max; k++)
    out[k] = t->m[(t->total - 1 - k) % TT_DASH_MINI_LEN];
  return k;
}

void tt_dash_counts(const tt_dash_model *m, size_t counts[TT_STATE_COUNT]) {
  for (int s = 0; s < TT_STATE_COUNT; s++)
    counts[s] = 0;
  for (size_t i = 0; i < m->n; i++) {
    tt_state s = tt_dash_view(m, i)->state;
    if ((unsigned)s < TT_STATE_COUNT)
      counts[s]++;
  }
}

/* ---- actions ---- */

static unsigned move_by(tt_dash_model *m, long delta) {
  if (m->nrows == 0)
    return 0;
  long row = (long)m->sel_row + delta;
  if (row < 0)
    row = 0;
  select_row(m, (size_t)row);
  return TT_DIRTY_DRAW;
}

static unsigned act_up(tt_dash_model *m) { return move_by(m, -1); }
static unsigned act_down(tt_dash_model *m) { return move_by(m, 1); }
static unsigned act_page_up(tt_dash_model *m) { return move_by(m, -(long)m->page); }
static unsigned act_page_down(tt_dash_model *m) { return move_by(m, (long)m->page); }
static unsigned act_first(tt_dash_model *m) { return move_by(m, -(long)m->nrows); }
static unsigned act_last(tt_dash_model *m) { return move_by(m, (long)m->nrows); }

static unsigned act_sort_next(tt_dash_model *m) {
  do
    m->sort_col = (tt_col_id)((m->sort_col + 1) % TT_COL_COUNT);
  while (tt_columns[m->sort_col].key == NULL);
  m->reverse = false;
  return TT_DIRTY_DRAW | TT_DIRTY_ORDER;
}

static unsigned act_sort_reverse(tt_dash_model *m) {
  m->reverse = !m->reverse;
  return TT_DIRTY_DRAW | TT_DIRTY_ORDER;
}

static unsigned act_filter(tt_dash_model *m) {
  m->prompt = true;
  return TT_DIRTY_DRAW;
}

static unsigned clear_filter(tt_dash_model *m) {
  bool had = m->filter_len > 0;
  m->filter[0] = '\0';
  m->filter_len = 0;
  return had ? TT_DIRTY_DRAW | TT_DIRTY_FILTER : 0;
}

static unsigned act_escape(tt_dash_model *m) {
  if (m->screen == TT_SCREEN_DETAIL) {
    m->screen = TT_SCREEN_TABLE;
    return TT_DIRTY_DRAW;
  }
  return clear_filter(m);
}

static unsigned act_enter(tt_dash_model *m) {
  if (m->screen == TT_SCREEN_DETAIL) {
    m->screen = TT_SCREEN_TABLE;
    return TT_DIRTY_DRAW;
  }
  if (m->sel == SIZE_MAX)
    return 0;
  m->screen = TT_SCREEN_DETAIL;
  return TT_DIRTY_DRAW;
}

static unsigned act_log(tt_dash_model *m) {
  m->show_log = !m->show_log;
  return TT_DIRTY_DRAW;
}

static unsigned act_pause(tt_dash_model *m) {
  if (m->paused) {
    free(m->frozen);
    m->frozen = NULL;
    m->paused = false;
    /* Catch up with everything that happened meanwhile. */
    return TT_DIRTY_DRAW | TT_DIRTY_DATA | TT_DIRTY_ORDER;
  }
  tt_view *copy = malloc((m->n > 0 ? m->n : 1) * sizeof(*copy));
  if (copy == NULL)
    return 0; /* no memory for a snapshot: keep showing live data */
  for (size_t i = 0; i < m->n; i++)
    copy[i] = *m->view_at(m->src, i);
  m->frozen = copy;
  m->frozen_ms = m->now_ms;
  m->frozen_wall_us = m->wall_us;
  m->frozen_log_total = m->log_total;
  m->paused = true;
  return TT_DIRTY_DRAW;
}

static unsigned act_reconnect(tt_dash_model *m) {
  return m->sel == SIZE_MAX ? 0 : TT_DO_RECONNECT | TT_DIRTY_DRAW;
}

static unsigned act_help(tt_dash_model *m) {
  m->help_from = m->screen;
  m->screen = TT_SCREEN_HELP;
  return TT_DIRTY_DRAW;
}

/* The terminal may have been written over by something else. */
static unsigned act_redraw(tt_dash_model *m) {
  return TT_DIRTY_DRAW | TT_DIRTY_LAYOUT;
}

static unsigned act_quit(tt_dash_model *m) {
  if (m->screen == TT_SCREEN_DETAIL) {
    m->screen = TT_SCREEN_TABLE;
    return TT_DIRTY_DRAW;
  }
  return TT_DO_QUIT;
}

#define TD (TT_SCREEN_TABLE | TT_SCREEN_DETAIL)

static const tt_dash_binding bindings[] = {
  {TT_KEY_UP, TD, act_up, "Up k", "select the previous target"},
  {'k', TD, act_up, NULL, NULL},
  {TT_KEY_DOWN, TD, act_down, "Down j", "select the next target"},
  {'j', TD, act_down, NULL, NULL},
  {TT_KEY_PGUP, TD, act_page_up, "PgUp", "a page up"},
  {TT_KEY_PGDN, TD, act_page_down, "PgDn", "a page down"},
  {'g', TD, act_first, "g Home", "the first target"},
  {TT_KEY_HOME, TD, act_first, NULL, NULL},
  {'G', TD, act_last, "G End", "the last target"},
  {TT_KEY_END, TD, act_last, NULL, NULL},
  {'s', TD, act_sort_next, "s", "sort by the next column"},
  {'S', TD, act_sort_reverse, "S", "reverse the sort direction"},
  {'/', TT_SCREEN_TABLE, act_filter, "/",
   "filter on name, address or tag (Enter keeps it, Esc clears it)"},
  {TT_KEY_ESC, TD, act_escape, "Esc", "clear the filter; leave the detail view"},
  {TT_KEY_ENTER, TD, act_enter, "Enter",
   "open the selected target's detail view; leave it"},
  {'e', TD, act_log, "e", "show or hide the event log (state changes)"},
  {'p', TD, act_pause, "p", "pause or resume the display (probing goes on)"},
  {'r', TD, act_reconnect, "r", "reconnect the selected target now"},
  {'?', TD, act_help, "?", "this help (any key leaves it)"},
  {'q', TD, act_quit, "q", "quit (in the detail view: leave it)"},
  {TT_KEY_REDRAW, TD, act_redraw, "^L", "redraw the whole screen"},
};

const tt_dash_binding *tt_dash_bindings(size_t *n) {
  *n = sizeof(bindings) / sizeof(bindings[0]);
  return bindings;
}

/* Appends the UTF-8 encoding of a typed character to the filter. */
static unsigned prompt_type(tt_dash_model *m, int key) {
  char enc[4];
  size_t len;
  uint32_t c = (uint32_t)key;
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c > 0x10ffff ||
      (c >= 0xd800 && c <= 0xdfff))
    return 0;
  if (c < 0x80) {
    enc[0] = (char)c;
    len = 1;
  } else if (c < 0x800) {
    enc[0] = (char)(0xc0 | c >> 6);
    enc[1] = (char)(0x80 | (c & 0x3f));
    len = 2;
  } else if (c < 0x10000) {
    enc[0] = (char)(0xe0 | c >> 12);
    enc[1] = (char)(0x80 | (c >> 6 & 0x3f));
    enc[2] = (char)(0x80 | (c & 0x3f));
    len = 3;
  } else {
    enc[0] = (char)(0xf0 | c >> 18);
    enc[1] = (char)(0x80 | (c >> 12 & 0x3f));
    enc[2] = (char)(0x80 | (c >> 6 & 0x3f));
    enc[3] = (char)(0x80 | (c & 0x3f));
    len = 4;
  }
  if (m->filter_len + len >= sizeof(m->filter))
    return 0;
  memcpy(m->filter + m->filter_len, enc, len);
  m->filter_len += len;
  m->filter[m->filter_len] = '\0';
  return TT_DIRTY_DRAW | TT_DIRTY_FILTER;
}

/* Keys while the filter prompt is open: it filters as one types. */
static unsigned prompt_key(tt_dash_model *m, int key) {
  switch (key) {
  case TT_KEY_ENTER:
    m->prompt = false;
    return TT_DIRTY_DRAW;
  case TT_KEY_ESC:
    m->prompt = false;
    return clear_filter(m) | TT_DIRTY_DRAW;
  case TT_KEY_BACKSPACE:
    if (m->filter_len == 0)
      return 0;
    /* Back over a whole UTF-8 character. */
    do
      m->filter_len--;
    while (m->filter_len > 0 &&
           ((unsigned char)m->filter[m->filter_len] & 0xc0) == 0x80);
    m->filter[m->filter_len] = '\0';
    return TT_DIRTY_DRAW | TT_DIRTY_FILTER;
  case TT_KEY_KILL_LINE:
    return clear_filter(m) | TT_DIRTY_DRAW;
  case TT_KEY_UP: return act_up(m);
  case TT_KEY_DOWN: return act_down(m);
  case TT_KEY_PGUP: return act_page_up(m);
  case TT_KEY_PGDN: return act_page_down(m);
  default:
    return key < TT_KEY_UP ? prompt_type(m, key) : 0;
  }
}

unsigned tt_dash_key(tt_dash_model *m, int key) {
  if (m->screen == TT_SCREEN_HELP) {
    m->screen = m->help_from;
    return TT_DIRTY_DRAW;
  }
  if (m->prompt)
    return prompt_key(m, key);
  for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
    if (bindings[i].key == key && (bindings[i].screens & m->screen))
      return bindings[i].act(m);
  return 0;
}
