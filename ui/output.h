/* output.h - the non-interactive front ends: an output buffer flushed once
 * per loop iteration, JSON events, plain lines, the summary table and the
 * --check listing. They read only events and the engine's snapshot. */
#ifndef TETHER_OUTPUT_H
#define TETHER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"

/* Bytes waiting for one write(2). Written out by tt_sink_flush, which the
 * program calls once per loop iteration and at exit. */
typedef struct tt_sink {
  int fd;
  bool owned;   /* close fd with the sink */
  int error;    /* first write error (negative errno), 0 while fine */
  char *buf;
  size_t len, cap;
} tt_sink;

void tt_sink_init_fd(tt_sink *k, int fd);
/* Opens path for appending (created 0644). Returns 0 or -errno. */
int tt_sink_open(tt_sink *k, const char *path);
void tt_sink_write(tt_sink *k, const char *data, size_t len);
void tt_sink_puts(tt_sink *k, const char *s);
void tt_sink_printf(tt_sink *k, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Writes out what is buffered. Returns 0 or the sink's first error. */
int tt_sink_flush(tt_sink *k);
void tt_sink_close(tt_sink *k);

/* JSON (one object per line, PRODUCT.md "Events"). */
void tt_json_event(tt_sink *k, const tt_event *ev);
void tt_json_summary(tt_sink *k, const tt_view *v, uint64_t ts_us);
/* A JSON string literal, quotes included, every control byte escaped. */
void tt_json_string(tt_sink *k, const char *s, size_t len);

/* Plain lines. name_width aligns the names of one run. */
typedef struct tt_plain {
  tt_sink *out;
  int name_width;
} tt_plain;

void tt_plain_init(tt_plain *p, tt_sink *out, const tt_config *cfg);
void tt_plain_event(tt_plain *p, const tt_event *ev);

/* The summary table (every target, one row each) for plain output and
 * after the dashboard. */
void tt_plain_summary(tt_sink *k, const tt_engine *e);

/* The --check listing of effective targets. */
void tt_check_print(tt_sink *k, const tt_config *cfg);

#endif
