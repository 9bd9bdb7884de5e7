/* escape.c - turning untrusted bytes into text a terminal or a log can show
 * without being steered by them, and reading C escapes typed by people. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

/* Characters that are never shown as they are, beyond C0, DEL and C1:
 * Unicode's default-ignorable code points (invisible, or reordering the
 * text around them), the line and paragraph separators, and the other
 * format characters (Cf). Variation selectors are left out: they only
 * choose a glyph's form and cannot hide or move text. Sorted. */
static const struct cp_range {
  uint32_t lo, hi;
} unsafe_ranges[] = {
  {0x00ad, 0x00ad},   {0x034f, 0x034f},   {0x0600, 0x0605},
  {0x061c, 0x061c},   {0x06dd, 0x06dd},   {0x070f, 0x070f},
  {0x0890, 0x0891},   {0x08e2, 0x08e2},   {0x115f, 0x1160},
  {0x17b4, 0x17b5},   {0x180e, 0x180e},   {0x200b, 0x200f},
  {0x2028, 0x202e},   {0x2060, 0x206f},   {0x3164, 0x3164},
  {0xfeff, 0xfeff},   {0xffa0, 0xffa0},   {0xfff0, 0xfffb},
  {0x110bd, 0x110bd}, {0x110cd, 0x110cd}, {0x13430, 0x1343f},
  {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0000, 0xe00ff},
  {0xe01f0, 0xe0fff},
};

bool tt_char_unsafe(uint32_t cp) {
  size_t lo = 0, hi = sizeof(unsafe_ranges) / sizeof(unsafe_ranges[0]);
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
    return true;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < unsafe_ranges[mid].lo)
      hi = mid;
    else if (cp > unsafe_ranges[mid].hi)
      lo = mid + 1;
    else
      return true;
  }
  return false;
}

/* The names people meet in advisories and editors' warnings. */
static const struct cp_name {
  uint32_t cp;
  const char *name;
} cp_names[] = {
  {0x0085, "NEXT LINE"},
  {0x0090, "DEVICE CONTROL STRING"},
  {0x009b, "CONTROL SEQUENCE INTRODUCER"},
  {0x009c, "STRING TERMINATOR"},
  {0x009d, "OPERATING SYSTEM COMMAND"},
  {0x00ad, "SOFT HYPHEN"},
  {0x034f, "COMBINING GRAPHEME JOINER"},
  {0x061c, "ARABIC LETTER MARK"},
  {0x115f, "HANGUL CHOSEONG FILLER"},
  {0x1160, "HANGUL JUNGSEONG FILLER"},
  {0x180e, "MONGOLIAN VOWEL SEPARATOR"},
  {0x200b, "ZERO WIDTH SPACE"},
  {0x200c, "ZERO WIDTH NON-JOINER"},
  {0x200d, "ZERO WIDTH JOINER"},
  {0x200e, "LEFT-TO-RIGHT MARK"},
  {0x200f, "RIGHT-TO-LEFT MARK"},
  {0x2028, "LINE SEPARATOR"},
  {0x2029, "PARAGRAPH SEPARATOR"},
  {0x202a, "LEFT-TO-RIGHT EMBEDDING"},
  {0x202b, "RIGHT-TO-LEFT EMBEDDING"},
  {0x202c, "POP DIRECTIONAL FORMATTING"},
  {0x202d, "LEFT-TO-RIGHT OVERRIDE"},
  {0x202e, "RIGHT-TO-LEFT OVERRIDE"},
  {0x2060, "WORD JOINER"},
  {0x2061, "FUNCTION APPLICATION"},
  {0x2062, "INVISIBLE TIMES"},
  {0x2063, "INVISIBLE SEPARATOR"},
  {0x2064, "INVISIBLE PLUS"},
  {0x2066, "LEFT-TO-RIGHT ISOLATE"},
  {0x2067, "RIGHT-TO-LEFT ISOLATE"},
  {0x2068, "FIRST STRONG ISOLATE"},
  {0x2069, "POP DIRECTIONAL ISOLATE"},
  {0x3164, "HANGUL FILLER"},
  {0xfeff, "ZERO WIDTH NO-BREAK SPACE"},
  {0xffa0, "HALFWIDTH HANGUL FILLER"},
};

const char *tt_char_describe(uint32_t cp, char *buf, size_t n) {
  const char *what;
  if (cp == TT_CP_INVALID) {
    snprintf(buf, n, "a byte that is not UTF-8");
    return buf;
  }
  for (size_t i = 0; i < sizeof(cp_names) / sizeof(cp_names[0]); i++) {
    if (cp_names[i].cp == cp) {
      snprintf(buf, n, "U+%04X %s", (unsigned)cp, cp_names[i].name);
      return buf;
    }
  }
  if (cp < 0x20 || cp == 0x7f)
    what = "a control character";
  else if (cp >= 0x80 && cp <= 0x9f)
    what = "a C1 control character";
  else if (tt_char_unsafe(cp))
    what = "an invisible format character";
  else
    what = "a character";
  snprintf(buf, n, "U+%04X (%s)", (unsigned)cp, what);
  return buf;
}

size_t tt_text_check(const char *s, size_t len, uint32_t *cp) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    uint32_t c;
    size_t n = tt_utf8_decode(u + i, len - i, &c);
    if (n == 0) {
      *cp = TT_CP_INVALID;
      return i;
    }
    if (tt_char_unsafe(c)) {
      *cp = c;
      return i;
    }
    i += n;
  }
  return len;
}

/* The length of the well-formed UTF-8 sequence of a non-ASCII character
 * at s that may be shown as it is, or 0: C1 controls (U+0080..U+009F)
 * are controls a terminal would obey, and the characters tt_char_unsafe
 * names would reorder or hide what surrounds them. */
static size_t utf8_len(const unsigned char *s, size_t len) {
  uint32_t cp;
  size_t n = tt_utf8_decode(s, len, &cp);
  return n > 1 && !tt_char_unsafe(cp) ? n : 0;
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
