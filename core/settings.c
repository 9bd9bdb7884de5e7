/* settings.c - the settings table, one row per key: every setting's key,
 * option, type, bounds, default, layers and help, described once. What
 * reads it generically is in settings_read.c (values from text, their
 * bounds) and settings_show.c (how a resolved value reads, the diff of two
 * targets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "config.h"
#include "duration.h"
#include "escape.h"
#include "settings.h"
#include "suggest.h"

_Static_assert(TT_SET_COUNT <= 32, "a layer's bits fit in 32");
_Static_assert(sizeof(tt_mode) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(tt_family) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(tt_addresses) == sizeof(int), "enums are stored as int");

#define FIELD(f) offsetof(tt_target, f)
#define ALL (TT_IN_DEFAULTS | TT_IN_TARGET | TT_IN_OPTIONS)
#define FILE_ONLY (TT_IN_DEFAULTS | TT_IN_TARGET)

/* ---- when --check and the detail view show a setting ---- */

static bool never(const tt_target *t) {
  return false;
}
static bool has_tags(const tt_target *t) {
  return t->ntags > 0;
}
static bool has_preset(const tt_target *t) {
  return t->preset != NULL;
}
static bool persistent(const tt_target *t) {
  return t->mode == TT_MODE_PERSISTENT;
}
static bool has_rtt_warn(const tt_target *t) {
  return t->rtt_warn_ms > 0;
}
static bool ends_at_reply_end(const tt_target *t) {
  return t->reply_bytes == 0;
}
static bool has_reply_bytes(const tt_target *t) {
  return t->reply_bytes > 0;
}
static bool judges_http(const tt_target *t) {
  return t->status != NULL;
}
static bool every_address(const tt_target *t) {
  return t->addresses == TT_ADDRESSES_ALL;
}
static bool over_tls(const tt_target *t) {
  return t->tls;
}
static bool has_hook(const tt_target *t) {
  return t->on_change != NULL;
}

/* ---- enums ---- */

static const char *mode_name(int v) {
  return tt_mode_name((tt_mode)v);
}
static const char *family_name(int v) {
  return tt_family_name((tt_family)v);
}
static const char *addresses_name(int v) {
  return tt_addresses_name((tt_addresses)v);
}

static const tt_status_range default_status[] = {{200, 399}};

/* The table. Every key a config may hold, every option that overrides
 * one, described here once. */
static const tt_setting table[TT_SET_COUNT] = {
  [TT_SET_NAME] = {
    .key = "name", .type = TT_STYPE_NAME, .layers = TT_IN_TARGET,
    .max = TT_MAX_NAME, .offset = FIELD(name), .shown = never,
    .help = "what the target is called in every output",
  },
  [TT_SET_ADDRESS] = {
    .key = "address", .type = TT_STYPE_ADDRESS, .layers = TT_IN_TARGET,
    .offset = FIELD(address),
    .help = "host:port, an IPv6 address in brackets",
  },
  [TT_SET_HOST] = {
    .key = "host", .type = TT_STYPE_HOST, .layers = TT_IN_TARGET,
    .offset = FIELD(host), .shown = never,
    .help = "the host, apart from the port",
  },
  [TT_SET_PORT] = {
    .key = "port", .type = TT_STYPE_PORT, .layers = TT_IN_TARGET,
    .min = 1, .max = 65535, .offset = FIELD(port), .shown = never,
    .help = "the port, apart from the host",
  },
  [TT_SET_TAGS] = {
    .key = "tags", .type = TT_STYPE_TAGS, .layers = TT_IN_TARGET,
    .max = TT_MAX_TAG, .offset = FIELD(tags), .aux = FIELD(ntags),
    .shown = has_tags,
    .help = "labels the dashboard's filter matches",
  },
  [TT_SET_PRESET] = {
    .key = "preset", .type = TT_STYPE_PRESET, .layers = FILE_ONLY,
    .offset = FIELD(preset), .shown = has_preset,
    .help = "a protocol: fills in mode, send, expect and where replies end",
  },
  [TT_SET_MODE] = {
    .key = "mode", .type = TT_STYPE_ENUM, .layers = ALL,
    .option = "--mode", .short_opt = 'm', .metavar = "MODE",
    .min = TT_MODE_PERSISTENT, .max = TT_MODE_CONNECT, .name_of = mode_name,
    .offset = FIELD(mode),
    .help = "persistent (ping/pong) or connect (handshake)",
  },
  [TT_SET_SEND] = {
    .key = "send", .type = TT_STYPE_BYTES, .layers = ALL,
    .option = "--send", .metavar = "S",
    .min = 1, .max = TT_MAX_SEND, .offset = FIELD(send),
    .aux = FIELD(send_len),
    .help = "bytes to send, C escapes allowed (\"PING\\r\\n\")",
  },
  [TT_SET_EXPECT] = {
    .key = "expect", .type = TT_STYPE_REGEX, .layers = ALL,
    .option = "--expect", .metavar = "RE",
    .offset = FIELD(expect), .aux = FIELD(expect_pattern),
    .help = "extended regex a reply must match",
  },
  [TT_SET_INTERVAL] = {
    .key = "interval", .type = TT_STYPE_DURATION, .layers = ALL,
    .option = "--interval", .short_opt = 'i', .metavar = "D",
    .min = 1, .max = TT_DURATION_MAX_MS,
    .def = {.num = 1000}, .has_default = true,
    .offset = FIELD(interval_ms),
    .help = "time between heartbeats",
  },
  [TT_SET_TIMEOUT] = {
    .key = "timeout", .type = TT_STYPE_DURATION, .layers = ALL,
    .option = "--timeout", .short_opt = 't', .metavar = "D",
    .min = 1, .max = TT_DURATION_MAX_MS,
    .def = {.num = 1000}, .has_default = true, .follows = TT_SET_INTERVAL,
    .offset = FIELD(timeout_ms),
    .help = "reply deadline",
  },
  [TT_SET_CONNECT_TIMEOUT] = {
    .key = "connect_timeout", .type = TT_STYPE_DURATION, .layers = ALL,
    .option = "--connect-timeout", .metavar = "D",
    .min = 1, .max = TT_DURATION_MAX_MS,
    .def = {.num = 2000}, .has_default = true,
    .offset = FIELD(connect_timeout_ms),
    .help = "handshake deadline",
  },
  [TT_SET_MISS_THRESHOLD] = {
    .key = "miss_threshold", .type = TT_STYPE_COUNT, .layers = ALL,
    .option = "--miss-threshold", .metavar = "N",
    .min = 1, .max = TT_MAX_MISS_THRESHOLD,
    .def = {.num = 3}, .has_default = true,
    .offset = FIELD(miss_threshold), .shown = persistent,
    .help = "misses before reconnecting",
  },
  [TT_SET_RTT_WARN] = {
    .key = "rtt_warn", .type = TT_STYPE_DURATION, .layers = ALL,
    .option = "--rtt-warn", .metavar = "D",
    .min = 1, .max = TT_DURATION_MAX_MS,
    .offset = FIELD(rtt_warn_ms), .shown = has_rtt_warn,
    .help = "slower replies make an up target degraded",
  },
  [TT_SET_MAX_REPLY] = {
    .key = "max_reply", .type = TT_STYPE_COUNT, .layers = FILE_ONLY,
    .min = 1, .max = TT_MAX_MAX_REPLY, .unit = "bytes",
    .def = {.num = 4096}, .has_default = true,
    .offset = FIELD(max_reply),
    .help = "the longest reply, its end included",
  },
  [TT_SET_REPLY_END] = {
    .key = "reply_end", .type = TT_STYPE_BYTES, .layers = FILE_ONLY,
    .min = 1, .max = TT_MAX_REPLY_END,
    .def = {.str = {"\n", 1}}, .has_default = true,
    .offset = FIELD(reply_end), .aux = FIELD(reply_end_len),
    .shown = ends_at_reply_end,
    .help = "where a reply ends",
  },
  [TT_SET_REPLY_BYTES] = {
    .key = "reply_bytes", .type = TT_STYPE_COUNT, .layers = FILE_ONLY,
    .min = 1, .max = TT_MAX_MAX_REPLY, .unit = "bytes",
    .offset = FIELD(reply_bytes), .shown = has_reply_bytes,
    .help = "replies of exactly this many bytes, for binary protocols",
  },
  [TT_SET_PATH] = {
    .key = "path", .type = TT_STYPE_PATH, .layers = FILE_ONLY,
    .min = 1, .max = TT_MAX_PATH,
    .def = {.str = {"/", 1}}, .has_default = true,
    .offset = FIELD(path), .shown = judges_http,
    .help = "the HTTP path asked for (presets that judge HTTP)",
  },
  [TT_SET_STATUS] = {
    .key = "status", .type = TT_STYPE_STATUS, .layers = FILE_ONLY,
    .min = TT_STATUS_MIN, .max = TT_STATUS_MAX,
    .def = {.status = {default_status, 1}}, .has_default = true,
    .offset = FIELD(status), .aux = FIELD(nstatus), .shown = judges_http,
    .help = "accepted HTTP statuses (presets that judge HTTP)",
  },
  [TT_SET_FAMILY] = {
    .key = "family", .type = TT_STYPE_ENUM, .layers = ALL,
    .shorthands = {{'4', TT_FAMILY_IPV4}, {'6', TT_FAMILY_IPV6}},
    .min = TT_FAMILY_AUTO, .max = TT_FAMILY_IPV6, .name_of = family_name,
    .def = {.num = TT_FAMILY_AUTO}, .has_default = true,
    .offset = FIELD(family),
    .help = "IPv4 or IPv6 addresses only",
  },
  [TT_SET_BACKOFF_INITIAL] = {
    .key = "backoff.initial", .type = TT_STYPE_DURATION, .layers = FILE_ONLY,
    .min = 1, .max = TT_DURATION_MAX_MS,
    .def = {.num = 500}, .has_default = true,
    .follows = TT_SET_BACKOFF_MAX,
    .offset = FIELD(backoff_initial_ms),
    .help = "the first wait before reconnecting a down target",
  },
  [TT_SET_BACKOFF_MAX] = {
    .key = "backoff.max", .type = TT_STYPE_DURATION, .layers = FILE_ONLY,
    .min = 1, .max = TT_DURATION_MAX_MS,
    .def = {.num = 30000}, .has_default = true, .follows = TT_SET_INTERVAL,
    .offset = FIELD(backoff_max_ms),
    .help = "the longest wait before reconnecting a down target",
  },
  [TT_SET_ADDRESSES] = {
    .key = "addresses", .type = TT_STYPE_ENUM, .layers = FILE_ONLY,
    .min = TT_ADDRESSES_ANY, .max = TT_ADDRESSES_ALL,
    .name_of = addresses_name,
    .def = {.num = TT_ADDRESSES_ANY}, .has_default = true,
    .offset = FIELD(addresses),
    .help = "any: the first address that answers; all: each a target",
  },
  [TT_SET_RESOLVE_EVERY] = {
    .key = "resolve_every", .type = TT_STYPE_DURATION, .layers = FILE_ONLY,
    .min = 1, .max = TT_DURATION_MAX_MS,
    .def = {.num = 30000}, .has_default = true,
    .offset = FIELD(resolve_every_ms), .shown = every_address,
    .help = "how often addresses: all looks the name up again",
  },
  [TT_SET_TLS] = {
    .key = "tls", .type = TT_STYPE_BOOL, .layers = FILE_ONLY,
    .def = {.num = 0}, .has_default = true,
    .offset = FIELD(tls),
    .help = "a TLS handshake after the TCP one; the probe runs inside",
  },
  [TT_SET_SERVER_NAME] = {
    .key = "server_name", .type = TT_STYPE_TEXT, .layers = FILE_ONLY,
    .min = 1, .max = TT_HOST_MAX,
    .offset = FIELD(server_name), .shown = over_tls,
    .help = "the name the certificate must carry (default: the host)",
  },
  [TT_SET_CA_FILE] = {
    .key = "ca_file", .type = TT_STYPE_TEXT, .layers = FILE_ONLY,
    .min = 1, .max = TT_MAX_TEXT,
    .offset = FIELD(ca_file), .shown = over_tls,
    .help = "CA certificates (PEM) to trust instead of the system's",
  },
  [TT_SET_INSECURE] = {
    .key = "insecure", .type = TT_STYPE_BOOL, .layers = FILE_ONLY,
    .def = {.num = 0}, .has_default = true,
    .offset = FIELD(insecure), .shown = over_tls,
    .help = "report the certificate, never judge it",
  },
  [TT_SET_CERT_WARN] = {
    .key = "cert_warn", .type = TT_STYPE_DURATION, .layers = FILE_ONLY,
    .min = 1, .max = TT_DURATION_LONGEST_MS,
    .def = {.num = 14ull * 24 * 3600 * 1000}, .has_default = true,
    .offset = FIELD(cert_warn_ms), .shown = over_tls,
    .help = "a certificate expiring sooner makes the target degraded",
  },
  [TT_SET_ON_CHANGE] = {
    .key = "on_change", .type = TT_STYPE_COMMAND,
    .layers = ALL | TT_OPTION_AS_DEFAULT, .option = "--on-change",
    .metavar = "CMD", .min = 1, .max = TT_MAX_COMMAND,
    .offset = FIELD(on_change), .shown = has_hook,
    .help = "/bin/sh -c CMD on every state change (as defaults:)",
  },
  [TT_SET_HOOK_TIMEOUT] = {
    .key = "hook_timeout", .type = TT_STYPE_DURATION, .layers = FILE_ONLY,
    .min = 1, .max = TT_DURATION_MAX_MS,
    .def = {.num = 10000}, .has_default = true,
    .offset = FIELD(hook_timeout_ms), .shown = has_hook,
    .help = "a hook still running after this is killed, its process group "
            "with it",
  },
  /* One value for the whole run: the limit is on every hook together. */
  [TT_SET_HOOK_LIMIT] = {
    .key = "hook_limit", .type = TT_STYPE_COUNT, .layers = TT_IN_DEFAULTS,
    .min = 1, .max = TT_MAX_HOOK_LIMIT,
    .def = {.num = 4}, .has_default = true,
    .offset = FIELD(hook_limit), .shown = has_hook,
    .help = "hooks that run at once; the others wait in a bounded queue",
  },
};

const tt_setting *tt_setting_get(tt_setting_id id) {
  return id < TT_SET_COUNT ? &table[id] : NULL;
}

tt_setting_id tt_setting_id_of(const tt_setting *s) {
  return (tt_setting_id)(s - table);
}

const tt_setting *tt_setting_find(const char *key, size_t len) {
  for (size_t i = 0; i < TT_SET_COUNT; i++)
    if (strlen(table[i].key) == len && memcmp(table[i].key, key, len) == 0)
      return &table[i];
  return NULL;
}

const char *tt_setting_enum_name(const tt_setting *s, uint64_t v) {
  return s->name_of((int)v);
}

void tt_target_defaults(tt_target *t) {
  memset(t, 0, sizeof *t);
  for (size_t i = 0; i < TT_SET_COUNT; i++) {
    const tt_setting *s = &table[i];
    void *at = (char *)t + s->offset;
    uint32_t u32 = (uint32_t)s->def.num;
    int e = (int)s->def.num;
    if (!s->has_default)
      continue;
    switch (s->type) {
    case TT_STYPE_DURATION: *(uint64_t *)at = s->def.num; break;
    case TT_STYPE_COUNT: memcpy(at, &u32, sizeof u32); break;
    case TT_STYPE_ENUM: memcpy(at, &e, sizeof e); break;
    case TT_STYPE_BOOL: *(bool *)at = s->def.num != 0; break;
    case TT_STYPE_BYTES:
      /* Borrowed from the table, never freed: see settings.h. */
      *(const char **)at = s->def.str.p;
      *(size_t *)((char *)t + s->aux) = s->def.str.len;
      break;
    default: break;
    }
  }
}
