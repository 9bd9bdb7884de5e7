/* config.h - the immutable configuration: targets with every setting
 * resolved, loaded from YAML and/or command-line targets, with diagnostics. */
#ifndef TETHER_CONFIG_H
#define TETHER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern.h"
#include "preset.h"
#include "settings.h"
#include "tether.h"

#define TT_MAX_TARGETS 1000000

/* A target with every setting resolved. Immutable once loaded. Each
 * setting's row in the settings table (settings.h) names its field. */
typedef struct tt_target {
  char *name;              /* unique within the config */
  char *address;           /* as configured: "db1:5432", "[::1]:8080" */
  char *host;              /* host name or literal, without brackets */
  uint16_t port;
  int literal_family;      /* 4 or 6 when host is an IP literal, else 0 */
  const char *of_name;     /* one address of an addresses: all target: the
                              name it belongs to (NAME of NAME[IP]); NULL
                              for every other target */
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
  char *reply_end;         /* never NULL, never empty */
  size_t reply_end_len;
  uint32_t reply_bytes;    /* >0: a reply is exactly this many bytes, and
                              reply_end is not used */
  const char *quit;        /* connect mode: sent after the reply matched,
                              before closing (from the preset), or NULL;
                              any bytes, quit_len of them */
  size_t quit_len;
  char *path;              /* http: the path asked for (never NULL for
                              the http presets; NULL otherwise) */
  tt_status_range *status; /* accepted HTTP statuses, never NULL for the
                              http presets (default 200-399) */
  size_t nstatus;
  tt_addresses addresses;
  uint64_t resolve_every_ms;
  bool tls;                /* a TLS handshake, then the probe inside it */
  char *server_name;       /* what the certificate must name; NULL: host */
  char *ca_file;           /* CAs to trust; NULL: the system's */
  bool insecure;           /* report the certificate, never judge it */
  uint64_t cert_warn_ms;   /* expiring within it: degraded */
  char *on_change;         /* the command a state change runs (through
                              /bin/sh -c), or NULL */
  uint64_t hook_timeout_ms;/* how long that command may run */
  uint32_t hook_limit;     /* hooks running at once, for the whole run:
                              set in defaults: only, so every target holds
                              the same value */
  char **tags;
  size_t ntags;
  uint32_t followed;       /* TT_BIT(id) of the settings that nobody set
                              and that took another's shorter value (the
                              timeout, the interval's) */
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
  const tt_settings *overrides; /* command-line options, or NULL: only the
                                   settings with TT_IN_OPTIONS */
} tt_config_input;

/* Loads, validates and resolves. Returns 0, or -1 with every problem found
 * appended to diags (in file order, then the command line). On failure *cfg
 * holds nothing to free. */
int tt_config_load(const tt_config_input *in, tt_config *cfg, tt_diags *diags);
void tt_config_free(tt_config *cfg);

void tt_diags_init(tt_diags *d);
void tt_diags_free(tt_diags *d);

#endif
