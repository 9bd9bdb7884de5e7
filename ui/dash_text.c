/* dash_text.c - the dashboard's lines besides table rows and the detail
 * view: header, key bar, prompt, roll-ups, event log, help. Everything shown
 * from a config or the network goes through tt_escape here first. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dash_text.h"
#include "duration.h"
#include "escape.h"
#include "format.h"

static int esc_flags(const tt_dash_model *m) {
  return tt_cell_esc_flags(m->utf8);
}

const char *tt_text_esc(const tt_dash_model *m, const char *s, char *buf,
                        size_t n) {
  tt_escape(buf, n, s, strlen(s), esc_flags(m));
  return buf;
}

const char *tt_text_arrow(bool utf8) {
  return utf8 ? " \xe2\x86\x92 " : " -> ";
}

static void addf(tt_line *l, tt_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void addf(tt_line *l, tt_role role, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  tt_line_puts(l, role, buf);
}

static void append(tt_line *out, const tt_line *piece) {
  for (size_t s = 0; s < piece->nseg; s++)
    tt_line_add(out, piece->seg[s].role, piece->buf + piece->seg[s].off,
                piece->seg[s].len);
}

static const tt_state state_order[] = {TT_STATE_UP, TT_STATE_DEGRADED,
                                       TT_STATE_CONNECTING, TT_STATE_DOWN};
#define NSTATES (sizeof(state_order) / sizeof(state_order[0]))

/* ---- header ---- */

/* "2 up  0 degraded  0 connecting  7 down"; without the zeros unless
 * all; short ("2 up 1 deg 7 down") when narrow. */
static void state_counts(tt_line *out, const size_t counts[TT_STATE_COUNT],
                         bool all, bool shortly) {
  static const char *const abbrev[TT_STATE_COUNT] = {
    [TT_STATE_UP] = "up", [TT_STATE_DEGRADED] = "deg",
    [TT_STATE_CONNECTING] = "conn", [TT_STATE_DOWN] = "down"};
  bool first = true;
  tt_line_clear(out);
  for (size_t k = 0; k < NSTATES; k++) {
    /* Short, it may be cut: the worst first then. */
    tt_state s = state_order[shortly ? NSTATES - 1 - k : k];
    if (!all && counts[s] == 0)
      continue;
    if (!first)
      tt_line_puts(out, TT_ROLE_NORMAL, shortly ? " " : "  ");
    first = false;
    addf(out, counts[s] > 0 ? tt_state_role(s) : TT_ROLE_MUTED, "%zu %s",
         counts[s], shortly ? abbrev[s] : tt_state_name(s));
  }
  if (first)
    tt_line_puts(out, TT_ROLE_MUTED, "no targets");
}

/* The lines in view: "1–38 of 10000". */
static void line_range(tt_line *out, const tt_dash_model *m) {
  tt_line_clear(out);
  if (m->nlines == 0) {
    tt_line_puts(out, TT_ROLE_MUTED, "no rows");
    return;
  }
  size_t last = m->top + m->page < m->nlines ? m->top + m->page : m->nlines;
  addf(out, TT_ROLE_NORMAL, "%zu%s%zu of %zu", m->top + 1,
       m->utf8 ? "\xe2\x80\x93" : "-", last, m->nlines);
}

/* How the rows are chosen: grouping, x, the filter (its text cut to
 * room columns; 0: as it is), and how many pass. */
static void row_choice(tt_line *out, const tt_dash_model *m, size_t total,
                       unsigned room) {
  char buf[TT_DASH_FILTER_MAX * 4 + 8], cut[TT_DASH_FILTER_MAX * 4 + 8];
  bool any = false;
  tt_line_clear(out);
  if (m->grouped) {
    tt_line_puts(out, TT_ROLE_TITLE, "by tag");
    any = true;
  }
  if (m->problems) {
    tt_line_puts(out, TT_ROLE_NORMAL, any ? "  " : "");
    tt_line_puts(out, TT_ROLE_TITLE, "not up only");
    any = true;
  }
  if (m->filter_len > 0) {
    tt_text_esc(m, m->filter_text, buf, sizeof(buf));
    const char *text = buf;
    if (room > 0) {
      tt_fmt_fit(cut, sizeof(cut), buf, strlen(buf), room, TT_FIT_LEFT,
                 m->utf8);
      /* Fitting pads: the quotes close right after the text. */
      size_t len = strlen(cut);
      while (len > 0 && cut[len - 1] == ' ')
        cut[--len] = '\0';
      text = cut;
    }
    tt_line_puts(out, TT_ROLE_NORMAL, any ? "  " : "");
    addf(out, TT_ROLE_NORMAL, "filter \"%s\"", text);
  }
  if (m->problems || m->filter_len > 0)
    addf(out, TT_ROLE_NORMAL, " %zu/%zu", m->nrows, total);
}

void tt_text_header(tt_line *out, const tt_dash_model *m, const char *source,
                    unsigned cols) {
  size_t counts[TT_STATE_COUNT], total = 0;
  tt_line right, states, range, choice;
  char buf[512], src[256];

  tt_dash_counts(m, counts);
  for (size_t k = 0; k < TT_STATE_COUNT; k++)
    total += counts[k];

  tt_line_clear(&right);
  if (m->status[0] != '\0') {
    tt_line_puts(&right, TT_ROLE_PAUSED, m->status);
    tt_line_puts(&right, TT_ROLE_NORMAL, "  ");
  }
  if (m->behind > 0) {
    addf(&right, TT_ROLE_DOWN, " BEHIND %llu ", (unsigned long long)m->behind);
    tt_line_puts(&right, TT_ROLE_NORMAL, "  ");
  }
  if (m->paused) {
    /* How old the frozen display is. */
    char age[32];
    tt_fmt_age(age, sizeof(age), m->wall_us > m->frozen_wall_us
                                     ? (m->wall_us - m->frozen_wall_us) / 1000
                                     : 0);
    addf(&right, TT_ROLE_PAUSED, " PAUSED %s ", age);
    tt_line_puts(&right, TT_ROLE_NORMAL, "  ");
  }
  tt_fmt_clock(buf, sizeof(buf), tt_dash_wall_us(m));
  tt_line_puts(&right, TT_ROLE_NORMAL, buf);
  tt_line_puts(&right, TT_ROLE_NORMAL, " ");

  /* " tether " and one space, the middle with three spaces between its
   * parts, two at least before the right. What does not fit gives way
   * in steps, the least needed first. */
  unsigned fixed = 9 + right.cols + 2;
  bool title = true, with_choice, with_range = true;
  line_range(&range, m);
  state_counts(&states, counts, true, false);
  row_choice(&choice, m, total, 0);
  with_choice = choice.cols > 0;
#define MID() (states.cols + (with_range ? 3 + range.cols : 0) + \
               (with_choice ? 3 + choice.cols : 0))
  if (fixed + MID() > cols)
    state_counts(&states, counts, false, false);
  if (fixed + MID() > cols)
    state_counts(&states, counts, false, true);
  if (fixed + MID() > cols && m->filter_len > 0) {
    /* The filter's text gives way, down to a few characters. */
    unsigned over = fixed + MID() - cols;
    unsigned have = tt_fmt_width(m->filter_text, m->filter_len);
    row_choice(&choice, m, total, have > over + 6 ? have - over : 6);
  }
  if (fixed + MID() > cols) {
    title = false;
    fixed -= 8;
  }
  if (fixed + MID() > cols)
    with_range = false;
  if (fixed + MID() > cols)
    with_choice = false;
  /* Still too wide: the counts are cut, never the clock. */
  if (fixed + MID() > cols)
    tt_line_cut(&states, cols > fixed ? cols - fixed : 0);
  unsigned mid = MID();
#undef MID

  tt_line_clear(out);
  if (title)
    tt_line_puts(out, TT_ROLE_TITLE, " tether ");
  /* The source gets what the rest leaves, and gives way first. */
  if (title && source != NULL && cols > fixed + mid + 8) {
    tt_text_esc(m, source, buf, sizeof(buf));
    unsigned want = tt_fmt_width(buf, strlen(buf));
    unsigned room = cols - fixed - mid - 3;
    if (want > room)
      want = room;
    tt_fmt_fit(src, sizeof(src), buf, strlen(buf), want, TT_FIT_LEFT, m->utf8);
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, TT_ROLE_NORMAL, src);
    tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  }
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
  append(out, &states);
  if (with_range) {
    tt_line_puts(out, TT_ROLE_NORMAL, "   ");
    append(out, &range);
  }
  if (with_choice) {
    tt_line_puts(out, TT_ROLE_NORMAL, "   ");
    append(out, &choice);
  }
  if (out->cols + right.cols < cols)
    tt_line_spaces(out, cols - out->cols - right.cols);
  append(out, &right);
  tt_line_cut(out, cols);
}

/* ---- key bar and prompt ---- */

typedef struct bar_item {
  int key;
  const char *label;
  uint8_t rank;
} bar_item;

#define BAR_MAX 48

/* The key table's entries for the key bar now, in rank order. */
static size_t bar_items(const tt_dash_model *m, bar_item *out) {
  const tt_dash_binding *b;
  size_t n = 0;
  for (size_t i = 0; (b = tt_dash_binding_at(m, i)) != NULL && n < BAR_MAX;
       i++) {
    if (b->bar == NULL || !(b->screens & m->screen))
      continue;
    const char *label = b->bar_label != NULL ? b->bar_label(m) : b->bar;
    if (label == NULL)
      continue;
    bar_item it = {b->key, label[0] != '\0' ? label : b->bar, b->bar_rank};
    size_t k = n++;
    while (k > 0 && out[k - 1].rank > it.rank) {
      out[k] = out[k - 1];
      k--;
    }
    out[k] = it;
  }
  return n;
}

static void hint(tt_line *out, const char *key, const char *label,
                 unsigned cols) {
  unsigned need = tt_fmt_width(key, strlen(key)) +
                  tt_fmt_width(label, strlen(label)) + 3;
  if (out->cols + need > cols)
    return;
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
  tt_line_puts(out, TT_ROLE_KEY, key);
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
  tt_line_puts(out, TT_ROLE_NORMAL, label);
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
}

void tt_text_keybar(tt_line *out, const tt_dash_model *m, unsigned cols) {
  char buf[TT_DASH_FILTER_MAX * 4 + 8];
  tt_line_clear(out);
  if (m->prompt) {
    tt_line_puts(out, TT_ROLE_TITLE, " Filter: ");
    tt_line_puts(out, TT_ROLE_NORMAL, tt_text_esc(m, m->filter_text, buf, sizeof(buf)));
    tt_line_puts(out, TT_ROLE_KEY, " ");
    tt_line_puts(out, TT_ROLE_MUTED,
                 "   Enter keep  Esc clear   state:down tag:prod !up");
    tt_line_cut(out, cols);
    return;
  }
  if (m->ask_title != NULL) {
    tt_line_puts(out, TT_ROLE_TITLE, m->ask_title);
    tt_line_puts(out, TT_ROLE_NORMAL,
                 tt_text_esc(m, m->ask_text, buf, sizeof(buf)));
    tt_line_puts(out, TT_ROLE_KEY, " ");
    if (m->ask_hint != NULL)
      tt_line_puts(out, TT_ROLE_MUTED, m->ask_hint);
    tt_line_cut(out, cols);
    return;
  }
  if (m->notice[0] != '\0' && m->wall_us < m->notice_until_us) {
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    tt_line_puts(out, m->notice_error ? TT_ROLE_ALERT : TT_ROLE_NOTICE,
                 tt_text_esc(m, m->notice, buf, sizeof(buf)));
    tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  }
  if (m->screen == TT_SCREEN_HELP) {
    hint(out, "any key", "Back", cols);
  } else {
    bar_item items[BAR_MAX];
    size_t n = bar_items(m, items);
    for (size_t i = 0; i < n; i++) {
      char name[8];
      hint(out, tt_dash_key_name(items[i].key, name), items[i].label, cols);
    }
  }
  tt_line_cut(out, cols);
}

/* ---- table additions ---- */

void tt_text_hist_title(char *buf, size_t n, const tt_dash_model *m,
                        unsigned width) {
  char span[32], range[40] = "";
  tt_duration_format(tt_dash_hist_span_ms(m), span, sizeof(span));
  uint16_t lo = 0, hi = 0;
  size_t w = width < TT_HIST_CELLS ? width : TT_HIST_CELLS;
  if (m->shared_scale &&
      tt_hist_scale_range(tt_dash_scale(m), m->step_us, m->zoom,
                          tt_dash_wall_us(m), w, &lo, &hi)) {
    char a[16], b[16];
    tt_fmt_rtt(a, sizeof(a), tt_hist_decode(lo));
    tt_fmt_rtt(b, sizeof(b), tt_hist_decode(hi));
    snprintf(range, sizeof(range), " %s-%s", a, b);
  }
  const char *scale = m->shared_scale ? " log" : "";
  /* The longest that fits: the scale's word before the title's. */
  char cand[4][96];
  snprintf(cand[0], sizeof(cand[0]), "HISTORY %s%s%s", span, scale, range);
  snprintf(cand[1], sizeof(cand[1]), "HISTORY %s%s", span, scale);
  snprintf(cand[2], sizeof(cand[2]), "HIST %s%s", span, scale);
  snprintf(cand[3], sizeof(cand[3]), "%s%s", span, scale);
  for (size_t k = 0; k < 4; k++) {
    if (strlen(cand[k]) <= width || k == 3) {
      snprintf(buf, n, "%s", cand[k]);
      return;
    }
  }
}

void tt_text_group_line(tt_line *out, const tt_dash_model *m, uint32_t group,
                        unsigned cols) {
  const tt_dash_group *g = &tt_dash_groups_shown_c(m)->g[group];
  char buf[512];
  tt_line_clear(out);
  tt_line_puts(out, TT_ROLE_MUTED,
               g->open ? (m->utf8 ? "\xe2\x96\xbe " : "- ")
                       : (m->utf8 ? "\xe2\x96\xb8 " : "+ "));
  if (g->tag != NULL)
    tt_line_puts(out, TT_ROLE_GROUP, tt_text_esc(m, g->tag, buf, sizeof(buf)));
  else
    tt_line_puts(out, TT_ROLE_MUTED, "(no tag)");
  /* A name's addresses: how many of them are up ("api  2/3 up"). */
  bool name = !m->grouped;
  if (name) {
    tt_line_puts(out, TT_ROLE_NORMAL, "  ");
    addf(out, g->counts[TT_STATE_UP] == g->rows ? TT_ROLE_UP : TT_ROLE_DOWN,
         "%u/%u up", g->counts[TT_STATE_UP], g->rows);
  }
  for (size_t k = 0; k < NSTATES; k++) {
    tt_state s = state_order[k];
    if (g->counts[s] == 0 || (name && s == TT_STATE_UP))
      continue;
    tt_line_puts(out, TT_ROLE_NORMAL, "  ");
    addf(out, tt_state_role(s), "%u %s", g->counts[s], tt_state_name(s));
  }
  tt_line_cut(out, cols);
}

/* ---- event log ---- */

/* As NAME would be in the table, but never wider than 24. */
static unsigned log_name_width(const tt_dash_model *m) {
  unsigned w = m->name_want, lo = tt_columns[TT_COL_NAME].min;
  return w < lo ? lo : w > 24 ? 24 : w;
}

void tt_text_log_line(tt_line *out, const tt_dash_model *m,
                      const tt_dash_change *c, unsigned cols) {
  char buf[512];

  tt_line_clear(out);
  tt_fmt_clock(buf, sizeof(buf), c->ts_us);
  tt_line_puts(out, TT_ROLE_MUTED, " ");
  tt_line_puts(out, TT_ROLE_MUTED, buf);
  tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  if (c->kind == TT_LOG_NOTICE) {
    tt_fmt_escaped(buf, sizeof(buf), tt_dash_log_text(&m->log, c),
                   esc_flags(m));
    tt_line_puts(out, TT_ROLE_NOTICE, buf);
    tt_line_cut(out, cols);
    return;
  }
  tt_line_fit(out, TT_ROLE_NORMAL, tt_text_esc(m, tt_dash_name(m, c->target), buf,
                                       sizeof(buf)),
              log_name_width(m), TT_FIT_LEFT, m->utf8);
  tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  if (c->kind != TT_LOG_STATE) {
    tt_line_puts(out, TT_ROLE_MUTED, c->kind == TT_LOG_ADDED
                                         ? "joined (a reload, a new address)"
                                         : "left (a reload, an address gone)");
    tt_line_cut(out, cols);
    return;
  }
  tt_line_fit(out, tt_state_role(c->from), tt_state_name(c->from), 10,
              TT_FIT_RIGHT, m->utf8);
  tt_line_puts(out, TT_ROLE_MUTED, tt_text_arrow(m->utf8));
  tt_line_fit(out, tt_state_role(c->to), tt_state_name(c->to), 10,
              TT_FIT_LEFT, m->utf8);
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
  tt_line_fit(out, TT_ROLE_NORMAL, tt_class_name(c->cls), 15, TT_FIT_LEFT,
              m->utf8);
  /* How long an outage (or a slow spell) lasted, as it ends. */
  if ((c->from == TT_STATE_DOWN || c->from == TT_STATE_DEGRADED) &&
      c->lasted_ms > 0) {
    char span[32];
    tt_fmt_span(span, sizeof(span), c->lasted_ms);
    tt_line_puts(out, TT_ROLE_NORMAL, " ");
    addf(out, tt_state_role(c->from), "%s %s", tt_state_name(c->from), span);
  }
  const char *text = tt_dash_log_text(&m->log, c);
  if (text[0] != '\0') {
    tt_line_puts(out, TT_ROLE_NORMAL, "  ");
    tt_fmt_escaped(buf, sizeof(buf), text, esc_flags(m));
    tt_line_puts(out, TT_ROLE_MUTED, buf);
  }
  tt_line_cut(out, cols);
}

void tt_text_log_title(tt_line *out, const tt_dash_model *m, unsigned cols) {
  char buf[160];
  size_t shown = tt_dash_log_shown(m), above = tt_dash_log_above(m);
  bool filtered = m->filter_len > 0 || m->problems;
  snprintf(buf, sizeof(buf), " Event log, newest first: %zu %s%s", shown,
           shown == 1 ? "entry" : "entries",
           filtered ? " of the targets shown" : "");
  tt_line_clear(out);
  tt_line_puts(out, TT_ROLE_HEADING, buf);
  if (above > 0) {
    snprintf(buf, sizeof(buf), "   %zu newer above (g)", above);
    tt_line_puts(out, TT_ROLE_HEADING_SORT, buf);
  }
  if (m->log_focus)
    tt_line_puts(out, TT_ROLE_HEADING, "   keys scroll it (Tab: the table)");
  tt_line_pad(out, cols, TT_ROLE_HEADING);
}

/* ---- help ---- */

typedef struct help_entry {
  char keys[40];
  const char *help;
} help_entry;

#define HELP_MAX 48

/* The key table as help shows it: one entry per row with a help text,
 * named by its key and the keys of the aliases after it. */
static size_t help_entries(const tt_dash_model *m, help_entry *out) {
  const tt_dash_binding *b, *alias;
  size_t n = 0;
  for (size_t i = 0; (b = tt_dash_binding_at(m, i)) != NULL && n < HELP_MAX;
       i++) {
    if (b->help == NULL)
      continue;
    help_entry *e = &out[n++];
    char name[8];
    snprintf(e->keys, sizeof(e->keys), "%s", tt_dash_key_name(b->key, name));
    for (size_t j = i + 1; (alias = tt_dash_binding_at(m, j)) != NULL &&
                           alias->help == NULL && alias->act == b->act;
         j++) {
      size_t len = strlen(e->keys);
      snprintf(e->keys + len, sizeof(e->keys) - len, " %s",
               tt_dash_key_name(alias->key, name));
    }
    e->help = b->help;
  }
  return n;
}

static void help_key(tt_line *out, const tt_dash_model *m,
                     const help_entry *e, unsigned width) {
  tt_line_puts(out, TT_ROLE_NORMAL, "  ");
  tt_line_fit(out, TT_ROLE_KEY, e->keys, 8, TT_FIT_LEFT, m->utf8);
  tt_line_puts(out, TT_ROLE_NORMAL, " ");
  tt_line_fit(out, TT_ROLE_NORMAL, e->help, width > 11 ? width - 11 : 1,
              TT_FIT_LEFT, m->utf8);
}

/* The lines after the keys. */
static bool help_tail(tt_line *out, const tt_dash_model *m, size_t k) {
  switch (k) {
  case 0:
    return true; /* a blank line */
  case 1:
    tt_line_puts(out, TT_ROLE_TITLE, " Filter ");
    tt_line_puts(out, TT_ROLE_NORMAL,
                 " words: in name, address or tag; state:down class:timeout"
                 " tag:prod");
    return true;
  case 2:
    tt_line_puts(out, TT_ROLE_NORMAL,
                 "         name:W addr:W; !negates; up/down/... alone are"
                 " states; all must match");
    return true;
  case 3:
    tt_line_puts(out, TT_ROLE_TITLE, " Sort   ");
    for (int c = 0; c < TT_COL_COUNT; c++) {
      if (!tt_dash_can_sort(m, (tt_col_id)c))
        continue;
      tt_line_puts(out, TT_ROLE_NORMAL, " ");
      tt_line_puts(out, TT_ROLE_NORMAL, tt_columns[c].title);
    }
    return true;
  case 4:
    tt_line_puts(out, TT_ROLE_TITLE, " States ");
    for (size_t j = 0; j < NSTATES; j++) {
      tt_line_puts(out, TT_ROLE_NORMAL, " ");
      tt_line_puts(out, tt_state_role(state_order[j]),
                   tt_state_name(state_order[j]));
    }
    tt_line_puts(out, TT_ROLE_MUTED, "   SINCE: time in state");
    return true;
  case 5:
    tt_line_puts(out, TT_ROLE_TITLE, " HISTORY");
    tt_line_puts(out, TT_ROLE_NORMAL, " a cell per step, same time each row ");
    tt_line_puts(out, TT_ROLE_SPARK,
                 m->utf8 ? "\xe2\x96\x81\xe2\x96\x83\xe2\x96\x85\xe2\x96\x88"
                         : "_.-=^");
    tt_line_puts(out, TT_ROLE_NORMAL, " RTT ");
    tt_line_puts(out, TT_ROLE_FAIL, m->utf8 ? "\xc3\x97" : "x");
    tt_line_puts(out, TT_ROLE_NORMAL, " failed ");
    tt_line_puts(out, TT_ROLE_LATE, "!");
    tt_line_puts(out, TT_ROLE_NORMAL, " late reply");
    return true;
  case 6: {
    char buf[128];
    snprintf(buf, sizeof(buf),
             " LOSS: the last %ds (detail: and the whole run)   ERR: the"
             " class while failing", TT_LOSS_WINDOW_S);
    tt_line_puts(out, TT_ROLE_MUTED, buf);
    return true;
  }
  default:
    return false;
  }
}

bool tt_text_help_line(tt_line *out, const tt_dash_model *m, size_t k,
                       unsigned cols) {
  help_entry e[HELP_MAX];
  size_t n = help_entries(m, e);
  /* Two columns of keys where 80 columns allow, so that all of help fits
   * in 80x24. */
  bool two = cols >= TT_DASH_FULL_COLS;
  size_t rows = two ? (n + 1) / 2 : n;

  tt_line_clear(out);
  if (k == 0) {
    tt_line_puts(out, TT_ROLE_TITLE, " Keys");
    return true;
  }
  k--;
  if (k < rows) {
    unsigned half = two ? cols / 2 : cols;
    help_key(out, m, &e[k], half);
    if (two && k + rows < n) {
      tt_line_pad(out, half, TT_ROLE_NORMAL);
      help_key(out, m, &e[k + rows], cols - half);
    }
    tt_line_cut(out, cols);
    return true;
  }
  bool more = help_tail(out, m, k - rows);
  tt_line_cut(out, cols);
  return more;
}

void tt_text_too_small(tt_line *out, unsigned cols, unsigned rows, bool utf8) {
  char buf[128];
  snprintf(buf, sizeof(buf), "Terminal too small: %ux%u, tether needs %ux%u",
           cols, rows, TT_DASH_MIN_COLS, TT_DASH_MIN_ROWS);
  if (strlen(buf) > cols)
    snprintf(buf, sizeof(buf), "too small: %ux%u, needs %ux%u", cols, rows,
             TT_DASH_MIN_COLS, TT_DASH_MIN_ROWS);
  if (strlen(buf) > cols)
    snprintf(buf, sizeof(buf), "needs %ux%u", TT_DASH_MIN_COLS,
             TT_DASH_MIN_ROWS);
  tt_line_clear(out);
  unsigned w = (unsigned)strlen(buf);
  if (w < cols)
    tt_line_spaces(out, (cols - w) / 2);
  tt_line_puts(out, TT_ROLE_TITLE, buf);
  tt_line_cut(out, cols);
}
