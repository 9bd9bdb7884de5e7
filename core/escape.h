/* escape.h - making bytes from the network (or a config) safe to show, and
 * reading C-style escapes typed on the command line. */
#ifndef TETHER_ESCAPE_H
#define TETHER_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

enum {
  /* Escape every byte outside printable ASCII (for bytes from the network,
   * whose encoding nobody vouched for). Without it, well-formed UTF-8 is
   * kept and only control characters (C0, DEL, C1) and malformed sequences
   * are escaped. */
  TT_ESC_ASCII = 1 << 0,
  /* Leave backslashes as they are: for text people wrote with backslashes
   * of its own meaning, such as a regular expression ("^\+PONG"). */
  TT_ESC_KEEP_BACKSLASH = 1 << 1
};

/* Writes src[0..len) into dst as text safe for a terminal or a log line
 * (a JSON writer still quotes '"' itself): \r \n \t \\ are written as
 * those two-character escapes, other escaped bytes as \xNN. The
 * output is always NUL-terminated and cut (at a whole escape) to fit n;
 * a cut output ends in "...". Returns the length written. */
size_t tt_escape(char *dst, size_t n, const char *src, size_t len, int flags);

/* Decodes the well-formed UTF-8 character at s (at most len bytes) into
 * *cp and returns its length; returns 0 for bytes that do not start one
 * (overlong forms, surrogates, beyond U+10FFFF, cut short). */
size_t tt_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Reads C escapes (\r \n \t \0 \\ \xNN \e) in place; returns the new length,
 * or -1 for a malformed escape (*why set). The result may contain NULs. */
long tt_unescape(char *s, const char **why);

#endif
