/* dash_draw.c - the screen's regions: header, table or detail or help,
 * the event log pane, the key bar. Lines come formatted from columns.c
 * and dash_text.c; here they are only placed and blitted. */
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "format.h"
#include "dash_draw.h"
#include "dash_text.h"

#define LOG_MIN_ROWS 6
#define DETAIL_MAX_LINES 12

static void blit(const tt_crt *c, int y, const tt_line *l, attr_t extra) {
  wmove(stdscr, y, 0);
  for (size_t s = 0; s < l->nseg; s++) {
    const tt_seg *g = &l->seg[s];
    wattrset(stdscr, c->attr[g->role] | extra);
    waddnstr(stdscr, l->buf + g->off, g->len);
  }
  wattrset(stdscr, A_NORMAL);
}

/* A pane title across the whole width. */
static void title_bar(const tt_crt *c, int y, const char *text, unsigned cols,
                      bool utf8) {
  tt_line l;
  tt_line_clear(&l);
  tt_line_fit(&l, TT_ROLE_HEADING, text, cols, TT_FIT_LEFT, utf8);
  blit(c, y, &l, 0);
}

static void draw_table(const tt_crt *c, tt_dash_model *m, int y0, int h,
                       unsigned cols) {
  tt_layout lay;
  tt_line l;
  tt_cell_ctx ctx = {tt_dash_now_ms(m), m->utf8};

  tt_layout_compute(&lay, cols, m->name_want, m->address_want);
  tt_line_clear(&l);
  tt_heading_format(&l, &lay, m->sort_col, m->reverse, m->utf8);
  tt_line_pad(&l, cols, TT_ROLE_HEADING);
  blit(c, y0, &l, 0);

  int rows = h - 1;
  tt_dash_set_page(m, rows > 0 ? (unsigned)rows : 1);
  if (m->nrows == 0) {
    tt_line_clear(&l);
    tt_line_puts(&l, TT_ROLE_MUTED, m->n == 0 ? " no targets"
                                              : " no target matches the filter");
    blit(c, y0 + 1, &l, 0);
    return;
  }
  for (int r = 0; r < rows && m->top + (size_t)r < m->nrows; r++) {
    size_t row = m->top + (size_t)r;
    const tt_view *v = tt_dash_view(m, m->rows[row]);
    tt_line_clear(&l);
    tt_row_format(&l, v, &lay, &ctx);
    bool selected = row == m->sel_row;
    if (selected)
      tt_line_pad(&l, cols, TT_ROLE_NORMAL);
    blit(c, y0 + 1 + r, &l, selected ? A_REVERSE : 0);
  }
}

static void draw_detail(const tt_crt *c, tt_dash_model *m, int y0, int h,
                        unsigned cols) {
  tt_line lines[DETAIL_MAX_LINES];
  if (m->sel == SIZE_MAX)
    return;
  size_t n = tt_text_detail(lines, DETAIL_MAX_LINES, m, m->sel, cols);
  int y = y0;
  for (size_t k = 0; k < n && y < y0 + h; k++)
    blit(c, y++, &lines[k], 0);
  y++;
  int rest = y0 + h - y - 1; /* below the two pane titles */
  if (rest <= 0)
    return;

  /* The RTT histogram on the left, recent events on the right. */
  unsigned left = cols / 2, right = cols - left - 1;
  tt_line l;
  tt_line_clear(&l);
  tt_line_fit(&l, TT_ROLE_HEADING, " RTT histogram", left, TT_FIT_LEFT, m->utf8);
  tt_line_puts(&l, TT_ROLE_NORMAL, " ");
  tt_line_fit(&l, TT_ROLE_HEADING, " Recent events (newest first)", right,
              TT_FIT_LEFT, m->utf8);
  blit(c, y, &l, 0);
  y++;

  tt_hist_row hist[64];
  size_t nh = tt_histogram(&tt_dash_view(m, m->sel)->stats, hist,
                           (size_t)rest < 64 ? (size_t)rest : 64);
  uint64_t top = 0;
  for (size_t k = 0; k < nh; k++)
    if (hist[k].count > top)
      top = hist[k].count;
  for (size_t k = 0; k < nh; k++) {
    tt_text_hist_line(&l, &hist[k], top, left, m->utf8);
    blit(c, y + (int)k, &l, 0);
  }
  if (nh == 0) {
    tt_line_clear(&l);
    tt_line_puts(&l, TT_ROLE_MUTED, " no answered heartbeat yet");
    blit(c, y, &l, 0);
  }

  for (int k = 0; k < rest; k++) {
    if (!tt_text_recent_line(&l, m, m->sel, (size_t)k, right))
      break;
    wmove(stdscr, y + k, (int)left + 1);
    for (size_t s = 0; s < l.nseg; s++) {
      const tt_seg *g = &l.seg[s];
      wattrset(stdscr, c->attr[g->role]);
      waddnstr(stdscr, l.buf + g->off, g->len);
    }
    wattrset(stdscr, A_NORMAL);
  }
}

static void draw_help(const tt_crt *c, tt_dash_model *m, int y0, int h,
                      unsigned cols) {
  tt_line l;
  for (int k = 0; k < h && tt_text_help_line(&l, m, (size_t)k, cols); k++)
    blit(c, y0 + k, &l, 0);
}

static void draw_log(const tt_crt *c, tt_dash_model *m, int y0, int h,
                     unsigned cols) {
  char title[96];
  size_t count = tt_dash_log_count(m);
  snprintf(title, sizeof(title), " Event log: state changes, newest first (%zu)",
           count);
  title_bar(c, y0, title, cols, m->utf8);
  tt_line l;
  for (int k = 0; k < h - 1 && (size_t)k < count; k++) {
    tt_text_log_line(&l, m, tt_dash_log_get(m, (size_t)k), cols);
    blit(c, y0 + 1 + k, &l, 0);
  }
  if (count == 0) {
    tt_line_clear(&l);
    tt_line_puts(&l, TT_ROLE_MUTED, " no state change yet");
    blit(c, y0 + 1, &l, 0);
  }
}

void tt_draw(tt_crt *crt, tt_dash_model *m, const char *source) {
  int rows = LINES, cols = COLS;
  tt_line l;

  werase(stdscr);
  if (cols < TT_DASH_MIN_COLS || rows < TT_DASH_MIN_ROWS) {
    tt_text_too_small(&l, (unsigned)cols, (unsigned)rows, m->utf8);
    blit(crt, rows / 2, &l, 0);
    wnoutrefresh(stdscr);
    doupdate();
    return;
  }
  tt_text_header(&l, m, source, (unsigned)cols);
  blit(crt, 0, &l, 0);

  int body = rows - 2;
  int log_h = 0;
  if (m->show_log && m->screen != TT_SCREEN_HELP) {
    log_h = body / 3;
    if (log_h < LOG_MIN_ROWS)
      log_h = LOG_MIN_ROWS;
  }
  int main_h = body - log_h;
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
  blit(crt, rows - 1, &l, 0);
  wnoutrefresh(stdscr);
  doupdate();
}
