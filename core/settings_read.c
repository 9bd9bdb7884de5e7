/* settings_read.c - values of the settings table's rows from text (the
 * file's and the command line's), checked against their bounds, and the
 * words that say what a row expects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "config.h"
#include "duration.h"
#include "escape.h"
#include "settings.h"
#include "suggest.h"

/* "persistent or connect", "auto, ipv4 or ipv6" */
static void enum_names(const tt_setting *s, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (uint64_t v = s->min; v <= s->max && used < n; v++) {
    const char *sep = v == s->min ? "" : v == s->max ? " or " : ", ";
    int w = snprintf(buf + used, n - used, "%s%s", sep,
                     tt_setting_enum_name(s, v));
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

/* "a whole number from 1 to 100", "a whole number of bytes from 1 to
 * 1048576" */
static void count_words(const tt_setting *s, char *buf, size_t n) {
  snprintf(buf, n, "a whole number %s%s%sfrom %llu to %llu",
           s->unit ? "of " : "", s->unit ? s->unit : "", s->unit ? " " : "",
           (unsigned long long)s->min, (unsigned long long)s->max);
}

/* "is longer than 64 KiB", "is longer than 16 bytes" */
static void too_long(const tt_setting *s, char *why, size_t n) {
  if (s->max >= 1024 && s->max % 1024 == 0)
    snprintf(why, n, "is longer than %llu KiB",
             (unsigned long long)(s->max / 1024));
  else
    snprintf(why, n, "is longer than %llu bytes",
             (unsigned long long)s->max);
}

void tt_setting_expected(const tt_setting *s, char *buf, size_t n) {
  char list[160];
  switch (s->type) {
  case TT_STYPE_NAME:
  case TT_STYPE_BYTES: snprintf(buf, n, "a string"); return;
  case TT_STYPE_ADDRESS: snprintf(buf, n, "host:port"); return;
  case TT_STYPE_HOST: snprintf(buf, n, "a host name or IP address"); return;
  case TT_STYPE_PORT: snprintf(buf, n, "a port from 1 to 65535"); return;
  case TT_STYPE_TAGS:
    snprintf(buf, n, "a list of strings such as [cache, prod]");
    return;
  case TT_STYPE_PRESET:
    tt_preset_names(list, sizeof(list));
    snprintf(buf, n, "a preset name (%s)", list);
    return;
  case TT_STYPE_ENUM: enum_names(s, buf, n); return;
  case TT_STYPE_DURATION:
    snprintf(buf, n, "a duration such as 250ms, 2s or 1m");
    return;
  case TT_STYPE_COUNT: count_words(s, buf, n); return;
  case TT_STYPE_REGEX: snprintf(buf, n, "a regular expression"); return;
  case TT_STYPE_PATH: snprintf(buf, n, "a path such as /health"); return;
  case TT_STYPE_BOOL: snprintf(buf, n, "true or false"); return;
  case TT_STYPE_TEXT: snprintf(buf, n, "a string"); return;
  case TT_STYPE_COMMAND:
    snprintf(buf, n, "a shell command (a string)");
    return;
  case TT_STYPE_STATUS:
    snprintf(buf, n, "an HTTP status from %d to %d, a range such as "
                     "\"200-399\", or a list of them",
             TT_STATUS_MIN, TT_STATUS_MAX);
    return;
  }
  snprintf(buf, n, "a value");
}

/* Reads a decimal whole number, digits only, without overflowing. */
static int read_number(const char *s, size_t len, uint64_t limit,
                       uint64_t *out) {
  uint64_t v = 0;
  if (len == 0)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    if (v <= limit)
      v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return 0;
}

/* An HTTP path as it goes into a request line: it starts with "/" and
 * holds only visible ASCII, so that nothing can end the line early. */
static const char *path_problem(const tt_setting *s, const char *p,
                                size_t len) {
  if (len == 0)
    return "is empty";
  if (len > s->max)
    return "is longer than 1024 bytes";
  if (p[0] != '/')
    return "must start with /";
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
      return "must hold only visible ASCII characters (percent-encode the "
             "rest, as in /a%20b)";
  return NULL;
}

/* Plain text: no controls, nothing bidirectional or invisible. */
static const char *text_problem(const tt_setting *s, const char *p,
                                size_t len, char *buf, size_t n) {
  uint32_t cp;
  char what[64];
  if (len < s->min)
    return "is empty";
  if (len > s->max) {
    snprintf(buf, n, "is longer than %llu bytes", (unsigned long long)s->max);
    return buf;
  }
  if (memchr(p, '\0', len) != NULL)
    return "must not contain a NUL byte";
  if (tt_text_check(p, len, &cp) < len) {
    snprintf(buf, n, "must not contain %s",
             tt_char_describe(cp, what, sizeof(what)));
    return buf;
  }
  return NULL;
}

int tt_setting_check(const tt_setting *s, const tt_setting_value *v, char *why,
                     size_t n) {
  char words[160];
  const char *problem = NULL;

  switch (s->type) {
  case TT_STYPE_DURATION:
    if (v->num == 0) {
      problem = "must be greater than 0";
    } else if (v->num > s->max) {
      tt_duration_format(s->max, words, sizeof(words));
      snprintf(why, n, "is longer than %s", words);
      return -1;
    }
    break;
  case TT_STYPE_BOOL:
    if (v->num > 1)
      problem = "must be true or false";
    break;
  case TT_STYPE_TEXT:
    problem = v->str.p ? text_problem(s, v->str.p, v->str.len, words,
                                      sizeof(words))
                       : "is empty";
    break;
  case TT_STYPE_COUNT:
  case TT_STYPE_ENUM:
    if (v->num < s->min || v->num > s->max) {
      if (s->type == TT_STYPE_COUNT)
        count_words(s, words, sizeof(words));
      else
        enum_names(s, words, sizeof(words));
      snprintf(why, n, "must be %s", words);
      return -1;
    }
    break;
  case TT_STYPE_BYTES:
    if (v->str.p == NULL || v->str.len < s->min) {
      problem = "is empty";
    } else if (v->str.len > s->max) {
      too_long(s, why, n);
      return -1;
    }
    break;
  case TT_STYPE_REGEX: {
    tt_pattern p;
    if (v->str.p == NULL) {
      problem = "is empty";
      break;
    }
    /* The one judge of what a pattern may be is the pattern module. */
    if (tt_pattern_compile(&p, v->str.p, why, n) != 0)
      return -1;
    tt_pattern_free(&p);
    break;
  }
  case TT_STYPE_PRESET:
    if (v->preset == NULL)
      problem = "is not a preset";
    break;
  case TT_STYPE_PATH:
    problem = v->str.p ? path_problem(s, v->str.p, v->str.len) : "is empty";
    break;
  case TT_STYPE_COMMAND:
    /* The shell gets it as one argument: any text but a NUL byte. */
    if (v->str.p == NULL || v->str.len < s->min)
      problem = "is empty";
    else if (memchr(v->str.p, '\0', v->str.len) != NULL)
      problem = "must not contain a NUL byte";
    else if (v->str.len > s->max) {
      too_long(s, why, n);
      return -1;
    }
    break;
  case TT_STYPE_STATUS:
    if (v->status.n == 0)
      problem = "is empty";
    for (size_t i = 0; i < v->status.n && problem == NULL; i++)
      if (v->status.v[i].lo < s->min || v->status.v[i].hi > s->max ||
          v->status.v[i].lo > v->status.v[i].hi)
        problem = "must hold HTTP statuses from 100 to 599";
    break;
  default:
    break;
  }
  if (problem != NULL) {
    snprintf(why, n, "%s", problem);
    return -1;
  }
  return 0;
}

int tt_setting_read(const tt_setting *s, const char *text, size_t len,
                    tt_setting_value *out, char *why, size_t n) {
  char words[160];
  const char *problem;
  tt_setting_value v;

  memset(&v, 0, sizeof(v));
  switch (s->type) {
  case TT_STYPE_DURATION:
    if (tt_duration_parse_max(text, s->max, &v.num, &problem) != 0) {
      if (strcmp(problem, "is too long") == 0) {
        tt_duration_format(s->max, words, sizeof(words));
        snprintf(why, n, "is longer than %s", words);
      } else {
        snprintf(why, n, "%s", problem);
      }
      return -1;
    }
    break;
  case TT_STYPE_BOOL:
    if (len == 4 && memcmp(text, "true", 4) == 0) {
      v.num = 1;
    } else if (len == 5 && memcmp(text, "false", 5) == 0) {
      v.num = 0;
    } else {
      snprintf(why, n, "must be true or false");
      return -1;
    }
    break;
  case TT_STYPE_COUNT:
    if (read_number(text, len, s->max, &v.num) != 0 || v.num < s->min ||
        v.num > s->max) {
      count_words(s, words, sizeof(words));
      snprintf(why, n, "must be %s", words);
      return -1;
    }
    break;
  case TT_STYPE_ENUM:
    v.num = s->max + 1;
    for (uint64_t e = s->min; e <= s->max; e++)
      if (strlen(tt_setting_enum_name(s, e)) == len &&
          memcmp(tt_setting_enum_name(s, e), text, len) == 0)
        v.num = e;
    break;
  case TT_STYPE_PRESET: {
    char name[64];
    if (len < sizeof(name) && memchr(text, '\0', len) == NULL) {
      memcpy(name, text, len);
      name[len] = '\0';
      v.preset = tt_preset_find(name);
    }
    if (v.preset == NULL) {
      tt_unknown_preset(text, len, why, n);
      return -1;
    }
    break;
  }
  case TT_STYPE_BYTES:
  case TT_STYPE_REGEX:
  case TT_STYPE_PATH:
  case TT_STYPE_TEXT:
  case TT_STYPE_COMMAND:
    v.str.p = text;
    v.str.len = len;
    break;
  default:
    snprintf(why, n, "cannot be read from text");
    return -1;
  }
  if (tt_setting_check(s, &v, why, n) != 0)
    return -1;
  *out = v;
  return 0;
}

int tt_status_read(const char *text, tt_status_range *out, const char **why) {
  const char *dash = strchr(text, '-');
  size_t len = strlen(text);
  uint64_t lo, hi;

  if (dash == NULL) {
    if (read_number(text, len, TT_STATUS_MAX, &lo) != 0)
      goto bad;
    hi = lo;
  } else if (read_number(text, (size_t)(dash - text), TT_STATUS_MAX, &lo) !=
                 0 ||
             read_number(dash + 1, len - (size_t)(dash - text) - 1,
                         TT_STATUS_MAX, &hi) != 0) {
    goto bad;
  }
  if (lo < TT_STATUS_MIN || hi > TT_STATUS_MAX || lo > TT_STATUS_MAX) {
    *why = "must be HTTP statuses from 100 to 599";
    return -1;
  }
  if (lo > hi) {
    *why = "is a range that ends before it starts";
    return -1;
  }
  out->lo = (uint16_t)lo;
  out->hi = (uint16_t)hi;
  return 0;
bad:
  *why = "must be an HTTP status such as 200, or a range such as 200-399";
  return -1;
}
