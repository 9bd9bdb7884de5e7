/* replaylog.h - recorded logs for the replay tests: a temporary file
 * written with the real JSON writer, copies of it in gzip (in members,
 * cut short), and views compared field by field. */
#ifndef TETHER_TEST_REPLAYLOG_H
#define TETHER_TEST_REPLAYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "output.h"

typedef struct tt_rlog {
  char path[64];
  int fd;
  tt_sink sink; /* synchronous: tt_rlog_flush writes it out */
} tt_rlog;

/* A new empty temporary file and a sink on it. */
void tt_rlog_open(tt_rlog *l);
/* One record of raw text (a line, or bytes that are not one). */
void tt_rlog_raw(tt_rlog *l, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
void tt_rlog_flush(tt_rlog *l);
/* Closes and removes the file. */
void tt_rlog_done(tt_rlog *l);

/* Writes src as gzip into a new temporary file (path in dst, 64 bytes):
 * in `members` concatenated members, its last `cut` bytes left out. */
void tt_rlog_gzip(const char *src, char *dst, int members, size_t cut);

/* What a comparison of views leaves out: the loop-time fields (a live
 * run keeps them in uv_now(), a replay in wall-clock ms), and what no
 * event says (skipped slots, discarded bytes, the certificate). */
enum { TT_CMP_ALL = 0, TT_CMP_NO_LOOP_TIME = 1, TT_CMP_NO_SILENT = 2 };

/* Fails the test, naming the field and the target, where a and b
 * differ. */
void tt_assert_view_equal(const tt_view *a, const tt_view *b, int flags);

#endif
