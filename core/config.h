/* config.h - the immutable configuration: targets with every setting
 * resolved, loaded from YAML and/or command-line targets, with diagnostics. */
#ifndef TETHER_CONFIG_H
#define TETHER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern.h"
#include "preset.h"
#include "tether.h"

/* Built-in defaults (PRODUCT.md "YAML"). */
#define TT_DEFAULT_INTERVAL_MS 1000
#define TT_DEFAULT_TIMEOUT_MS 1000
#define TT_DEFAULT_CONNECT_TIMEOUT_MS 2000
#define TT_DEFAULT_MISS_THRESHOLD 3
#define TT_DEFAULT_MAX_REPLY 4096
#define TT_DEFAULT_REPLY_END "\n"
#define TT_DEFAULT_BACKOFF_INITIAL_MS 500
#define TT_DEFAULT_BACKOFF_MAX_MS 30000

/* Bounds, so that no configuration can make a session unbounded. */
#define TT_MAX_DURATION_MS (24ull * 3600 * 1000) /* 24h */
#define TT_MAX_MISS_THRESHOLD 100
#define TT_MAX_MAX_REPLY (1u << 20)              /* 1 MiB */
#define TT_MAX_REPLY_END 16                      /* bytes */
#define TT_MAX_SEND (64u * 1024)                 /* bytes */
#define TT_MAX_NAME 100                          /* bytes */
#define TT_MAX_TARGETS 1000000

/* Which fields of a tt_settings layer are set. */
enum {
  TT_HAS_INTERVAL = 1u << 0,
  TT_HAS_TIMEOUT = 1u << 1,
  TT_HAS_CONNECT_TIMEOUT = 1u << 2,
  TT_HAS_MISS_THRESHOLD = 1u << 3,
  TT_HAS_RTT_WARN = 1u << 4,
  TT_HAS_MAX_REPLY = 1u << 5,
  TT_HAS_REPLY_END = 1u << 6,
  TT_HAS_FAMILY = 1u << 7,
  TT_HAS_BACKOFF_INITIAL = 1u << 8,
  TT_HAS_BACKOFF_MAX = 1u << 9,
  TT_HAS_MODE = 1u << 10,
  TT_HAS_SEND = 1u << 11,
  TT_HAS_EXPECT = 1u << 12,
  TT_HAS_PRESET = 1u << 13
};

/* One layer of settings (built-in < defaults < target < command line).
 * Strings are borrowed: the layer does not own them. send and reply_end
 * carry a length because they may hold any byte, NUL included. */
typedef struct tt_settings {
  unsigned has;
  uint64_t interval_ms;
  uint64_t timeout_ms;
  uint64_t connect_timeout_ms;
  uint64_t rtt_warn_ms;
  uint32_t miss_threshold;
  uint32_t max_reply;
  tt_family family;
  uint64_t backoff_initial_ms;
  uint64_t backoff_max_ms;
  tt_mode mode;
  const tt_preset *preset;
  const char *send;
  size_t send_len;
  const char *expect;
  const char *reply_end;
  size_t reply_end_len;
} tt_settings;

/* Accepted HTTP status codes: an inclusive range. */
typedef struct tt_status_range {
  uint16_t lo, hi;
} tt_status_range;

/* The http preset's default status: 200-399. */
#define TT_DEFAULT_STATUS_LO 200
#define TT_DEFAULT_STATUS_HI 399
#define TT_DEFAULT_PATH "/"

/* A target with every setting resolved. Immutable once loaded. */
typedef struct tt_target {
  char *name;              /* unique within the config */
  char *address;           /* as configured: "db1:5432", "[::1]:8080" */
  char *host;              /* host name or literal, without brackets */
  uint16_t port;
  int literal_family;      /* 4 or 6 when host is an IP literal, else 0 */
  const tt_preset *preset; /* NULL when none */
  tt_mode mode;            /* never TT_MODE_UNSET */
  uint64_t interval_ms;
  uint64_t timeout_ms;
  uint64_t connect_timeout_ms;
  uint64_t rtt_warn_ms;    /* 0: no warning threshold */
  uint32_t miss_threshold;
  uint32_t max_reply;
  tt_family family;
  uint64_t backoff_initial_ms;
  uint64_t backoff_max_ms;
  char *send;              /* NULL when nothing is sent */
  size_t send_len;
  /* Regular expressions are compiled once per distinct source and shared
   * by every target that uses it (glibc's compiled form takes kilobytes).
   * The source strings belong to the shared pattern too. */
  const char *expect;      /* regex source, NULL when none */
  const tt_pattern *expect_pattern;
  const char *banner;      /* greeting regex expected after connect, or NULL */
  const tt_pattern *banner_pattern;
  char *reply_end;         /* never NULL, never empty */
  size_t reply_end_len;
  uint32_t reply_bytes;    /* >0: a reply is exactly this many bytes, and
                              reply_end is not used */
  const char *quit;        /* connect mode: sent after the reply matched,
                              before closing (from the preset), or NULL */
  char *path;              /* http: the path asked for (never NULL for
                              the http presets; NULL otherwise) */
  tt_status_range *status; /* accepted HTTP statuses, never NULL for the
                              http presets (default 200-399) */
  size_t nstatus;
  char **tags;
  size_t ntags;
  unsigned line, col;      /* where it was defined; 0 for the command line */
} tt_target;

typedef struct tt_config {
  char *source;            /* file name (or buffer name), NULL when none */
  tt_target *targets;
  size_t ntargets;
  tt_pattern *patterns;    /* every compiled regex, owned here */
} tt_config;

/* One problem, already formatted for people: "FILE:LINE:COL: message" for
 * the file, "TARGET 'x': message" or "--opt: message" for the command line.
 * line and col are 1-based, 0 when the problem has no position. */
typedef struct tt_diag {
  unsigned line, col;
  char *text;
} tt_diag;

typedef struct tt_diags {
  tt_diag *v;
  size_t n, cap;
} tt_diags;

/* What to load. Either path or buffer (or neither, for command-line
 * targets only). */
typedef struct tt_config_input {
  const char *path;             /* YAML file */
  const char *buffer;           /* YAML text in memory ... */
  size_t buffer_len;
  const char *buffer_name;      /* ... and the name its errors carry */
  char *const *adhoc;           /* [NAME=][PRESET://]HOST:PORT */
  size_t nadhoc;
  const tt_settings *overrides; /* command-line options, or NULL */
} tt_config_input;

/* Loads, validates and resolves. Returns 0, or -1 with every problem found
 * appended to diags (in file order, then the command line). On failure *cfg
 * holds nothing to free. */
int tt_config_load(const tt_config_input *in, tt_config *cfg, tt_diags *diags);
void tt_config_free(tt_config *cfg);

void tt_diags_init(tt_diags *d);
void tt_diags_free(tt_diags *d);

#endif
