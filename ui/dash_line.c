/* dash_line.c - building screen lines piece by piece, with the width in
 * terminal columns kept as they grow. */
#include <string.h>

#include "dash_line.h"
#include "format.h"

void tt_line_clear(tt_line *l) {
  l->used = 0;
  l->nseg = 0;
  l->cols = 0;
  l->buf[0] = '\0';
}

void tt_line_add(tt_line *l, tt_role role, const char *text, size_t len) {
  if (len == 0)
    return;
  if (l->used + len >= sizeof(l->buf))
    return;
  tt_seg *last = l->nseg > 0 ? &l->seg[l->nseg - 1] : NULL;
  if (last != NULL && last->role == role && last->off + last->len == l->used) {
    last->len = (uint16_t)(last->len + len);
  } else {
    if (l->nseg == TT_LINE_SEGS)
      return;
    l->seg[l->nseg++] = (tt_seg){(uint16_t)l->used, (uint16_t)len,
                                 (uint8_t)role};
  }
  memcpy(l->buf + l->used, text, len);
  l->used += len;
  l->buf[l->used] = '\0';
  l->cols += tt_fmt_width(text, len);
}

void tt_line_puts(tt_line *l, tt_role role, const char *s) {
  tt_line_add(l, role, s, strlen(s));
}

void tt_line_fit(tt_line *l, tt_role role, const char *text, unsigned width,
                 int align, bool utf8) {
  char buf[1024];
  int n = tt_fmt_fit(buf, sizeof(buf), text, strlen(text), width, align, utf8);
  tt_line_add(l, role, buf, (size_t)n);
}

void tt_line_spaces(tt_line *l, unsigned n) {
  static const char spaces[] = "                                ";
  while (n > 0) {
    unsigned k = n < sizeof(spaces) - 1 ? n : (unsigned)sizeof(spaces) - 1;
    tt_line_add(l, TT_ROLE_NORMAL, spaces, k);
    n -= k;
  }
}

void tt_line_cut(tt_line *l, unsigned cols) {
  unsigned used = 0;
  for (size_t s = 0; s < l->nseg; s++) {
    tt_seg *g = &l->seg[s];
    unsigned w = tt_fmt_width(l->buf + g->off, g->len);
    if (used + w <= cols) {
      used += w;
      continue;
    }
    g->len = (uint16_t)tt_fmt_prefix(l->buf + g->off, g->len, cols - used);
    used += tt_fmt_width(l->buf + g->off, g->len);
    l->nseg = g->len > 0 ? s + 1 : s;
    l->used = (size_t)g->off + g->len;
    l->buf[l->used] = '\0';
    break;
  }
  l->cols = used;
}

void tt_line_pad(tt_line *l, unsigned cols, tt_role role) {
  static const char spaces[] = "                                ";
  tt_line_cut(l, cols);
  while (l->cols < cols) {
    unsigned k = cols - l->cols;
    if (k > sizeof(spaces) - 1)
      k = sizeof(spaces) - 1;
    size_t before = l->cols;
    tt_line_add(l, role, spaces, k);
    if (l->cols == before)
      break; /* the line is full */
  }
}
