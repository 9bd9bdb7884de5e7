/* escape.h - making bytes from the network (or a config) safe to show, and
 * reading C-style escapes typed on the command line. */
#ifndef TETHER_ESCAPE_H
#define TETHER_ESCAPE_H

#include <stdbool.h>
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

/* What tt_text_check reports for bytes that are not UTF-8. */
#define TT_CP_INVALID 0xFFFFFFFFu

/* Whether a character must never be shown as it is: C0 and C1 controls
 * and DEL, which a terminal obeys, and the characters that reorder or hide
 * text without being seen (bidirectional controls such as U+202E, and
 * invisible format characters such as U+200B, U+FEFF or U+00AD), with
 * which a name can pass for another. */
bool tt_char_unsafe(uint32_t cp);

/* The Unicode name of an unsafe character ("RIGHT-TO-LEFT OVERRIDE"),
 * or, for those without a well-known one, what it is ("a C1 control
 * character"). Writes "U+202E RIGHT-TO-LEFT OVERRIDE" into buf (or
 * "U+E0041 (an invisible format character)"); returns buf. */
const char *tt_char_describe(uint32_t cp, char *buf, size_t n);

/* Looks through s[0..len) for the first character that is unsafe or not
 * UTF-8. Returns its byte offset and sets *cp (TT_CP_INVALID for a byte
 * that does not start a well-formed character), or returns len. */
size_t tt_text_check(const char *s, size_t len, uint32_t *cp);

/* Reads C escapes (\r \n \t \0 \\ \xNN \e) in place; returns the new length,
 * or -1 for a malformed escape (*why set). The result may contain NULs. */
long tt_unescape(char *s, const char **why);

#endif
