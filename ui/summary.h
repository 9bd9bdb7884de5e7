/* summary.h - the fields of a target's summary, described once: the plain
 * table's columns and the JSON summary's keys both come from this list. */
#ifndef TETHER_SUMMARY_H
#define TETHER_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef enum tt_value_kind {
  TT_V_NONE,  /* no value yet (an RTT before any reply): JSON null, "-" */
  TT_V_STR,
  TT_V_COUNT,
  TT_V_PCT,
  TT_V_RTT    /* microseconds */
} tt_value_kind;

typedef struct tt_value {
  tt_value_kind kind;
  const char *s;
  uint64_t u;
  double d;
} tt_value;

/* What a summary row is about: a target, and what the output the summary
 * is written to dropped of that target's events. */
typedef struct tt_summary_row {
  const tt_view *v;
  uint64_t dropped;
} tt_summary_row;

typedef struct tt_summary_field {
  const char *title; /* plain column heading */
  const char *key;   /* JSON key */
  int width;         /* plain column width */
  tt_value (*get)(const tt_summary_row *r);
} tt_summary_field;

/* The fields in order (the JSON summary's "classes" object and the plain
 * table's CLASSES column follow them). */
const tt_summary_field *tt_summary_fields(size_t *n);

#endif
