/* format.c - number formatting shared by the dashboard, plain and JSON
 * output, so that a value reads the same everywhere. */
#include <stdio.h>
#include <time.h>

#include "format.h"

int tt_fmt_rtt(char *buf, size_t n, uint32_t us) {
  if (us < 1000)
    return snprintf(buf, n, "%uus", (unsigned)us);
  if (us < 10000)
    return snprintf(buf, n, "%.2fms", us / 1000.0);
  if (us < 100000)
    return snprintf(buf, n, "%.1fms", us / 1000.0);
  if (us < 1000000)
    return snprintf(buf, n, "%ums", (unsigned)((us + 500) / 1000));
  if (us < 10000000)
    return snprintf(buf, n, "%.2fs", us / 1e6);
  return snprintf(buf, n, "%.1fs", us / 1e6);
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

int tt_fmt_pct(char *buf, size_t n, double pct) {
  if (pct <= 0)
    return snprintf(buf, n, "0%%");
  if (pct < 10)
    return snprintf(buf, n, "%.1f%%", pct);
  return snprintf(buf, n, "%.0f%%", pct);
}

int tt_fmt_rfc3339(char *buf, size_t n, uint64_t wall_us) {
  time_t t = (time_t)(wall_us / 1000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  return snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, (unsigned)(wall_us % 1000000));
}
