/* replay_read.h - one line of a recorded event log (tether's --log or
 * --json output) read into an event: a small, bounded parser for these
 * flat JSON objects. Every byte is taken as hostile: nothing is trusted to
 * be short, well formed or safe to show. */
#ifndef TETHER_REPLAY_READ_H
#define TETHER_REPLAY_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "settings.h"

/* A line longer than this is damage. tether's longest (a summary, a
 * reload naming many targets aside) are well under 2 KiB. */
#define TT_RP_LINE_MAX (64 * 1024)
#define TT_RP_ADDRESS_MAX 320 /* bytes of an address, NUL included */
#define TT_RP_TAGS_MAX 1024   /* bytes of a target's tags, NULs included */
#define TT_RP_PRESET_MAX 16

/* The events a replay knows; the others (reload, hook, and events of
 * later versions) are read, checked and passed over. */
typedef enum tt_rp_kind {
  TT_RP_HEARTBEAT,
  TT_RP_LATE,
  TT_RP_STATE,
  TT_RP_RECONNECT,
  TT_RP_ADDED,
  TT_RP_REMOVED,
  TT_RP_TLS,
  TT_RP_TARGET,
  TT_RP_SUMMARY,
  TT_RP_DROPPED,
  TT_RP_OTHER
} tt_rp_kind;

/* One event as the line says it. Strings are decoded from JSON (\uXXXX
 * included) and NUL-terminated; they may hold any character but NUL, so
 * they are escaped before they are shown (names and addresses by each
 * front end, as the config's; error by tt_rp_parse itself, as the
 * engine's details are). */
typedef struct tt_rp_event {
  tt_rp_kind kind;
  uint64_t ts_us;          /* wall clock, microseconds since the epoch */
  bool has_target;
  uint64_t seq;            /* heartbeat, late */
  tt_class cls;            /* heartbeat, state, reconnect (ok if absent) */
  bool has_rtt;
  uint32_t rtt_us;
  bool has_reply;
  uint32_t reply_us;
  bool has_tls;
  uint32_t tls_us;
  tt_state from, to;       /* state */
  uint64_t count;          /* dropped */
  /* target and added: the settings (tt_json_target); has_settings when
   * interval_ms was given. tags holds ntags NUL-terminated strings. */
  bool has_settings;
  tt_mode mode;            /* TT_MODE_UNSET when not given */
  uint64_t interval_ms, timeout_ms;
  size_t ntags;
  /* The strings come last: a line clears only their first bytes. */
  char target[TT_MAX_NAME + 1];
  char address[TT_RP_ADDRESS_MAX];
  char ip[TT_IP_MAX];      /* "" when not given */
  char error[TT_ERROR_MAX];/* escaped as the engine's details are */
  char preset[TT_RP_PRESET_MAX]; /* "" when none */
  char tags[TT_RP_TAGS_MAX];
} tt_rp_event;

/* Parses line[0..len) (without its "\n"; a "\r" before it is allowed).
 * Returns 1 for an event, 0 for a line to pass over (empty), or -1 when
 * the line is damage, with why saying what is wrong ("bad JSON at column
 * 12: ..."). */
int tt_rp_parse(const char *line, size_t len, tt_rp_event *ev, char *why,
                size_t n);

/* RFC 3339 ("2026-11-29T03:12:40.123456Z", "...+01:00", a space or a
 * lowercase t and z allowed) into microseconds since the epoch. Returns
 * 0, or -1 when s[0..len) is not one. */
int tt_rp_parse_rfc3339(const char *s, size_t len, uint64_t *us);

#endif
