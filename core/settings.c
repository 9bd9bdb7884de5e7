/* settings.c - the settings table, one row per key, and what reads it
 * generically: values from text, their bounds, their defaults, how a
 * resolved value reads, and which settings two targets differ in. */
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
    .help = "/bin/sh -c CMD at every state change (as in defaults:)",
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

static const char *enum_name(const tt_setting *s, uint64_t v) {
  return s->name_of((int)v);
}

/* "persistent or connect", "auto, ipv4 or ipv6" */
static void enum_names(const tt_setting *s, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (uint64_t v = s->min; v <= s->max && used < n; v++) {
    const char *sep = v == s->min ? "" : v == s->max ? " or " : ", ";
    int w = snprintf(buf + used, n - used, "%s%s", sep, enum_name(s, v));
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

/* "a whole number from 1 to 100", "a whole number of bytes from 1 to
 * 1048576" */
static void count_words(const tt_setting *s, char *buf, size_t n) {
  snprintf(buf, n, "a whole number %s%s%sfrom %llu to %llu",
           s->unit ? "of " : "", s->unit ? s->unit : "", s->unit ? " " : "",
           (unsigned long long)s->min, (unsigned long long)s->max);
}

/* "is longer than 64 KiB", "is longer than 16 bytes" */
static void too_long(const tt_setting *s, char *why, size_t n) {
  if (s->max >= 1024 && s->max % 1024 == 0)
    snprintf(why, n, "is longer than %llu KiB",
             (unsigned long long)(s->max / 1024));
  else
    snprintf(why, n, "is longer than %llu bytes",
             (unsigned long long)s->max);
}

void tt_setting_expected(const tt_setting *s, char *buf, size_t n) {
  char list[160];
  switch (s->type) {
  case TT_STYPE_NAME:
  case TT_STYPE_BYTES: snprintf(buf, n, "a string"); return;
  case TT_STYPE_ADDRESS: snprintf(buf, n, "host:port"); return;
  case TT_STYPE_HOST: snprintf(buf, n, "a host name or IP address"); return;
  case TT_STYPE_PORT: snprintf(buf, n, "a port from 1 to 65535"); return;
  case TT_STYPE_TAGS:
    snprintf(buf, n, "a list of strings such as [cache, prod]");
    return;
  case TT_STYPE_PRESET:
    tt_preset_names(list, sizeof(list));
    snprintf(buf, n, "a preset name (%s)", list);
    return;
  case TT_STYPE_ENUM: enum_names(s, buf, n); return;
  case TT_STYPE_DURATION:
    snprintf(buf, n, "a duration such as 250ms, 2s or 1m");
    return;
  case TT_STYPE_COUNT: count_words(s, buf, n); return;
  case TT_STYPE_REGEX: snprintf(buf, n, "a regular expression"); return;
  case TT_STYPE_PATH: snprintf(buf, n, "a path such as /health"); return;
  case TT_STYPE_BOOL: snprintf(buf, n, "true or false"); return;
  case TT_STYPE_TEXT: snprintf(buf, n, "a string"); return;
  case TT_STYPE_COMMAND:
    snprintf(buf, n, "a shell command (a string)");
    return;
  case TT_STYPE_STATUS:
    snprintf(buf, n, "an HTTP status from %d to %d, a range such as "
                     "\"200-399\", or a list of them",
             TT_STATUS_MIN, TT_STATUS_MAX);
    return;
  }
  snprintf(buf, n, "a value");
}

/* Reads a decimal whole number, digits only, without overflowing. */
static int read_number(const char *s, size_t len, uint64_t limit,
                       uint64_t *out) {
  uint64_t v = 0;
  if (len == 0)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    if (v <= limit)
      v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return 0;
}

/* An HTTP path as it goes into a request line: it starts with "/" and
 * holds only visible ASCII, so that nothing can end the line early. */
static const char *path_problem(const tt_setting *s, const char *p,
                                size_t len) {
  if (len == 0)
    return "is empty";
  if (len > s->max)
    return "is longer than 1024 bytes";
  if (p[0] != '/')
    return "must start with /";
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
      return "must hold only visible ASCII characters (percent-encode the "
             "rest, as in /a%20b)";
  return NULL;
}

/* Plain text: no controls, nothing bidirectional or invisible. */
static const char *text_problem(const tt_setting *s, const char *p,
                                size_t len, char *buf, size_t n) {
  uint32_t cp;
  char what[64];
  if (len < s->min)
    return "is empty";
  if (len > s->max) {
    snprintf(buf, n, "is longer than %llu bytes", (unsigned long long)s->max);
    return buf;
  }
  if (memchr(p, '\0', len) != NULL)
    return "must not contain a NUL byte";
  if (tt_text_check(p, len, &cp) < len) {
    snprintf(buf, n, "must not contain %s",
             tt_char_describe(cp, what, sizeof(what)));
    return buf;
  }
  return NULL;
}

int tt_setting_check(const tt_setting *s, const tt_setting_value *v, char *why,
                     size_t n) {
  char words[160];
  const char *problem = NULL;

  switch (s->type) {
  case TT_STYPE_DURATION:
    if (v->num == 0) {
      problem = "must be greater than 0";
    } else if (v->num > s->max) {
      tt_duration_format(s->max, words, sizeof(words));
      snprintf(why, n, "is longer than %s", words);
      return -1;
    }
    break;
  case TT_STYPE_BOOL:
    if (v->num > 1)
      problem = "must be true or false";
    break;
  case TT_STYPE_TEXT:
    problem = v->str.p ? text_problem(s, v->str.p, v->str.len, words,
                                      sizeof(words))
                       : "is empty";
    break;
  case TT_STYPE_COUNT:
  case TT_STYPE_ENUM:
    if (v->num < s->min || v->num > s->max) {
      if (s->type == TT_STYPE_COUNT)
        count_words(s, words, sizeof(words));
      else
        enum_names(s, words, sizeof(words));
      snprintf(why, n, "must be %s", words);
      return -1;
    }
    break;
  case TT_STYPE_BYTES:
    if (v->str.p == NULL || v->str.len < s->min) {
      problem = "is empty";
    } else if (v->str.len > s->max) {
      too_long(s, why, n);
      return -1;
    }
    break;
  case TT_STYPE_REGEX: {
    tt_pattern p;
    if (v->str.p == NULL) {
      problem = "is empty";
      break;
    }
    /* The one judge of what a pattern may be is the pattern module. */
    if (tt_pattern_compile(&p, v->str.p, why, n) != 0)
      return -1;
    tt_pattern_free(&p);
    break;
  }
  case TT_STYPE_PRESET:
    if (v->preset == NULL)
      problem = "is not a preset";
    break;
  case TT_STYPE_PATH:
    problem = v->str.p ? path_problem(s, v->str.p, v->str.len) : "is empty";
    break;
  case TT_STYPE_COMMAND:
    /* The shell gets it as one argument: any text but a NUL byte. */
    if (v->str.p == NULL || v->str.len < s->min)
      problem = "is empty";
    else if (memchr(v->str.p, '\0', v->str.len) != NULL)
      problem = "must not contain a NUL byte";
    else if (v->str.len > s->max) {
      too_long(s, why, n);
      return -1;
    }
    break;
  case TT_STYPE_STATUS:
    if (v->status.n == 0)
      problem = "is empty";
    for (size_t i = 0; i < v->status.n && problem == NULL; i++)
      if (v->status.v[i].lo < s->min || v->status.v[i].hi > s->max ||
          v->status.v[i].lo > v->status.v[i].hi)
        problem = "must hold HTTP statuses from 100 to 599";
    break;
  default:
    break;
  }
  if (problem != NULL) {
    snprintf(why, n, "%s", problem);
    return -1;
  }
  return 0;
}

int tt_setting_read(const tt_setting *s, const char *text, size_t len,
                    tt_setting_value *out, char *why, size_t n) {
  char words[160];
  const char *problem;
  tt_setting_value v;

  memset(&v, 0, sizeof(v));
  switch (s->type) {
  case TT_STYPE_DURATION:
    if (tt_duration_parse_max(text, s->max, &v.num, &problem) != 0) {
      if (strcmp(problem, "is too long") == 0) {
        tt_duration_format(s->max, words, sizeof(words));
        snprintf(why, n, "is longer than %s", words);
      } else {
        snprintf(why, n, "%s", problem);
      }
      return -1;
    }
    break;
  case TT_STYPE_BOOL:
    if (len == 4 && memcmp(text, "true", 4) == 0) {
      v.num = 1;
    } else if (len == 5 && memcmp(text, "false", 5) == 0) {
      v.num = 0;
    } else {
      snprintf(why, n, "must be true or false");
      return -1;
    }
    break;
  case TT_STYPE_COUNT:
    if (read_number(text, len, s->max, &v.num) != 0 || v.num < s->min ||
        v.num > s->max) {
      count_words(s, words, sizeof(words));
      snprintf(why, n, "must be %s", words);
      return -1;
    }
    break;
  case TT_STYPE_ENUM:
    v.num = s->max + 1;
    for (uint64_t e = s->min; e <= s->max; e++)
      if (strlen(enum_name(s, e)) == len &&
          memcmp(enum_name(s, e), text, len) == 0)
        v.num = e;
    break;
  case TT_STYPE_PRESET: {
    char name[64];
    if (len < sizeof(name) && memchr(text, '\0', len) == NULL) {
      memcpy(name, text, len);
      name[len] = '\0';
      v.preset = tt_preset_find(name);
    }
    if (v.preset == NULL) {
      tt_unknown_preset(text, len, why, n);
      return -1;
    }
    break;
  }
  case TT_STYPE_BYTES:
  case TT_STYPE_REGEX:
  case TT_STYPE_PATH:
  case TT_STYPE_TEXT:
  case TT_STYPE_COMMAND:
    v.str.p = text;
    v.str.len = len;
    break;
  default:
    snprintf(why, n, "cannot be read from text");
    return -1;
  }
  if (tt_setting_check(s, &v, why, n) != 0)
    return -1;
  *out = v;
  return 0;
}

int tt_status_read(const char *text, tt_status_range *out, const char **why) {
  const char *dash = strchr(text, '-');
  size_t len = strlen(text);
  uint64_t lo, hi;

  if (dash == NULL) {
    if (read_number(text, len, TT_STATUS_MAX, &lo) != 0)
      goto bad;
    hi = lo;
  } else if (read_number(text, (size_t)(dash - text), TT_STATUS_MAX, &lo) !=
                 0 ||
             read_number(dash + 1, len - (size_t)(dash - text) - 1,
                         TT_STATUS_MAX, &hi) != 0) {
    goto bad;
  }
  if (lo < TT_STATUS_MIN || hi > TT_STATUS_MAX || lo > TT_STATUS_MAX) {
    *why = "must be HTTP statuses from 100 to 599";
    return -1;
  }
  if (lo > hi) {
    *why = "is a range that ends before it starts";
    return -1;
  }
  out->lo = (uint16_t)lo;
  out->hi = (uint16_t)hi;
  return 0;
bad:
  *why = "must be an HTTP status such as 200, or a range such as 200-399";
  return -1;
}

/* ---- reading resolved values ---- */

static const void *field(const tt_target *t, size_t off) {
  return (const char *)t + off;
}

static uint64_t number_of(const tt_setting *s, const tt_target *t) {
  uint32_t u32;
  uint16_t u16;
  int e;
  switch (s->type) {
  case TT_STYPE_DURATION: return *(const uint64_t *)field(t, s->offset);
  case TT_STYPE_COUNT:
    memcpy(&u32, field(t, s->offset), sizeof(u32));
    return u32;
  case TT_STYPE_PORT:
    memcpy(&u16, field(t, s->offset), sizeof(u16));
    return u16;
  case TT_STYPE_ENUM:
    memcpy(&e, field(t, s->offset), sizeof(e));
    return (uint64_t)e;
  case TT_STYPE_BOOL: return *(const bool *)field(t, s->offset);
  default: return 0;
  }
}

static const char *string_of(const tt_setting *s, const tt_target *t) {
  return *(const char *const *)field(t, s->offset);
}

static size_t length_of(const tt_setting *s, const tt_target *t) {
  const char *p = string_of(s, t);
  if (s->aux != 0 && s->type == TT_STYPE_BYTES)
    return *(const size_t *)field(t, s->aux);
  return p ? strlen(p) : 0;
}

static void format_status(const tt_status_range *v, size_t nv, char *buf,
                          size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nv && used < n; i++) {
    int w;
    if (v[i].lo == v[i].hi)
      w = snprintf(buf + used, n - used, "%s%u", i ? ", " : "",
                   (unsigned)v[i].lo);
    else
      w = snprintf(buf + used, n - used, "%s%u-%u", i ? ", " : "",
                   (unsigned)v[i].lo, (unsigned)v[i].hi);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

static void format_quoted(const char *p, size_t len, int flags, char *buf,
                          size_t n) {
  char esc[512];
  tt_escape(esc, sizeof(esc), p, len, flags);
  snprintf(buf, n, "\"%s\"", esc);
}

void tt_setting_default_text(const tt_setting *s, char *buf, size_t n) {
  if (!s->has_default) {
    snprintf(buf, n, "none");
    return;
  }
  switch (s->type) {
  case TT_STYPE_DURATION: tt_duration_format(s->def.num, buf, n); return;
  case TT_STYPE_COUNT:
    snprintf(buf, n, "%llu", (unsigned long long)s->def.num);
    return;
  case TT_STYPE_ENUM: snprintf(buf, n, "%s", enum_name(s, s->def.num)); return;
  case TT_STYPE_BYTES:
    format_quoted(s->def.str.p, s->def.str.len, 0, buf, n);
    return;
  case TT_STYPE_PATH: snprintf(buf, n, "%s", s->def.str.p); return;
  case TT_STYPE_STATUS:
    format_status(s->def.status.v, s->def.status.n, buf, n);
    return;
  case TT_STYPE_BOOL:
    snprintf(buf, n, "%s", s->def.num ? "true" : "false");
    return;
  default: snprintf(buf, n, "none"); return;
  }
}

void tt_setting_format(const tt_setting *s, const tt_target *t,
                       int esc_flags, char *buf, size_t n) {
  const char *p;
  uint64_t num;

  switch (s->type) {
  case TT_STYPE_NAME:
  case TT_STYPE_ADDRESS:
  case TT_STYPE_HOST:
  case TT_STYPE_PATH:
  case TT_STYPE_TEXT:
    p = string_of(s, t);
    if (p == NULL)
      snprintf(buf, n, "-");
    else
      tt_escape(buf, n, p, strlen(p), esc_flags);
    return;
  case TT_STYPE_TAGS: {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->ntags && used + 3 < n; i++) {
      if (i > 0) {
        memcpy(buf + used, ", ", 3);
        used += 2;
      }
      used += tt_escape(buf + used, n - used, t->tags[i],
                        strlen(t->tags[i]), esc_flags);
    }
    return;
  }
  case TT_STYPE_PRESET:
    snprintf(buf, n, "%s", t->preset ? t->preset->name : "-");
    return;
  case TT_STYPE_ENUM:
    snprintf(buf, n, "%s", enum_name(s, number_of(s, t)));
    return;
  case TT_STYPE_BOOL:
    snprintf(buf, n, "%s", number_of(s, t) ? "true" : "false");
    return;
  case TT_STYPE_DURATION:
  case TT_STYPE_COUNT:
  case TT_STYPE_PORT:
    num = number_of(s, t);
    if (num == 0)
      snprintf(buf, n, "none");
    else if (s->type == TT_STYPE_DURATION)
      tt_duration_format(num, buf, n);
    else
      snprintf(buf, n, "%llu%s%s", (unsigned long long)num,
               s->unit ? " " : "", s->unit ? s->unit : "");
    return;
  case TT_STYPE_BYTES:
  case TT_STYPE_REGEX:
  case TT_STYPE_COMMAND:
    p = string_of(s, t);
    if (p == NULL)
      snprintf(buf, n, "-");
    else
      format_quoted(p, length_of(s, t),
                    esc_flags | (s->type != TT_STYPE_BYTES
                                     ? TT_ESC_KEEP_BACKSLASH
                                     : 0),
                    buf, n);
    return;
  case TT_STYPE_STATUS:
    if (t->status == NULL)
      snprintf(buf, n, "-");
    else
      format_status(t->status, t->nstatus, buf, n);
    return;
  }
}

bool tt_setting_followed(const tt_setting *s, const tt_target *t) {
  return (t->followed & TT_BIT(tt_setting_id_of(s))) != 0;
}

/* ---- reload's diff ---- */

static bool same_bytes(const char *a, size_t alen, const char *b,
                       size_t blen) {
  if (a == NULL || b == NULL)
    return a == b;
  return alen == blen && memcmp(a, b, alen) == 0;
}

static bool same_value(const tt_setting *s, const tt_target *a,
                       const tt_target *b) {
  switch (s->type) {
  case TT_STYPE_NAME:
  case TT_STYPE_HOST:
  case TT_STYPE_PORT:
    return true; /* the name pairs them; host and port are the address */
  case TT_STYPE_TAGS:
    if (a->ntags != b->ntags)
      return false;
    for (size_t i = 0; i < a->ntags; i++)
      if (strcmp(a->tags[i], b->tags[i]) != 0)
        return false;
    return true;
  case TT_STYPE_PRESET: return a->preset == b->preset;
  case TT_STYPE_ENUM:
  case TT_STYPE_BOOL:
  case TT_STYPE_DURATION:
  case TT_STYPE_COUNT: return number_of(s, a) == number_of(s, b);
  case TT_STYPE_ADDRESS:
  case TT_STYPE_PATH:
  case TT_STYPE_TEXT:
  case TT_STYPE_BYTES:
  case TT_STYPE_REGEX:
  case TT_STYPE_COMMAND:
    return same_bytes(string_of(s, a), length_of(s, a), string_of(s, b),
                      length_of(s, b));
  case TT_STYPE_STATUS:
    if (a->status == NULL || b->status == NULL)
      return a->status == b->status;
    return a->nstatus == b->nstatus &&
           memcmp(a->status, b->status, a->nstatus * sizeof(*a->status)) == 0;
  }
  return true;
}

uint32_t tt_target_diff(const tt_target *a, const tt_target *b) {
  uint32_t mask = 0;
  for (size_t i = 0; i < TT_SET_COUNT; i++)
    if (!same_value(&table[i], a, b))
      mask |= TT_BIT(i);
  return mask;
}

const char *tt_setting_list(uint32_t mask, char *buf, size_t n) {
  size_t used = 0;
  if (n == 0)
    return buf;
  buf[0] = '\0';
  for (size_t i = 0; i < TT_SET_COUNT && used < n; i++) {
    int w;
    if (!(mask & TT_BIT(i)))
      continue;
    w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
                 table[i].key);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  return buf;
}
