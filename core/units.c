/* units.c - microseconds written for people, with three significant
 * digits whatever the magnitude. */
#include <stdio.h>

#include "units.h"

int tt_units_us(char *buf, size_t n, uint64_t us, const char *sep) {
  /* The thresholds sit where rounding would add a digit (9995 us would
   * print as "10.00ms"), so every form keeps 3 significant digits. */
  if (us < 1000)
    return snprintf(buf, n, "%u%sus", (unsigned)us, sep);
  if (us < 9995)
    return snprintf(buf, n, "%.2f%sms", us / 1000.0, sep);
  if (us < 99950)
    return snprintf(buf, n, "%.1f%sms", us / 1000.0, sep);
  if (us < 999500)
    return snprintf(buf, n, "%u%sms", (unsigned)((us + 500) / 1000), sep);
  if (us < 9995000)
    return snprintf(buf, n, "%.2f%ss", us / 1e6, sep);
  if (us < 99950000)
    return snprintf(buf, n, "%.1f%ss", us / 1e6, sep);
  return snprintf(buf, n, "%.0f%ss", us / 1e6, sep);
}
