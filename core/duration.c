/* duration.c - reading "250ms", "1.5s", "2m" into milliseconds and writing
 * milliseconds back in the shortest form that reads back the same. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"

/* Fraction digits beyond this many (after trailing zeros are dropped) can
 * never make a whole number of milliseconds: the largest unit, 1d, is
 * 86 400 000 ms, whose factor of ten is only 10^5. */
#define MAX_FRACTION_DIGITS 9

static const struct unit {
  const char *name;
  uint64_t ms;
} units[] = {
  {"ms", 1},
  {"s", 1000},
  {"m", 60 * 1000},
  {"h", 3600 * 1000},
  {"d", 24 * 3600 * 1000},
};

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int tt_duration_parse(const char *s, uint64_t *ms, const char **why) {
  int r = tt_duration_parse_max(s, TT_DURATION_MAX_MS, ms, why);
  if (r != 0 && strcmp(*why, "is too long") == 0)
    *why = "is longer than 24h";
  return r;
}

int tt_duration_parse_max(const char *s, uint64_t max_ms, uint64_t *ms,
                          const char **why) {
  uint64_t whole = 0, frac = 0, scale = 1;
  bool too_big = false;
  size_t i = 0, frac_digits = 0;
  const struct unit *unit = NULL;

  if (s == NULL || s[0] == '\0') {
    *why = "is empty; write a duration like 250ms, 2s, 1m";
    return -1;
  }
  if (s[0] == '-') {
    *why = "cannot be negative";
    return -1;
  }
  if (s[0] == '.' && is_digit(s[1])) {
    *why = "needs a digit before the decimal point, as in 0.5s";
    return -1;
  }
  if (!is_digit(s[0])) {
    *why = "is not a duration; write one like 250ms, 2s, 1m";
    return -1;
  }
  for (; is_digit(s[i]); i++) {
    /* Keep reading the digits, but stop counting once the value is past
     * any limit: the answer is then "too long" whatever follows. */
    if (whole > max_ms)
      too_big = true;
    else
      whole = whole * 10 + (uint64_t)(s[i] - '0');
  }
  if (s[i] == '.') {
    size_t start = ++i, last = 0;
    for (; is_digit(s[i]); i++) {
      if (s[i] != '0')
        last = i - start + 1;
    }
    if (i == start) {
      *why = "needs a digit after the decimal point, as in 1.5s";
      return -1;
    }
    /* Only the significant digits count: "1.500s" is "1.5s". */
    if (last > MAX_FRACTION_DIGITS) {
      *why = "is not a whole number of milliseconds";
      return -1;
    }
    frac_digits = last;
    for (size_t k = 0; k < frac_digits; k++) {
      frac = frac * 10 + (uint64_t)(s[start + k] - '0');
      scale *= 10;
    }
  }
  if (s[i] == '\0') {
    *why = "needs a unit: 250ms, 2s, 1m";
    return -1;
  }
  for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
    if (strcmp(s + i, units[u].name) == 0)
      unit = &units[u];
  }
  if (unit == NULL) {
    *why = "has an unknown unit; use ms, s, m, h or d";
    return -1;
  }
  /* frac < 10^9 and unit->ms <= 8.64e7, so the product fits easily. */
  if (frac * unit->ms % scale != 0) {
    *why = "is not a whole number of milliseconds";
    return -1;
  }
  if (too_big || whole > max_ms / unit->ms) {
    *why = "is too long";
    return -1;
  }
  whole = whole * unit->ms + frac * unit->ms / scale;
  if (whole > max_ms) {
    *why = "is too long";
    return -1;
  }
  *ms = whole;
  return 0;
}

int tt_duration_format(uint64_t ms, char *buf, size_t n) {
  /* The largest unit in which the value is at least one and exact with at
   * most three decimals; below a second, whole milliseconds. */
  for (size_t u = sizeof(units) / sizeof(units[0]) - 1; u > 0; u--) {
    /* Every unit from the second up is a whole number of seconds, so a
     * thousandth of it is a whole number of milliseconds. */
    uint64_t per_thousandth = units[u].ms / 1000;
    uint64_t thousandths, whole;
    unsigned frac;
    char digits[16];
    int len;

    /* A day is for what is counted in days: 24h reads as hours. */
    if (ms < units[u].ms || ms % per_thousandth != 0 ||
        (units[u].ms == 24 * 3600 * 1000 && ms < 2 * units[u].ms))
      continue;
    thousandths = ms / per_thousandth;
    whole = thousandths / 1000;
    frac = (unsigned)(thousandths % 1000);
    if (frac == 0)
      return snprintf(buf, n, "%llu%s", (unsigned long long)whole,
                      units[u].name);
    len = snprintf(digits, sizeof(digits), "%03u", frac);
    while (len > 0 && digits[len - 1] == '0')
      digits[--len] = '\0';
    return snprintf(buf, n, "%llu.%s%s", (unsigned long long)whole, digits,
                    units[u].name);
  }
  return snprintf(buf, n, "%llums", (unsigned long long)ms);
}
