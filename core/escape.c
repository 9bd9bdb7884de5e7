/* escape.c - turning untrusted bytes into text a terminal or a log can show
 * without being steered by them, and reading C escapes typed by people. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"

/* The longest text one input unit can become: "\xNN" or a four-byte UTF-8
 * sequence. */
#define UNIT_MAX 4

static const char ellipsis[] = "...";
#define ELLIPSIS_LEN (sizeof(ellipsis) - 1)

static bool is_cont(unsigned char c) {
  return (c & 0xc0) == 0x80;
}

size_t tt_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp) {
  unsigned char c = s[0];
  size_t need;
  uint32_t v;
  /* The second byte's range rules out overlong forms, surrogates and code
   * points above U+10FFFF (RFC 3629, section 4). */
  unsigned char lo = 0x80, hi = 0xbf;

  if (len == 0)
    return 0;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf) {
    need = 2;
    v = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 3;
    v = c & 0x0f;
    if (c == 0xe0)
      lo = 0xa0; /* overlong below U+0800 */
    else if (c == 0xed)
      hi = 0x9f; /* surrogates U+D800..U+DFFF */
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 4;
    v = c & 0x07;
    if (c == 0xf0)
      lo = 0x90; /* overlong below U+10000 */
    else if (c == 0xf4)
      hi = 0x8f; /* above U+10FFFF */
  } else {
    return 0; /* a stray continuation, an overlong lead, or F5..FF */
  }
  if (len < need || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 1; i < need; i++) {
    if (!is_cont(s[i]))
      return 0;
    v = v << 6 | (s[i] & 0x3f);
  }
  *cp = v;
  return need;
}

/* The length of the well-formed UTF-8 sequence of a non-ASCII character
 * at s that may be shown as it is, or 0: C1 controls (U+0080..U+009F)
 * are controls a terminal would obey. */
static size_t utf8_len(const unsigned char *s, size_t len) {
  uint32_t cp;
  size_t n = tt_utf8_decode(s, len, &cp);
  return n > 1 && !(cp >= 0x80 && cp <= 0x9f) ? n : 0;
}

/* Writes the text of the unit starting at s into out; returns the number
 * of input bytes it covers and sets *outlen. */
static size_t escape_unit(const unsigned char *s, size_t len, int flags,
                          char out[UNIT_MAX], size_t *outlen) {
  static const char hex[] = "0123456789abcdef";
  unsigned char c = s[0];

  switch (c) {
  case '\r': memcpy(out, "\\r", 2); *outlen = 2; return 1;
  case '\n': memcpy(out, "\\n", 2); *outlen = 2; return 1;
  case '\t': memcpy(out, "\\t", 2); *outlen = 2; return 1;
  case '\\':
    if (flags & TT_ESC_KEEP_BACKSLASH)
      break;
    memcpy(out, "\\\\", 2);
    *outlen = 2;
    return 1;
  default: break;
  }
  if (c >= 0x20 && c < 0x7f) {
    out[0] = (char)c;
    *outlen = 1;
    return 1;
  }
  if (c >= 0x80 && !(flags & TT_ESC_ASCII)) {
    size_t n = utf8_len(s, len);
    if (n > 0) {
      memcpy(out, s, n);
      *outlen = n;
      return n;
    }
  }
  /* Anything else goes out one byte at a time, so that a malformed
   * sequence cannot swallow the valid bytes that follow it. */
  out[0] = '\\';
  out[1] = 'x';
  out[2] = hex[c >> 4];
  out[3] = hex[c & 0xf];
  *outlen = 4;
  return 1;
}

size_t tt_escape(char *dst, size_t n, const char *src, size_t len,
                 int flags) {
  const unsigned char *s = (const unsigned char *)src;
  size_t room, pos = 0, mark = 0, i = 0;

  if (dst == NULL || n == 0)
    return 0;
  room = n - 1; /* the NUL */
  while (i < len) {
    char unit[UNIT_MAX];
    size_t ulen;
    size_t used = escape_unit(s + i, len - i, flags, unit, &ulen);

    if (ulen > room - pos) {
      /* The rest does not fit: go back to the last whole unit after which
       * the ellipsis fits, and say that something was cut. */
      if (room < ELLIPSIS_LEN) {
        memcpy(dst, ellipsis, room);
        dst[room] = '\0';
        return room;
      }
      memcpy(dst + mark, ellipsis, ELLIPSIS_LEN);
      dst[mark + ELLIPSIS_LEN] = '\0';
      return mark + ELLIPSIS_LEN;
    }
    memcpy(dst + pos, unit, ulen);
    pos += ulen;
    i += used;
    if (pos + ELLIPSIS_LEN <= room)
      mark = pos;
  }
  dst[pos] = '\0';
  return pos;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the escape whose backslash is at s[0]; returns how many characters
 * it spans and sets *byte, or 0 with *why set. */
static size_t read_escape(const char *s, char *byte, const char **why) {
  switch (s[1]) {
  case 'r': *byte = '\r'; return 2;
  case 'n': *byte = '\n'; return 2;
  case 't': *byte = '\t'; return 2;
  case '0': *byte = '\0'; return 2;
  case 'e': *byte = '\033'; return 2;
  case '\\': *byte = '\\'; return 2;
  case '"': *byte = '"'; return 2;
  case '\'': *byte = '\''; return 2;
  case 'x': {
    int hi = hex_value(s[2]);
    int lo = hi < 0 ? -1 : hex_value(s[3]);
    if (lo < 0) {
      *why = "\\x needs exactly two hex digits (as in \\x1b)";
      return 0;
    }
    *byte = (char)(hi << 4 | lo);
    return 4;
  }
  case '\0':
    *why = "a backslash ends the text (write \\\\ for a backslash)";
    return 0;
  default:
    *why = "unknown escape (known: \\r \\n \\t \\0 \\e \\\\ \\\" \\' \\xNN)";
    return 0;
  }
}

long tt_unescape(char *s, const char **why) {
  const char *dummy;
  size_t r, w = 0;
  char byte;

  if (why == NULL)
    why = &dummy;
  /* Check everything first so that a malformed text is left as it was,
   * for the caller to quote in its message. */
  for (r = 0; s[r] != '\0'; r++) {
    if (s[r] == '\\') {
      size_t span = read_escape(s + r, &byte, why);
      if (span == 0)
        return -1;
      r += span - 1;
    }
  }
  for (r = 0; s[r] != '\0'; w++) {
    if (s[r] == '\\') {
      r += read_escape(s + r, &byte, why);
      s[w] = byte;
    } else {
      s[w] = s[r++];
    }
  }
  s[w] = '\0';
  return (long)w;
}
