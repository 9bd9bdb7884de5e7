/* replay_time.c - a moment of a log as people type it: a local time of
 * day on the day of the log that has it, or an RFC 3339 time. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "replay_index.h"
#include "replay_read.h"

/* A log of more days than this is searched no further for a time of day
 * (it is then given with its date). */
#define MAX_DAYS 400

/* "2026-11-29 03:12:07", local time. */
static void local_text(char *buf, size_t n, uint64_t us) {
  time_t t = (time_t)(us / 1000000);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* "03:12", "03:12:40" or "03:12:40.5": seconds since midnight and the
 * microseconds of the second. Returns 0 or -1. */
static int time_of_day(const char *s, int *secs, uint32_t *us) {
  unsigned h, m, sec = 0;
  int used = 0;
  if (sscanf(s, "%2u:%2u%n", &h, &m, &used) != 2 || used != 5)
    return -1;
  s += used;
  if (*s == ':') {
    if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
      return -1;
    sec = (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
    s += 3;
  }
  *us = 0;
  if (*s == '.' && sec < 60) {
    uint32_t scale = 100000;
    if (s[1] < '0' || s[1] > '9')
      return -1;
    for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
      *us += (uint32_t)(*s - '0') * scale;
  }
  if (*s != '\0' || h > 23 || m > 59 || sec > 59)
    return -1;
  *secs = (int)(h * 3600 + m * 60 + sec);
  return 0;
}

/* where: "before", "after" or "not in". */
static int outside(const tt_replay *r, const char *text, const char *where,
                   char *why, size_t n) {
  char from[32], to[32];
  local_text(from, sizeof from, r->info.first_us);
  local_text(to, sizeof to, r->info.last_us);
  snprintf(why, n, "%.40s is %s the log (%s to %s, local time)", text, where,
           from, to);
  return -1;
}

/* "2026-11-29 03:12" or "2026-11-29T03:12:40", local time. Returns 0 or
 * -1. */
static int local_date_time(const char *s, uint64_t *t_us) {
  unsigned y, mo, d;
  int used = 0, secs;
  uint32_t us;
  if (sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &used) != 3 || used != 10 ||
      (s[10] != ' ' && s[10] != 'T') || time_of_day(s + 11, &secs, &us) != 0)
    return -1;
  struct tm tm = { .tm_year = (int)y - 1900, .tm_mon = (int)mo - 1,
                   .tm_mday = (int)d, .tm_hour = secs / 3600,
                   .tm_min = secs / 60 % 60, .tm_sec = secs % 60,
                   .tm_isdst = -1 };
  time_t t = mktime(&tm);
  if (t == (time_t)-1 || t < 0 || tm.tm_mday != (int)d)
    return -1;
  *t_us = (uint64_t)t * 1000000u + us;
  return 0;
}

int tt_replay_parse_time(const tt_replay *r, const char *text,
                         uint64_t *t_us, char *why, size_t n) {
  const tt_replay_info *in = &r->info;
  int secs;
  uint32_t us;
  if (in->events == 0) {
    snprintf(why, n, "the log has no events");
    return -1;
  }
  if (tt_rp_parse_rfc3339(text, strlen(text), t_us) == 0 ||
      local_date_time(text, t_us) == 0) {
    if (*t_us < in->first_us || *t_us > in->last_us)
      return outside(r, text, *t_us < in->first_us ? "before" : "after",
                     why, n);
    return 0;
  }
  if (time_of_day(text, &secs, &us) != 0) {
    snprintf(why, n, "'%.40s' is not a time: HH:MM[:SS] or 'YYYY-MM-DD "
             "HH:MM[:SS]' (local), or RFC 3339 (2026-11-29T03:12:40Z)",
             text);
    return -1;
  }
  /* That time on each local day from the log's first to its last. */
  time_t first = (time_t)(in->first_us / 1000000);
  struct tm day;
  localtime_r(&first, &day);
  size_t found = 0;
  uint64_t at = 0;
  char dates[2][16];
  for (int d = 0; d < MAX_DAYS; d++) {
    struct tm tm = day;
    tm.tm_mday += d;
    tm.tm_hour = secs / 3600;
    tm.tm_min = secs / 60 % 60;
    tm.tm_sec = secs % 60;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || t < 0)
      continue;
    uint64_t cand = (uint64_t)t * 1000000u + us;
    if (cand > in->last_us)
      break;
    if (cand < in->first_us)
      continue;
    if (found < 2)
      strftime(dates[found], sizeof dates[found], "%Y-%m-%d", &tm);
    if (found++ == 0)
      at = cand;
  }
  if (found == 0)
    return outside(r, text, "not in", why, n);
  if (found > 1) {
    snprintf(why, n, "%s is in the log on %zu days (%s, %s%s): give the "
             "date, as '%s %s'", text, found, dates[0], dates[1],
             found > 2 ? ", ..." : "", dates[1], text);
    return -1;
  }
  *t_us = at;
  return 0;
}

/* ---- RFC 3339 ---------------------------------------------------------------- */

static bool digits(const char *s, size_t n, unsigned *v) {
  *v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    *v = *v * 10 + (unsigned)(s[i] - '0');
  }
  return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m) {
  static const unsigned len[] = { 31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31 };
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : len[m - 1];
}

int tt_rp_parse_rfc3339(const char *s, size_t len, uint64_t *us) {
  unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
  if (len < 20 || !digits(s, 4, &y) || s[4] != '-' ||
      !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
      s[16] != ':' || !digits(s + 17, 2, &sec))
    return -1;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
      h > 23 || mi > 59 || sec > 60)
    return -1;
  size_t i = 19;
  uint64_t frac = 0;
  if (i < len && s[i] == '.') {
    size_t k = 0;
    for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, k++)
      if (k < 6)
        frac = frac * 10 + (uint64_t)(s[i] - '0');
    if (k == 0)
      return -1;
    for (; k < 6; k++)
      frac *= 10;
  }
  int sign = 0;
  if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
             digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
             digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
    sign = s[i] == '+' ? 1 : -1;
    i += 6;
  } else {
    return -1;
  }
  if (i != len)
    return -1;
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  t -= sign * (int64_t)(oh * 3600 + om * 60);
  if (t < 0)
    return -1;
  *us = (uint64_t)t * 1000000u + frac;
  return 0;
}
