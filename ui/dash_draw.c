/* dash_draw.c - the screen's regions: header, table or detail or help,
 * the event log pane, the key bar. Lines come formatted from columns.c
 * and dash_text.c; here they are only placed and blitted. */
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "dash_draw.h"
#include "dash_text.h"
#include "format.h"

#define LOG_MIN_ROWS 6
#define DETAIL_MAX_LINES 12

/* Puts a line at row y, from column x; a selected line in one look from
 * end to end (no colour patchwork under the bar). */
static void blit_at(const tt_crt *c, int y, int x, const tt_line *l,
                    bool selected) {
  wmove(stdscr, y, x);
  for (size_t s = 0; s < l->nseg; s++) {
    const tt_seg *g = &l->seg[s];
    wattrset(stdscr, c->attr[selected ? TT_ROLE_SELECTED : g->role]);
    waddnstr(stdscr, l->buf + g->off, g->len);
  }
  wattrset(stdscr, A_NORMAL);
}

static void blit(const tt_crt *c, int y, const tt_line *l) {
  blit_at(c, y, 0, l, false);
}

static void draw_table(const tt_crt *c, tt_dash_model *m, int y0, int h,
                       unsigned cols) {
  tt_layout lay;
  tt_line l;
  unsigned want[TT_COL_COUNT] = {0};
  char note[96];

  want[TT_COL_NAME] = m->name_want;
  want[TT_COL_ADDRESS] = m->address_want;
  want[TT_COL_TAGS] = m->show_tags ? (m->tags_want > 0 ? m->tags_want : 1) : 0;
  want[TT_COL_CERT] = m->cert_want;
  tt_layout_compute(&lay, cols, want);
  unsigned histw = lay.width[TT_COL_HISTORY];
  tt_text_hist_title(note, sizeof(note), m, histw);
  tt_line_clear(&l);
  tt_heading_format(&l, &lay, m->sort_col, m->reverse, m->utf8, note);
  tt_line_pad(&l, cols, TT_ROLE_HEADING);
  blit(c, y0, &l);

  int rows = h - 1;
  tt_dash_set_page(m, rows > 0 ? (unsigned)rows : 1);
  if (m->nlines == 0) {
    tt_line_clear(&l);
    tt_line_puts(&l, TT_ROLE_MUTED,
                 m->nrows == 0 && (m->filter_len > 0 || m->problems)
                     ? " no target matches the filter"
                     : " no targets");
    blit(c, y0 + 1, &l);
    return;
  }
  for (int r = 0; r < rows && m->top + (size_t)r < m->nlines; r++) {
    size_t line = m->top + (size_t)r;
    const tt_dash_line *x = &m->lines[line];
    tt_line_clear(&l);
    if (x->target == TT_DASH_NO_TARGET) {
      tt_text_group_line(&l, m, x->group, cols);
    } else {
      tt_cell_ctx ctx;
      tt_dash_cell_ctx(m, x->target, histw, &ctx);
      tt_row_format(&l, tt_dash_view(m, x->target), &lay, &ctx);
    }
    bool selected = line == m->sel;
    if (selected)
      tt_line_pad(&l, cols, TT_ROLE_NORMAL);
    blit_at(c, y0 + 1 + r, 0, &l, selected);
  }
}

static void draw_detail(const tt_crt *c, tt_dash_model *m, int y0, int h,
                        unsigned cols) {
  tt_line lines[DETAIL_MAX_LINES];
  tt_line l;
  size_t i = tt_dash_selected(m);
  size_t n = i == SIZE_MAX ? 0
                           : tt_text_detail(lines, DETAIL_MAX_LINES, m, i,
                                            cols);
  if (n == 0) {
    tt_line_clear(&l);
    tt_line_puts(&l, TT_ROLE_MUTED, " no target selected (Esc: back)");
    blit(c, y0, &l);
    return;
  }
  int y = y0;
  for (size_t k = 0; k < n && y < y0 + h; k++)
    blit(c, y++, &lines[k]);
  y++;
  int rest = y0 + h - y - 1; /* below the two pane titles */
  if (rest <= 0)
    return;

  /* The RTT histogram on the left, recent events on the right. */
  unsigned left = cols / 2, right = cols - left - 1;
  tt_line_clear(&l);
  tt_line_fit(&l, TT_ROLE_HEADING, " RTT histogram", left, TT_FIT_LEFT, m->utf8);
  tt_line_puts(&l, TT_ROLE_NORMAL, " ");
  tt_line_fit(&l, TT_ROLE_HEADING, " Recent events (newest first)", right,
              TT_FIT_LEFT, m->utf8);
  blit(c, y, &l);
  y++;

  tt_hist_row hist[64];
  size_t nh = tt_histogram(&tt_dash_view(m, i)->stats, hist,
                           (size_t)rest < 64 ? (size_t)rest : 64);
  uint64_t top = 0;
  for (size_t k = 0; k < nh; k++)
    if (hist[k].count > top)
      top = hist[k].count;
  for (size_t k = 0; k < nh; k++) {
    tt_text_hist_line(&l, &hist[k], top, left, m->utf8);
    blit(c, y + (int)k, &l);
  }
  if (nh == 0) {
    tt_line_clear(&l);
    tt_line_puts(&l, TT_ROLE_MUTED, " no answered heartbeat yet");
    blit(c, y, &l);
  }
  for (int k = 0; k < rest; k++) {
    if (!tt_text_recent_line(&l, m, i, (size_t)k, right))
      break;
    blit_at(c, y + k, (int)left + 1, &l, false);
  }
}

static void draw_help(const tt_crt *c, tt_dash_model *m, int y0, int h,
                      unsigned cols) {
  tt_line l;
  for (int k = 0; k < h && tt_text_help_line(&l, m, (size_t)k, cols); k++)
    blit(c, y0 + k, &l);
}

static void draw_log(const tt_crt *c, tt_dash_model *m, int y0, int h,
                     unsigned cols) {
  const tt_dash_change *e[256];
  tt_line l;
  int lines = h - 1 < 256 ? h - 1 : 256;

  tt_dash_set_log_page(m, lines > 0 ? (unsigned)lines : 1);
  tt_text_log_title(&l, m, cols);
  blit(c, y0, &l);
  size_t n = tt_dash_log_page(m, e, (size_t)(lines > 0 ? lines : 0));
  for (size_t k = 0; k < n; k++) {
    tt_text_log_line(&l, m, e[k], cols);
    blit(c, y0 + 1 + (int)k, &l);
  }
  if (n == 0) {
    tt_line_clear(&l);
    tt_line_puts(&l, TT_ROLE_MUTED, " nothing yet");
    blit(c, y0 + 1, &l);
  }
}

void tt_draw(tt_crt *crt, tt_dash_model *m, const char *source) {
  int rows = LINES, cols = COLS;
  tt_line l;

  werase(stdscr);
  if (cols < TT_DASH_MIN_COLS || rows < TT_DASH_MIN_ROWS) {
    tt_text_too_small(&l, (unsigned)cols, (unsigned)rows, m->utf8);
    blit(crt, rows / 2, &l);
    wnoutrefresh(stdscr);
    doupdate();
    return;
  }
  int body = rows - 2;
  int log_h = 0;
  if (m->show_log && m->screen != TT_SCREEN_HELP) {
    /* A third of the body, but never less than a few lines; on a small
     * screen, half. */
    log_h = body / 3;
    if (log_h < LOG_MIN_ROWS)
      log_h = body >= 2 * LOG_MIN_ROWS ? LOG_MIN_ROWS : body / 2;
  }
  int main_h = body - log_h;
  /* The header says which lines the table shows: tell the model first. */
  if (m->screen == TT_SCREEN_TABLE)
    tt_dash_set_page(m, main_h > 1 ? (unsigned)(main_h - 1) : 1);
  tt_text_header(&l, m, source, (unsigned)cols);
  blit(crt, 0, &l);

  switch (m->screen) {
  case TT_SCREEN_DETAIL:
    draw_detail(crt, m, 1, main_h, (unsigned)cols);
    break;
  case TT_SCREEN_HELP:
    draw_help(crt, m, 1, main_h, (unsigned)cols);
    break;
  default:
    draw_table(crt, m, 1, main_h, (unsigned)cols);
    break;
  }
  if (log_h > 0)
    draw_log(crt, m, 1 + main_h, log_h, (unsigned)cols);

  tt_text_keybar(&l, m, (unsigned)cols);
  blit(crt, rows - 1, &l);
  wnoutrefresh(stdscr);
  doupdate();
}
