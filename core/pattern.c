/* pattern.c - matching replies: regexec for any expression, memcmp for an
 * anchored literal, which is what almost every heartbeat checks. */
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

/* Characters with a meaning in an ERE; a backslash before one makes it
 * literal. */
static const char ere_special[] = ".[]()*+?{}|^$\\";

/* Finds the literal of "^chars" or "^chars$"; returns false when src is
 * anything more. */
static bool literal_of(tt_pattern *p, const char *src) {
  size_t len = strlen(src), n = 0;
  bool exact = false;
  if (src[0] != '^')
    return false;
  char *lit = malloc(len);
  if (lit == NULL)
    return false;
  for (size_t i = 1; i < len; i++) {
    unsigned char c = (unsigned char)src[i];
    if (c == '\\') {
      /* Only an escaped special character is defined to be literal. */
      if (i + 1 >= len || strchr(ere_special, src[i + 1]) == NULL)
        goto no;
      lit[n++] = src[++i];
    } else if (c == '$' && i + 1 == len) {
      exact = true;
    } else if (c < 0x20 || c >= 0x7f || strchr(ere_special, c) != NULL) {
      goto no;
    } else {
      lit[n++] = (char)c;
    }
  }
  p->literal = lit;
  p->literal_len = n;
  p->literal_exact = exact;
  return true;
no:
  free(lit);
  return false;
}

int tt_pattern_compile(tt_pattern *p, const char *src, char *err, size_t n) {
  memset(p, 0, sizeof(*p));
  int rc = regcomp(&p->re, src, REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    regerror(rc, &p->re, err, n);
    return -1;
  }
  p->source = strdup(src);
  if (p->source == NULL) {
    regfree(&p->re);
    if (n > 0)
      strncpy(err, "out of memory", n - 1)[n - 1] = '\0';
    return -1;
  }
  literal_of(p, src);
  return 0;
}

bool tt_pattern_match(const tt_pattern *p, char *data, size_t n) {
  if (p->literal != NULL) {
    if (p->literal_exact ? n != p->literal_len : n < p->literal_len)
      return false;
    return memcmp(data, p->literal, p->literal_len) == 0;
  }
  char saved = data[n];
  data[n] = '\0';
  regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)n };
  bool ok = regexec(&p->re, data, 1, &m, REG_STARTEND) == 0;
  data[n] = saved;
  return ok;
}

void tt_pattern_free(tt_pattern *p) {
  regfree(&p->re);
  free(p->source);
  free(p->literal);
  memset(p, 0, sizeof(*p));
}
