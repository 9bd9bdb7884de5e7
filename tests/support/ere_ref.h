/* ere_ref.h - glibc's regcomp/regexec as the reference that tether's own
 * pattern engine must agree with ("C" locale, yes or no answers). */
#ifndef TETHER_TEST_ERE_REF_H
#define TETHER_TEST_ERE_REF_H

#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* glibc's '.' never matches NUL (RE_DOT_NOT_NULL); ours matches any
 * byte. Rewrites each '.' outside brackets to "(a|[^a])", which is any
 * byte for glibc too. Returns a malloc'd string. */
static inline char *tt_ref_any_byte_dots(const char *src) {
  size_t len = strlen(src), o = 0;
  char *out = malloc(len * 8 + 1);
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len;) {
    char c = src[i];
    if (c == '\\' && i + 1 < len) {
      out[o++] = src[i++];
      out[o++] = src[i++];
    } else if (c == '.') {
      memcpy(out + o, "(a|[^a])", 8);
      o += 8;
      i++;
    } else if (c == '[') {
      /* Copy the bracket expression whole, as glibc delimits it. */
      out[o++] = src[i++];
      if (i < len && src[i] == '^')
        out[o++] = src[i++];
      if (i < len && src[i] == ']')
        out[o++] = src[i++];
      while (i < len && src[i] != ']') {
        if (src[i] == '[' && i + 1 < len &&
            (src[i + 1] == '.' || src[i + 1] == '=' || src[i + 1] == ':')) {
          char d = src[i + 1];
          out[o++] = src[i++];
          out[o++] = src[i++];
          while (i < len && !(src[i] == d && i + 1 < len && src[i + 1] == ']'))
            out[o++] = src[i++];
          if (i < len)
            out[o++] = src[i++];
          if (i < len)
            out[o++] = src[i++];
        } else {
          out[o++] = src[i++];
        }
      }
      if (i < len)
        out[o++] = src[i++];
    } else {
      out[o++] = src[i++];
    }
  }
  out[o] = '\0';
  return out;
}

/* Whether src has a ^ past its start or a $ before its end, outside
 * brackets. */
static inline bool tt_ref_inner_anchor(const char *src) {
  size_t len = strlen(src);
  for (size_t i = 0; i < len; i++) {
    if (src[i] == '\\') {
      i++;
    } else if (src[i] == '[') {
      i++;
      if (i < len && src[i] == '^')
        i++;
      if (i < len && src[i] == ']')
        i++;
      while (i < len && src[i] != ']') {
        if (src[i] == '[' && i + 1 < len &&
            (src[i + 1] == '.' || src[i + 1] == '=' || src[i + 1] == ':')) {
          char d = src[i + 1];
          i += 2;
          while (i < len && !(src[i] == d && i + 1 < len && src[i + 1] == ']'))
            i++;
          i += 2;
        } else {
          i++;
        }
      }
    } else if ((src[i] == '^' && i > 0) || (src[i] == '$' && i + 1 < len)) {
      return true;
    }
  }
  return false;
}

/* Whether glibc's answers on src can be trusted on data[0..n). Two of
 * its quirks concern anchors inside a pattern: next to a newline taken by
 * '.' or a bracket expression they match as if REG_NEWLINE were set, and
 * a counted repetition of a group holding one can match where the group
 * written out that many times does not (glibc finds b(^|x){2} in "bx",
 * not b(^|x)(^|x)). */
static inline bool tt_ref_comparable(const char *src, const char *data,
                                     size_t n) {
  if (!tt_ref_inner_anchor(src))
    return true;
  return strchr(src, '{') == NULL && memchr(data, '\n', n) == NULL;
}

/* Compiles src for glibc (with the rewrite above); returns regcomp's
 * code, 0 when it takes it. */
static inline int tt_ref_compile(regex_t *re, const char *src) {
  char *any = tt_ref_any_byte_dots(src);
  if (any == NULL)
    return REG_ESPACE;
  int rc = regcomp(re, any, REG_EXTENDED | REG_NOSUB);
  free(any);
  return rc;
}

/* Whether glibc finds re in data[0..n); data may hold NULs. */
static inline bool tt_ref_match(const regex_t *re, const char *data, size_t n) {
  char *copy = malloc(n + 1);
  if (copy == NULL)
    abort();
  memcpy(copy, data, n);
  copy[n] = '\0';
  regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)n};
  bool ok = regexec(re, copy, 1, &m, REG_STARTEND) == 0;
  free(copy);
  return ok;
}

#endif
