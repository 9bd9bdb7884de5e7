/* dash_line.h - one screen line as text pieces, each with the role that
 * decides how it looks; rows format themselves into one and the screen only
 * blits it (htop's RichString). */
#ifndef TETHER_DASH_LINE_H
#define TETHER_DASH_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a piece of text is, not how it looks: dash_crt.c maps roles to
 * colours, or to bold/reverse/dim without colour. */
typedef enum tt_role {
  TT_ROLE_NORMAL = 0,
  TT_ROLE_MUTED,      /* secondary columns and text */
  TT_ROLE_UP,
  TT_ROLE_DEGRADED,
  TT_ROLE_CONNECTING,
  TT_ROLE_DOWN,
  TT_ROLE_SPARK,      /* sparkline bars */
  TT_ROLE_FAIL,       /* failure marks */
  TT_ROLE_LATE,       /* late-reply marks */
  TT_ROLE_HEADING,    /* column headings */
  TT_ROLE_HEADING_SORT, /* the heading of the sort column */
  TT_ROLE_TITLE,      /* the program's name, pane titles */
  TT_ROLE_KEY,        /* a key in the key bar */
  TT_ROLE_PAUSED,     /* the PAUSED flag */
  TT_ROLE_SELECTED,   /* the selection bar, one look across the row */
  TT_ROLE_GROUP,      /* a group's name on its roll-up line */
  TT_ROLE_NOTICE,     /* a message in place of the key bar */
  TT_ROLE_ALERT,      /* the same, saying something failed */
  TT_ROLE_COUNT
} tt_role;

#define TT_LINE_BYTES 4096
#define TT_LINE_SEGS 320

typedef struct tt_seg {
  uint16_t off, len; /* bytes in buf */
  uint8_t role;
} tt_seg;

typedef struct tt_line {
  char buf[TT_LINE_BYTES]; /* the whole line, NUL-terminated */
  size_t used;
  tt_seg seg[TT_LINE_SEGS];
  size_t nseg;
  unsigned cols;           /* terminal columns taken so far */
} tt_line;

void tt_line_clear(tt_line *l);

/* Appends text[0..len) in role; it is dropped whole when the line is full.
 * A piece in the same role as the last one extends it. */
void tt_line_add(tt_line *l, tt_role role, const char *text, size_t len);

/* Appends a NUL-terminated string. */
void tt_line_puts(tt_line *l, tt_role role, const char *s);

/* Appends text fitted to exactly width columns (see tt_fmt_fit). */
void tt_line_fit(tt_line *l, tt_role role, const char *text, unsigned width,
                 int align, bool utf8);

/* Appends n spaces. */
void tt_line_spaces(tt_line *l, unsigned n);

/* Cuts the line to at most cols columns, or pads it with spaces in role
 * to exactly cols. */
void tt_line_cut(tt_line *l, unsigned cols);
void tt_line_pad(tt_line *l, unsigned cols, tt_role role);

#endif
