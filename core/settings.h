/* settings.h - every key of a target described once: its YAML key and
 * command-line option, type, bounds, default, where it may be set and its
 * help. Loading, layering, --check, --help and reload's diff read it. */
#ifndef TETHER_SETTINGS_H
#define TETHER_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duration.h"
#include "preset.h"
#include "tether.h"

/* Bounds, so that no configuration can make a session unbounded. */
#define TT_MAX_MISS_THRESHOLD 100
#define TT_MAX_MAX_REPLY (1u << 20)              /* 1 MiB */
#define TT_MAX_REPLY_END 16                      /* bytes */
#define TT_MAX_SEND (64u * 1024)                 /* bytes */
#define TT_MAX_NAME 100                          /* bytes */
#define TT_MAX_TAG 64                            /* bytes */
#define TT_MAX_PATH 1024                         /* bytes */
#define TT_MAX_STATUS 32                         /* codes and ranges */
#define TT_MAX_TEXT 1024                         /* bytes of a text value */
#define TT_MAX_COMMAND 4096                      /* bytes of an on_change */
#define TT_MAX_HOOK_LIMIT 64                     /* hooks running at once */

/* One id per row of the table, in its order: the order of --check's
 * listing and of the keys a message lists. name comes first: no setting
 * ever follows it, so a "follows" of 0 means none. */
typedef enum tt_setting_id {
  TT_SET_NAME = 0,
  TT_SET_ADDRESS,
  TT_SET_HOST,
  TT_SET_PORT,
  TT_SET_TAGS,
  TT_SET_PRESET,
  TT_SET_MODE,
  TT_SET_SEND,
  TT_SET_EXPECT,
  TT_SET_INTERVAL,
  TT_SET_TIMEOUT,
  TT_SET_CONNECT_TIMEOUT,
  TT_SET_MISS_THRESHOLD,
  TT_SET_RTT_WARN,
  TT_SET_MAX_REPLY,
  TT_SET_REPLY_END,
  TT_SET_REPLY_BYTES,
  TT_SET_PATH,
  TT_SET_STATUS,
  TT_SET_FAMILY,
  TT_SET_BACKOFF_INITIAL,
  TT_SET_BACKOFF_MAX,
  TT_SET_ADDRESSES,
  TT_SET_RESOLVE_EVERY,
  TT_SET_TLS,
  TT_SET_SERVER_NAME,
  TT_SET_CA_FILE,
  TT_SET_INSECURE,
  TT_SET_CERT_WARN,
  TT_SET_ON_CHANGE,
  TT_SET_HOOK_TIMEOUT,
  TT_SET_HOOK_LIMIT,
  TT_SET_COUNT
} tt_setting_id;

#define TT_BIT(id) (1u << (id))

/* How a value is written and where it lands in a tt_target. */
typedef enum tt_stype {
  TT_STYPE_NAME,     /* char *: 1 to TT_MAX_NAME bytes of plain text */
  TT_STYPE_ADDRESS,  /* char *: host:port or [v6]:port */
  TT_STYPE_HOST,     /* char *: a name or an IP literal */
  TT_STYPE_PORT,     /* uint16_t: 1 to 65535 */
  TT_STYPE_TAGS,     /* char ** and a count: labels of plain text */
  TT_STYPE_PRESET,   /* const tt_preset * */
  TT_STYPE_ENUM,     /* an int-sized enum, one of the row's names */
  TT_STYPE_DURATION, /* uint64_t milliseconds, with a unit: 250ms, 2s */
  TT_STYPE_COUNT,    /* uint32_t, a whole number within bounds */
  TT_STYPE_BYTES,    /* char * and a size_t length: any byte, NUL too;
                        YAML's !!binary (base64) is allowed */
  TT_STYPE_REGEX,    /* const char * and its const tt_pattern * */
  TT_STYPE_PATH,     /* char *: an HTTP path */
  TT_STYPE_STATUS,   /* tt_status_range * and a size_t count */
  TT_STYPE_BOOL,     /* bool: true or false */
  TT_STYPE_TEXT,     /* char *: plain text, 1 to max bytes */
  TT_STYPE_COMMAND   /* char *: a shell command, text without NUL, taken
                        as it is written (no escapes are read in it) */
} tt_stype;

/* Where a setting may be given. The built-in default is always there. */
enum {
  TT_IN_DEFAULTS = 1u << 0, /* the file's defaults: */
  TT_IN_TARGET = 1u << 1,   /* a target in the file */
  TT_IN_OPTIONS = 1u << 2,  /* a command-line option */
  /* Its option stands for the file's defaults: (it replaces what they
   * say), so that a target's own value still wins: --on-change. */
  TT_OPTION_AS_DEFAULT = 1u << 3,
};

/* Accepted HTTP status codes: an inclusive range. */
typedef struct tt_status_range {
  uint16_t lo, hi;
} tt_status_range;

#define TT_STATUS_MIN 100
#define TT_STATUS_MAX 599

/* One value of one setting in a layer. Strings are borrowed. */
typedef union tt_setting_value {
  uint64_t num;              /* durations (ms), counts, enums */
  struct {
    const char *p;
    size_t len;
  } str;                     /* bytes, regex sources, paths, commands */
  const tt_preset *preset;
  struct {
    const tt_status_range *v;
    size_t n;
  } status;
} tt_setting_value;

/* One layer of settings, as the command line gives them: has says which
 * values are set (TT_BIT(id)). */
typedef struct tt_settings {
  uint32_t has;
  tt_setting_value v[TT_SET_COUNT];
} tt_settings;

/* A command-line option that sets an enum to one value: -4, -6. */
typedef struct tt_shorthand {
  char opt;
  int value;
} tt_shorthand;

struct tt_target;

typedef struct tt_setting {
  const char *key;           /* YAML key; "backoff.max" is max: in backoff: */
  tt_stype type;
  unsigned layers;           /* TT_IN_* */
  const char *option;        /* "--rtt-warn", or NULL */
  char short_opt;            /* 'i', or 0 */
  const char *metavar;       /* the option's value in --help: "D", "N" */
  tt_shorthand shorthands[2];/* options that set a value: -4, -6 */
  uint64_t min, max;         /* numbers; lengths of bytes and text */
  const char *unit;          /* counts: "bytes", or NULL */
  const char *(*name_of)(int value); /* enums: each value's name */
  tt_setting_value def;              /* the built-in default */
  bool has_default;          /* def means something ("none" otherwise) */
  /* When no layer sets this setting, its value is at most the resolved
   * value of this one (0: it follows none). */
  tt_setting_id follows;
  size_t offset;             /* the resolved value in tt_target */
  size_t aux;                /* lengths, counts and compiled patterns */
  /* Whether --check and the detail view show it for a target (NULL:
   * always). */
  bool (*shown)(const struct tt_target *t);
  const char *help;          /* one line: --help, the man page's index */
} tt_setting;

/* The table, TT_SET_COUNT rows in tt_setting_id order. */
const tt_setting *tt_setting_get(tt_setting_id id);
/* An enum row's name for value v. */
const char *tt_setting_enum_name(const tt_setting *s, uint64_t v);

/* The row whose key is key[0..len), or NULL. */
const tt_setting *tt_setting_find(const char *key, size_t len);

/* The id of a row of the table. */
tt_setting_id tt_setting_id_of(const tt_setting *s);

/* What a value of s looks like, for "expected X, found Y" and for a value
 * that is refused: "a duration such as 250ms, 2s or 1m". */
void tt_setting_expected(const tt_setting *s, char *buf, size_t n);

/* Reads text[0..len) as a value of s (any type but NAME, ADDRESS, HOST,
 * PORT, TAGS and STATUS, which the loader reads itself). Strings are
 * borrowed from text. Returns 0, or -1 with why set to words that follow
 * "KEY 'VALUE' " or "--option: ", such as "needs a unit: 250ms, 2s, 1m"
 * (for a preset, the whole message). */
int tt_setting_read(const tt_setting *s, const char *text, size_t len,
                    tt_setting_value *out, char *why, size_t n);

/* Checks a value already read (one given through the API): the bounds of
 * tt_setting_read. Returns 0, or -1 with why set. */
int tt_setting_check(const tt_setting *s, const tt_setting_value *v, char *why,
                     size_t n);

/* Reads one HTTP status or range ("200", "301-308"). Returns 0, or -1 with
 * why set. */
int tt_status_read(const char *text, tt_status_range *out, const char **why);

/* The default as people write it ("1s", "\"\\n\"", "200-399"), or "none". */
void tt_setting_default_text(const tt_setting *s, char *buf, size_t n);

/* The resolved value of s in t as text ("1s", "\"PING\\r\\n\"", "-"),
 * escaped with tt_escape's flags. */
void tt_setting_format(const tt_setting *s, const struct tt_target *t,
                       int esc_flags, char *buf, size_t n);

/* Whether t's value of s was not set by anyone and followed another
 * setting's value ("timeout 200ms (follows interval)"). */
bool tt_setting_followed(const tt_setting *s, const struct tt_target *t);

/* The settings in which two resolved targets differ, as TT_BIT(id): what
 * a reload must apply. The name is what pairs them, so it is never in the
 * answer; host and port are part of the address. */
uint32_t tt_target_diff(const struct tt_target *a,
                        const struct tt_target *b);

/* Fills t with the built-in default of every setting that has one and
 * nothing else (no name, no address): the settings of a target known only
 * from a log. Its byte strings (reply_end) are borrowed from the table:
 * such a target is never given to tt_config_free. */
void tt_target_defaults(struct tt_target *t);

/* The keys of the settings in mask, "interval, timeout"; returns buf. */
const char *tt_setting_list(uint32_t mask, char *buf, size_t n);

#endif
