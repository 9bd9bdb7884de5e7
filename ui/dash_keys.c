/* dash_keys.c - the key table (htop's Action.c): one row per key, each
 * an action that changes the model and returns what to redraw; the help
 * screen and the key bar are both read from this table. And the filter
 * prompt, which takes keys as text while it is open. */
#include <stdio.h>
#include <string.h>

#include "dash_model.h"

/* ---- moving ---- */

static bool is_group_line(const tt_dash_model *m, size_t line) {
  return line < m->nlines && m->lines[line].target == TT_DASH_NO_TARGET;
}

static unsigned move_by(tt_dash_model *m, long delta) {
  if (m->log_focus && m->show_log)
    return tt_dash_log_scroll(m, delta) ? TT_DIRTY_DRAW : 0;
  if (m->nlines == 0)
    return 0;
  long line = (long)m->sel + delta;
  if (line < 0)
    line = 0;
  if (line >= (long)m->nlines)
    line = (long)m->nlines - 1;
  /* The detail view shows targets: it passes over roll-up lines. */
  if (m->screen == TT_SCREEN_DETAIL) {
    long step = delta < 0 ? -1 : 1;
    while (is_group_line(m, (size_t)line) && line + step >= 0 &&
           line + step < (long)m->nlines)
      line += step;
    if (is_group_line(m, (size_t)line))
      return 0;
  }
  m->pinned = false;
  tt_dash_select_line(m, (size_t)line);
  return TT_DIRTY_DRAW;
}

static unsigned act_up(tt_dash_model *m) { return move_by(m, -1); }
static unsigned act_down(tt_dash_model *m) { return move_by(m, 1); }
static unsigned act_page_up(tt_dash_model *m) {
  return move_by(m, -(long)(m->log_focus ? m->log_page : m->page));
}
static unsigned act_page_down(tt_dash_model *m) {
  return move_by(m, (long)(m->log_focus ? m->log_page : m->page));
}
static unsigned act_last(tt_dash_model *m) {
  return move_by(m, m->log_focus ? (long)TT_DASH_LOG_LEN : (long)m->nlines);
}

/* The top, and staying there: the worst rows stay in view as they
 * change. In the log: the newest entries, following new ones. */
static unsigned act_first(tt_dash_model *m) {
  if (m->log_focus && m->show_log) {
    m->log_follow = true;
    return TT_DIRTY_DRAW;
  }
  if (m->screen == TT_SCREEN_DETAIL)
    return move_by(m, -(long)m->nlines);
  m->pinned = true;
  tt_dash_select_line(m, 0);
  return TT_DIRTY_DRAW;
}

/* ---- rows ---- */

static unsigned act_sort_next(tt_dash_model *m) {
  do
    m->sort_col = (tt_col_id)((m->sort_col + 1) % TT_COL_COUNT);
  while (!tt_dash_can_sort(m, m->sort_col));
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

static unsigned set_filter(tt_dash_model *m, const char *text, size_t len) {
  memmove(m->filter_text, text, len);
  m->filter_text[len] = '\0';
  m->filter_len = len;
  tt_filter_compile(&m->filter, m->filter_text);
  return TT_DIRTY_DRAW | TT_DIRTY_FILTER;
}

static unsigned clear_filter(tt_dash_model *m) {
  return m->filter_len > 0 ? set_filter(m, "", 0) : 0;
}

static unsigned act_problems(tt_dash_model *m) {
  m->problems = !m->problems;
  return TT_DIRTY_DRAW | TT_DIRTY_FILTER;
}

static unsigned act_group(tt_dash_model *m) {
  m->grouped = !m->grouped;
  return TT_DIRTY_DRAW | TT_DIRTY_ORDER;
}

static unsigned act_escape(tt_dash_model *m) {
  if (m->screen == TT_SCREEN_DETAIL) {
    m->screen = TT_SCREEN_TABLE;
    return TT_DIRTY_DRAW;
  }
  return clear_filter(m);
}

/* The detail view of the target at the log pane's top. */
static unsigned log_detail(tt_dash_model *m) {
  const tt_dash_change *c;
  if (tt_dash_log_page(m, &c, 1) == 0 || c->target == TT_DASH_NO_TARGET ||
      tt_dash_view(m, c->target) == NULL)
    return 0;
  m->pinned = false;
  m->sel_target = c->target;
  m->sel_group = TT_DASH_NO_GROUP;
  m->screen = TT_SCREEN_DETAIL;
  m->log_focus = false;
  /* The target may be filtered out: the detail view shows it anyway. */
  return TT_DIRTY_DRAW | TT_DIRTY_ORDER;
}

static unsigned act_enter(tt_dash_model *m) {
  if (m->screen == TT_SCREEN_DETAIL) {
    m->screen = TT_SCREEN_TABLE;
    return TT_DIRTY_DRAW;
  }
  if (m->log_focus && m->show_log)
    return log_detail(m);
  if (is_group_line(m, m->sel)) {
    tt_dash_group *g = &tt_dash_groups_shown(m)->g[m->lines[m->sel].group];
    g->open = !g->open;
    m->pinned = false;
    return TT_DIRTY_DRAW | TT_DIRTY_ORDER;
  }
  if (tt_dash_selected(m) == SIZE_MAX)
    return 0;
  m->screen = TT_SCREEN_DETAIL;
  return TT_DIRTY_DRAW;
}

/* ---- panes and views ---- */

static unsigned act_log(tt_dash_model *m) {
  m->show_log = !m->show_log;
  m->log_focus = m->log_focus && m->show_log;
  return TT_DIRTY_DRAW;
}

static unsigned act_tab(tt_dash_model *m) {
  if (!m->show_log) {
    m->show_log = true;
    m->log_focus = true;
  } else {
    m->log_focus = !m->log_focus;
  }
  return TT_DIRTY_DRAW;
}

static unsigned act_zoom_in(tt_dash_model *m) {
  if (m->zoom == 0)
    return 0;
  m->zoom--;
  return TT_DIRTY_DRAW;
}

static unsigned act_zoom_out(tt_dash_model *m) {
  if (m->zoom + 1 >= TT_HIST_LEVELS)
    return 0;
  m->zoom++;
  return TT_DIRTY_DRAW;
}

static unsigned act_scale(tt_dash_model *m) {
  m->shared_scale = !m->shared_scale;
  return TT_DIRTY_DRAW;
}

static unsigned act_tags(tt_dash_model *m) {
  m->show_tags = !m->show_tags;
  return TT_DIRTY_DRAW | TT_DIRTY_LAYOUT;
}

static unsigned act_pause(tt_dash_model *m) {
  return tt_dash_pause(m, !m->paused);
}

static unsigned act_reconnect(tt_dash_model *m) {
  size_t i = tt_dash_selected(m);
  char text[TT_DASH_NOTICE_MAX];
  if (i == SIZE_MAX || tt_dash_target(m, i) == NULL)
    return 0;
  snprintf(text, sizeof(text), "reconnecting %s (asked with r)",
           tt_dash_name(m, i));
  return TT_DO_RECONNECT | tt_dash_notice(m, false, text, true);
}

static unsigned act_reload(tt_dash_model *m) {
  return TT_DO_RELOAD | tt_dash_notice(m, false, "reloading...", false);
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

/* ---- key bar labels that depend on the moment ---- */

static const char *bar_escape(const tt_dash_model *m) {
  if (m->screen == TT_SCREEN_DETAIL)
    return "Back";
  return m->filter_len > 0 ? "Clear" : NULL;
}

static const char *bar_enter(const tt_dash_model *m) {
  if (m->screen != TT_SCREEN_TABLE)
    return NULL;
  if (m->log_focus && m->show_log)
    return "Detail";
  if (is_group_line(m, m->sel))
    return tt_dash_groups_shown_c(m)->g[m->lines[m->sel].group].open
               ? "Fold"
               : "Open";
  return "Detail";
}

static const char *bar_quit(const tt_dash_model *m) {
  return m->screen == TT_SCREEN_TABLE ? "Quit" : NULL;
}

static const char *bar_table_only(const tt_dash_model *m) {
  return m->screen == TT_SCREEN_TABLE ? "" : NULL;
}

static const char *bar_tab(const tt_dash_model *m) {
  if (!m->show_log)
    return NULL;
  return m->log_focus ? "Table" : "Log";
}

static const char *bar_pause(const tt_dash_model *m) {
  return m->paused ? "Resume" : "Pause";
}

static const char *bar_group(const tt_dash_model *m) {
  if (m->screen != TT_SCREEN_TABLE)
    return NULL;
  return m->grouped ? "Ungroup" : "Group";
}

static const char *bar_problems(const tt_dash_model *m) {
  if (m->screen != TT_SCREEN_TABLE)
    return NULL;
  return m->problems ? "All" : "Problems";
}

#define TD (TT_SCREEN_TABLE | TT_SCREEN_DETAIL)
#define TB TT_SCREEN_TABLE

/* bar_table_only returns "" for "the static label, in the table only". */
static const tt_dash_binding bindings[] = {
  {TT_KEY_UP, TD, act_up, "previous line", NULL, 0, NULL},
  {'k', TD, act_up, NULL, NULL, 0, NULL},
  {TT_KEY_DOWN, TD, act_down, "next line", NULL, 0, NULL},
  {'j', TD, act_down, NULL, NULL, 0, NULL},
  {TT_KEY_PGUP, TD, act_page_up, "a page up", NULL, 0, NULL},
  {TT_KEY_PGDN, TD, act_page_down, "a page down", NULL, 0, NULL},
  {'g', TD, act_first, "top, following the worst", NULL, 0, NULL},
  {TT_KEY_HOME, TD, act_first, NULL, NULL, 0, NULL},
  {'G', TD, act_last, "last line", NULL, 0, NULL},
  {TT_KEY_END, TD, act_last, NULL, NULL, 0, NULL},
  {'s', TB, act_sort_next, "sort by the next column", "Sort", 7,
   bar_table_only},
  {'S', TB, act_sort_reverse, "reverse the sort", "Reverse", 8,
   bar_table_only},
  {'/', TB, act_filter, "filter (see below)", "Filter", 4, bar_table_only},
  {'x', TB, act_problems, "only targets not up", "Problems", 5,
   bar_problems},
  {'t', TB, act_group, "group by tag (Enter opens)", "Group", 6, bar_group},
  {TT_KEY_ENTER, TD, act_enter, "detail view; open a group", "Detail", 9,
   bar_enter},
  {TT_KEY_ESC, TD, act_escape, "clear the filter; go back", "Clear", 2,
   bar_escape},
  {'e', TD, act_log, "event log pane", "Events", 10, NULL},
  {TT_KEY_TAB, TD, act_tab, "keys scroll the event log", "Log", 11,
   bar_tab},
  {'+', TB, act_zoom_in, "HISTORY: shorter cells", "Zoom", 16,
   bar_table_only},
  {'=', TB, act_zoom_in, NULL, NULL, 0, NULL},
  {'-', TB, act_zoom_out, "HISTORY: longer cells", NULL, 0, NULL},
  {'l', TB, act_scale, "HISTORY: row or log scale", "Scale", 15,
   bar_table_only},
  {'T', TB, act_tags, "TAGS column", NULL, 0, NULL},
  {'p', TD, act_pause, "pause the display", "Pause", 12, bar_pause},
  {'r', TD, act_reconnect, "reconnect the selected target", "Reconnect", 13,
   NULL},
  {'R', TD, act_reload, "reload the configuration", "Reload", 14, NULL},
  {'?', TD, act_help, "this help", "Help", 3, NULL},
  {'q', TD, act_quit, "quit; leave a view", "Quit", 1, bar_quit},
  {TT_KEY_REDRAW, TD, act_redraw, "redraw the screen", NULL, 0, NULL},
};

const tt_dash_binding *tt_dash_bindings(size_t *n) {
  *n = sizeof(bindings) / sizeof(bindings[0]);
  return bindings;
}

/* Whether a front end's key takes the place of the model's b. */
static bool taken_over(const tt_dash_model *m, const tt_dash_binding *b) {
  for (size_t i = 0; i < m->nextra; i++)
    if (m->extra[i].key == b->key && (m->extra[i].screens & b->screens))
      return true;
  return false;
}

const tt_dash_binding *tt_dash_binding_at(const tt_dash_model *m, size_t k) {
  if (k < m->nextra)
    return &m->extra[k];
  k -= m->nextra;
  for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++) {
    if (m->nextra > 0 && taken_over(m, &bindings[i]))
      continue;
    if (k-- == 0)
      return &bindings[i];
  }
  return NULL;
}

unsigned tt_dash_model_key(tt_dash_model *m, int key) {
  for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
    if (bindings[i].key == key && (bindings[i].screens & m->screen))
      return bindings[i].act(m);
  return 0;
}

static const char *utf8_of(int key, char buf[8]);

const char *tt_dash_key_name(int key, char buf[8]) {
  static const struct {
    int key;
    const char *name;
  } names[] = {
    {TT_KEY_UP, "Up"},       {TT_KEY_DOWN, "Down"},   {TT_KEY_PGUP, "PgUp"},
    {TT_KEY_PGDN, "PgDn"},   {TT_KEY_HOME, "Home"},   {TT_KEY_END, "End"},
    {TT_KEY_ENTER, "Enter"}, {TT_KEY_ESC, "Esc"},     {TT_KEY_TAB, "Tab"},
    {TT_KEY_BACKSPACE, "Backspace"}, {TT_KEY_KILL_LINE, "^U"},
    {TT_KEY_REDRAW, "^L"},   {TT_KEY_LEFT, "Left"},   {TT_KEY_RIGHT, "Right"},
    {' ', "Space"},
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (names[i].key == key)
      return names[i].name;
  return utf8_of(key, buf);
}

/* A character in UTF-8. */
static const char *utf8_of(int key, char buf[8]) {
  uint32_t c = (uint32_t)key;
  if (c < 0x80) {
    buf[0] = (char)c;
    buf[1] = '\0';
  } else if (c < 0x800) {
    buf[0] = (char)(0xc0 | c >> 6);
    buf[1] = (char)(0x80 | (c & 0x3f));
    buf[2] = '\0';
  } else if (c < 0x10000) {
    buf[0] = (char)(0xe0 | c >> 12);
    buf[1] = (char)(0x80 | (c >> 6 & 0x3f));
    buf[2] = (char)(0x80 | (c & 0x3f));
    buf[3] = '\0';
  } else {
    buf[0] = (char)(0xf0 | c >> 18);
    buf[1] = (char)(0x80 | (c >> 12 & 0x3f));
    buf[2] = (char)(0x80 | (c >> 6 & 0x3f));
    buf[3] = (char)(0x80 | (c & 0x3f));
    buf[4] = '\0';
  }
  return buf;
}

/* ---- the filter prompt ---- */

/* Appends a typed character to the filter, UTF-8 encoded. */
static unsigned prompt_type(tt_dash_model *m, int key) {
  char enc[8];
  uint32_t c = (uint32_t)key;
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c > 0x10ffff ||
      (c >= 0xd800 && c <= 0xdfff))
    return 0;
  utf8_of(key, enc);
  size_t len = strlen(enc);
  if (m->filter_len + len >= sizeof(m->filter_text))
    return 0;
  char text[TT_DASH_FILTER_MAX];
  memcpy(text, m->filter_text, m->filter_len);
  memcpy(text + m->filter_len, enc, len);
  return set_filter(m, text, m->filter_len + len);
}

/* Keys while the filter prompt is open: it filters as one types. */
static unsigned prompt_key(tt_dash_model *m, int key) {
  size_t len = m->filter_len;
  switch (key) {
  case TT_KEY_ENTER:
    m->prompt = false;
    return TT_DIRTY_DRAW;
  case TT_KEY_ESC:
    m->prompt = false;
    return clear_filter(m) | TT_DIRTY_DRAW;
  case TT_KEY_BACKSPACE:
    if (len == 0)
      return 0;
    /* Back over a whole UTF-8 character. */
    do
      len--;
    while (len > 0 && ((unsigned char)m->filter_text[len] & 0xc0) == 0x80);
    return set_filter(m, m->filter_text, len);
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

/* ---- a front end's question ---- */

unsigned tt_dash_ask(tt_dash_model *m, const char *title, const char *hint,
                     unsigned (*done)(tt_dash_model *m, bool ok)) {
  m->ask_title = title;
  m->ask_hint = hint;
  m->ask_done = done;
  m->ask_len = 0;
  m->ask_text[0] = '\0';
  return TT_DIRTY_DRAW;
}

/* Keys while it is open: printable ASCII is typed (times and dates need
 * no more). */
static unsigned ask_key(tt_dash_model *m, int key) {
  unsigned (*done)(tt_dash_model *, bool) = m->ask_done;
  switch (key) {
  case TT_KEY_ENTER:
  case TT_KEY_ESC:
    m->ask_title = NULL;
    return TT_DIRTY_DRAW | done(m, key == TT_KEY_ENTER);
  case TT_KEY_BACKSPACE:
    if (m->ask_len > 0)
      m->ask_text[--m->ask_len] = '\0';
    return TT_DIRTY_DRAW;
  case TT_KEY_KILL_LINE:
    m->ask_text[m->ask_len = 0] = '\0';
    return TT_DIRTY_DRAW;
  default:
    if (key < 0x20 || key > 0x7e || m->ask_len + 1 >= sizeof(m->ask_text))
      return 0;
    m->ask_text[m->ask_len++] = (char)key;
    m->ask_text[m->ask_len] = '\0';
    return TT_DIRTY_DRAW;
  }
}

static const tt_dash_binding *lookup(const tt_dash_model *m, int key) {
  const tt_dash_binding *b;
  for (size_t k = 0; (b = tt_dash_binding_at(m, k)) != NULL; k++)
    if (b->key == key && (b->screens & m->screen))
      return b;
  return NULL;
}

unsigned tt_dash_key(tt_dash_model *m, int key) {
  if (m->screen == TT_SCREEN_HELP) {
    m->screen = m->help_from;
    return TT_DIRTY_DRAW;
  }
  if (m->ask_title != NULL)
    return ask_key(m, key);
  if (m->prompt)
    return prompt_key(m, key);
  const tt_dash_binding *b = lookup(m, key);
  return b != NULL ? b->act(m) : 0;
}
