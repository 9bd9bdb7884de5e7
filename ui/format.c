/* format.c - number formatting shared by the dashboard, plain and JSON
 * output, so that a value reads the same everywhere. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "escape.h"
#include "format.h"
#include "units.h"

int tt_fmt_rtt(char *buf, size_t n, uint32_t us) {
  return tt_units_us(buf, n, us, "");
}

int tt_fmt_age(char *buf, size_t n, uint64_t ms) {
  uint64_t s = ms / 1000;
  if (s < 60)
    return snprintf(buf, n, "%us", (unsigned)s);
  if (s < 3600)
    return snprintf(buf, n, "%um%02us", (unsigned)(s / 60), (unsigned)(s % 60));
  if (s < 86400)
    return snprintf(buf, n, "%uh%02um", (unsigned)(s / 3600),
                    (unsigned)(s % 3600 / 60));
  return snprintf(buf, n, "%ud%02uh", (unsigned)(s / 86400),
                  (unsigned)(s % 86400 / 3600));
}

int tt_fmt_span(char *buf, size_t n, uint64_t ms) {
  if (ms < 1000)
    return snprintf(buf, n, "%ums", (unsigned)ms);
  if (ms < 60000)
    return snprintf(buf, n, "%u.%us", (unsigned)(ms / 1000),
                    (unsigned)(ms % 1000 / 100));
  return tt_fmt_age(buf, n, ms);
}

int tt_fmt_pct(char *buf, size_t n, double pct) {
  if (pct <= 0)
    return snprintf(buf, n, "0%%");
  if (pct < 10)
    return snprintf(buf, n, "%.1f%%", pct);
  return snprintf(buf, n, "%.0f%%", pct);
}

int tt_fmt_rfc3339(char *buf, size_t n, uint64_t wall_us) {
  /* Every event carries one: the date and time are worked out once a
   * second, only the microseconds each time. */
  static time_t cached = (time_t)-1;
  static char prefix[64];
  time_t t = (time_t)(wall_us / 1000000);
  if (t != cached) {
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    cached = t;
  }
  /* prefix, '.', six digits, 'Z': without printf, once per event. */
  size_t plen = strlen(prefix), len = plen + 8;
  if (n < len + 1)
    return snprintf(buf, n, "%s.%06uZ", prefix,
                    (unsigned)(wall_us % 1000000));
  memcpy(buf, prefix, plen);
  buf[plen] = '.';
  unsigned us = (unsigned)(wall_us % 1000000);
  for (size_t i = 6; i > 0; i--, us /= 10)
    buf[plen + i] = (char)('0' + us % 10);
  buf[plen + 7] = 'Z';
  buf[len] = '\0';
  return (int)len;
}

/* ---- Text for the screen ---- */

/* Decodes the UTF-8 character at s (at most len bytes) into *cp and
 * returns its length; a byte that does not start a well-formed character
 * is taken alone, as U+FFFD. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp) {
  size_t n = tt_utf8_decode(s, len, cp);
  if (n > 0)
    return n;
  *cp = 0xfffd;
  return 1;
}

static unsigned char_width(uint32_t cp) {
  if (cp >= 0x20 && cp < 0x7f)
    return 1;
  int w = wcwidth((wchar_t)cp);
  return w < 0 ? 1 : (unsigned)w;
}

unsigned tt_fmt_width(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  unsigned cols = 0;
  size_t i = 0;

  while (i < len) {
    uint32_t cp;
    i += utf8_next(p + i, len - i, &cp);
    cols += char_width(cp);
  }
  return cols;
}

/* Appends len bytes to dst[*pos] if they fit before the NUL. */
static bool put(char *dst, size_t n, size_t *pos, const char *s, size_t len) {
  if (*pos + len >= n)
    return false;
  memcpy(dst + *pos, s, len);
  *pos += len;
  return true;
}

static void pad(char *dst, size_t n, size_t *pos, unsigned cols) {
  while (cols-- > 0 && put(dst, n, pos, " ", 1)) {
  }
}

int tt_fmt_fit(char *dst, size_t n, const char *src, size_t len,
               unsigned width, int align, bool utf8) {
  const unsigned char *p = (const unsigned char *)src;
  size_t pos = 0, i = 0;
  unsigned cols = tt_fmt_width(src, len);

  if (n == 0)
    return 0;
  if (cols <= width) {
    if (align == TT_FIT_RIGHT)
      pad(dst, n, &pos, width - cols);
    put(dst, n, &pos, src, len);
    if (align != TT_FIT_RIGHT)
      pad(dst, n, &pos, width - cols);
    dst[pos] = '\0';
    return (int)pos;
  }
  if (align == TT_FIT_TAIL && width > 0) {
    /* Too wide: the ellipsis, then the whole characters of the end that
     * fit in width - 1 columns, then a space if a wide one did not. */
    unsigned skip = cols - (width - 1);
    unsigned skipped = 0;
    while (i < len && skipped < skip) {
      uint32_t cp;
      i += utf8_next(p + i, len - i, &cp);
      skipped += char_width(cp);
    }
    if (utf8 ? put(dst, n, &pos, "\xe2\x80\xa6", 3) : put(dst, n, &pos, "~", 1)) {
      put(dst, n, &pos, src + i, len - i);
      pad(dst, n, &pos, skipped - skip);
    }
    dst[pos] = '\0';
    return (int)pos;
  }
  /* Too wide: keep whole characters in width - 1 columns, then the
   * ellipsis, then a space for a double-width character that did not fit. */
  cols = 0;
  while (i < len && width > 0) {
    uint32_t cp;
    size_t clen = utf8_next(p + i, len - i, &cp);
    unsigned w = char_width(cp);
    if (cols + w > width - 1)
      break;
    if (!put(dst, n, &pos, src + i, clen))
      break;
    cols += w;
    i += clen;
  }
  if (width > 0) {
    if (utf8 ? put(dst, n, &pos, "\xe2\x80\xa6", 3) : put(dst, n, &pos, "~", 1))
      cols++;
    pad(dst, n, &pos, width - cols);
  }
  dst[pos] = '\0';
  return (int)pos;
}

int tt_fmt_clock(char *buf, size_t n, uint64_t wall_us) {
  time_t t = (time_t)(wall_us / 1000000);
  struct tm tm;
  localtime_r(&t, &tm);
  return snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

size_t tt_fmt_escaped(char *dst, size_t n, const char *src, int flags) {
  /* Its backslashes are escapes already; anything else unsafe is not. */
  return tt_escape(dst, n, src, strlen(src), flags | TT_ESC_KEEP_BACKSLASH);
}

size_t tt_fmt_prefix(const char *s, size_t len, unsigned cols) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  unsigned used = 0;

  while (i < len) {
    uint32_t cp;
    size_t clen = utf8_next(p + i, len - i, &cp);
    unsigned w = char_width(cp);
    if (used + w > cols)
      break;
    used += w;
    i += clen;
  }
  return i;
}

size_t tt_fmt_u64(char buf[TT_FMT_U64], unsigned long long v) {
  size_t i = TT_FMT_U64;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return i;
}
