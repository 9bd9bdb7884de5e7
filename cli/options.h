/* options.h - the command line, parsed into what the run needs. */
#ifndef TETHER_OPTIONS_H
#define TETHER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "output.h"
#include "until.h"

typedef enum tt_output {
  TT_OUT_AUTO,     /* dashboard on a terminal, else plain */
  TT_OUT_PLAIN,
  TT_OUT_JSON,
  TT_OUT_DASHBOARD
} tt_output;

typedef struct tt_options {
  tt_output output;
  const char *log_path;
  uint64_t count;        /* 0: no limit */
  uint64_t duration_ms;  /* 0: no limit */
  uint64_t refresh_ms;
  bool check;
  bool demo;
  bool no_color;
  tt_summary_mode summary; /* --summary */
  bool metrics;          /* --metrics: serve /metrics at metrics_addr */
  struct sockaddr_storage metrics_addr;
  tt_until_cond until;   /* --until; TT_UNTIL_NONE when not given */
  const char *replay;    /* --replay FILE: a recorded log, not a run */
  const char *at;        /* --at TIME (with --replay) */
  const char *file;
  char **targets;
  size_t ntargets;
  tt_settings overrides; /* the settings' options (settings.h) */
  char *bytes[TT_SET_COUNT]; /* values after their C escapes were read */
} tt_options;

/* Parses argv. Returns 0 to run, 1 when --help or --version was handled
 * (exit 0), or 2 after printing a usage error to stderr (exit 2). */
int tt_options_parse(tt_options *o, int argc, char **argv);
void tt_options_free(tt_options *o);

#endif
