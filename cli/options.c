/* options.c - getopt_long over PRODUCT.md's command line; every mistake
 * gets a message that says what would be right. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "escape.h"
#include "metrics_server.h"
#include "options.h"
#include "preset.h"

#define MIN_REFRESH_MS 100 /* the dashboard redraws at most 10 times a second */

/* Prints an option's line of --help: its names at the left, padded to
 * the column where the help starts. */
static void help_line(FILE *f, const char *names, const char *help) {
  fprintf(f, "  %-25s%s\n", names, help);
}

/* The settings' options, from the settings table. */
static void usage_settings(FILE *f) {
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *s = tt_setting_get((tt_setting_id)id);
    char names[64], help[160], def[32];
    if (!(s->layers & TT_IN_OPTIONS))
      continue;
    if (s->shorthands[0].opt != 0)
      snprintf(names, sizeof(names), "-%c, -%c", s->shorthands[0].opt,
               s->shorthands[1].opt);
    else if (s->short_opt != 0)
      snprintf(names, sizeof(names), "-%c, %s %s", s->short_opt, s->option,
               s->metavar);
    else
      snprintf(names, sizeof(names), "    %s %s", s->option, s->metavar);
    tt_setting_default_text(s, def, sizeof(def));
    if (s->has_default &&
        (s->type == TT_STYPE_DURATION || s->type == TT_STYPE_COUNT))
      snprintf(help, sizeof(help), "%s (default %s%s%s)", s->help, def,
               s->follows ? ", at most the " : "",
               s->follows ? tt_setting_get(s->follows)->key : "");
    else
      snprintf(help, sizeof(help), "%s", s->help);
    help_line(f, names, help);
  }
}

/* "Presets: tcp, echo, ..." wrapped at 78 columns. */
static void usage_presets(FILE *f) {
  size_t n, col;
  const tt_preset *all = tt_preset_all(&n);
  fputs("Presets:", f);
  col = 8;
  for (size_t i = 0; i < n; i++) {
    size_t w = strlen(all[i].name) + 2;
    if (col + w > 78) {
      fputs("\n        ", f);
      col = 8;
    }
    fprintf(f, " %s%s", all[i].name, i + 1 < n ? "," : ".");
    col += w;
  }
  fputc('\n', f);
}

static void usage(FILE *f) {
  fputs(
    "Usage: tether [OPTIONS] [FILE.yaml] [TARGET ...]\n"
    "       tether --demo\n"
    "       tether --check FILE.yaml\n"
    "       tether --replay FILE [--at TIME]\n"
    "Watch many TCP services live: heartbeats with deadlines, RTT, and why\n"
    "each failure happened. TARGET is [NAME=][PRESET://]HOST:PORT.\n"
    "\n"
    "Output:\n"
    "      --plain              a line per result and state change, summary at exit\n"
    "      --json               one JSON event per line, summaries at exit\n"
    "      --dashboard          the dashboard even for one target or with -c\n"
    "      --summary all|wide   exit summary of every target / every statistic\n"
    "      --log FILE           also append the JSON events to FILE\n"
    "      --refresh D          dashboard redraw period (default 100ms)\n"
    "      --no-color           monochrome dashboard (also when NO_COLOR is set)\n"
    "      --metrics [ADDR:]PORT  also serve Prometheus /metrics (ADDR 127.0.0.1)\n"
    "\n"
    "Run:\n"
    "  -c, --count N            stop after N heartbeats per target\n"
    "  -d, --duration D         stop after D (30s, 5m)\n"
    "      --until up|down      exit 0 once all are up / one is down (else 1)\n"
    "      --check              validate the config, list the targets, exit\n"
    "      --demo               watch built-in misbehaving servers on loopback\n"
    "      --replay FILE        the dashboard on a recorded --log file (gzip too)\n"
    "      --at TIME            from TIME (03:12, RFC 3339); --plain: each at TIME\n"
    "  -h, --help / -V, --version  this help / the version\n"
    "\n"
    "Probes (override every target's settings):\n",
    f);
  usage_settings(f);
  fputs("\n", f);
  usage_presets(f);
  fputs(
    "Exit status: 0 all targets up at exit, 1 some not up, 2 bad usage or\n"
    "config, 3 runtime failure. See tether(1) and tether.yaml(5).\n"
    "\n"
    "Examples:\n"
    "  tether --demo\n"
    "  tether db1:5432 cache=redis://10.0.0.7:6379 '[::1]:8080'\n"
    "  tether -c 5 --plain api.example.com:443\n"
    "  tether --json --duration 10m services.yaml > events.jsonl\n"
    "  tether --check services.yaml\n",
    f);
}

/* An argument as it may be echoed on stderr: escaped, so that nobody's
 * terminal obeys what was typed (or pasted). */
static const char *shown(const char *arg, char *buf, size_t n) {
  tt_escape(buf, n, arg, strlen(arg), 0);
  return buf;
}

static int bad(const char *opt, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Prints "tether: OPT: what is wrong" and a pointer to --help; returns the
 * usage exit status. */
static int bad(const char *opt, const char *fmt, ...) {
  va_list ap;
  char o[160];
  fprintf(stderr, "tether: %s: ", shown(opt, o, sizeof(o)));
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nTry 'tether --help'.\n", stderr);
  return 2;
}

static int duration_arg(const char *opt, const char *arg, uint64_t *ms) {
  const char *why;
  char v[160];
  if (tt_duration_parse(arg, ms, &why) != 0)
    return bad(opt, "%s", why);
  if (*ms == 0)
    return bad(opt, "must be more than 0, not '%s'", shown(arg, v, sizeof(v)));
  return 0;
}

static int number_arg(const char *opt, const char *arg, uint64_t max,
                      uint64_t *out) {
  char *end, v[160];
  errno = 0;
  if (arg[0] < '0' || arg[0] > '9')
    return bad(opt, "needs a positive whole number, not '%s'",
               shown(arg, v, sizeof(v)));
  unsigned long long n = strtoull(arg, &end, 10);
  if (errno != 0 || *end != '\0' || n == 0 || n > max)
    return bad(opt, "needs a positive whole number in range, not '%s'",
               shown(arg, v, sizeof(v)));
  *out = n;
  return 0;
}

/* Reads the value of a setting's option into the overrides, with the
 * table's reading and bounds: the same words as for the file. */
static int setting_arg(tt_options *o, tt_setting_id id, const char *arg) {
  const tt_setting *s = tt_setting_get(id);
  const char *text = arg, *why;
  size_t len = strlen(arg);
  char words[320], v[160];

  if (s->type == TT_STYPE_BYTES) {
    long n;
    free(o->bytes[id]);
    if ((o->bytes[id] = strdup(arg)) == NULL)
      return bad(s->option, "%s", "out of memory");
    if ((n = tt_unescape(o->bytes[id], &why)) < 0)
      return bad(s->option, "%s", why);
    text = o->bytes[id];
    len = (size_t)n;
  }
  if (tt_setting_read(s, text, len, &o->overrides.v[id], words,
                      sizeof(words)) != 0) {
    if (s->type == TT_STYPE_COUNT || s->type == TT_STYPE_ENUM)
      return bad(s->option, "%s, not '%s'", words, shown(arg, v, sizeof(v)));
    return bad(s->option, "%s", words);
  }
  o->overrides.has |= TT_BIT(id);
  return 0;
}

static bool is_config_file(const char *arg) {
  size_t n = strlen(arg);
  return (n > 5 && strcmp(arg + n - 5, ".yaml") == 0) ||
         (n > 4 && strcmp(arg + n - 4, ".yml") == 0);
}

enum {
  OPT_PLAIN = 256, OPT_JSON, OPT_LOG, OPT_CHECK, OPT_DEMO, OPT_REFRESH,
  OPT_NO_COLOR, OPT_METRICS, OPT_UNTIL, OPT_DASHBOARD, OPT_SUMMARY,
  OPT_REPLAY, OPT_AT, OPT_SETTING = 512 /* + the setting's id */
};

/* The options of the run; the settings' options follow from the table. */
static const struct option run_options[] = {
  { "plain", no_argument, NULL, OPT_PLAIN },
  { "json", no_argument, NULL, OPT_JSON },
  { "dashboard", no_argument, NULL, OPT_DASHBOARD },
  { "summary", required_argument, NULL, OPT_SUMMARY },
  { "log", required_argument, NULL, OPT_LOG },
  { "count", required_argument, NULL, 'c' },
  { "duration", required_argument, NULL, 'd' },
  { "check", no_argument, NULL, OPT_CHECK },
  { "demo", no_argument, NULL, OPT_DEMO },
  { "refresh", required_argument, NULL, OPT_REFRESH },
  { "no-color", no_argument, NULL, OPT_NO_COLOR },
  { "metrics", required_argument, NULL, OPT_METRICS },
  { "until", required_argument, NULL, OPT_UNTIL },
  { "replay", required_argument, NULL, OPT_REPLAY },
  { "at", required_argument, NULL, OPT_AT },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'V' },
};
#define NRUN (sizeof(run_options) / sizeof(run_options[0]))

/* getopt_long's tables: the run's options and the table's. */
typedef struct optspec {
  struct option longopts[NRUN + TT_SET_COUNT + 1];
  char shortopts[64];
} optspec;

static void build_options(optspec *spec) {
  size_t n = NRUN, k;
  memcpy(spec->longopts, run_options, sizeof(run_options));
  k = (size_t)snprintf(spec->shortopts, sizeof(spec->shortopts), ":c:d:hV");
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *s = tt_setting_get((tt_setting_id)id);
    if (!(s->layers & TT_IN_OPTIONS))
      continue;
    if (s->option != NULL)
      spec->longopts[n++] = (struct option){
          s->option + 2, required_argument, NULL,
          s->short_opt ? s->short_opt : OPT_SETTING + id};
    if (s->short_opt != 0 && k + 2 < sizeof(spec->shortopts)) {
      spec->shortopts[k++] = s->short_opt;
      spec->shortopts[k++] = ':';
    }
    for (size_t i = 0; i < 2; i++)
      if (s->shorthands[i].opt != 0 && k + 1 < sizeof(spec->shortopts))
        spec->shortopts[k++] = s->shorthands[i].opt;
  }
  spec->shortopts[k] = '\0';
  memset(&spec->longopts[n], 0, sizeof(spec->longopts[n]));
}

/* The setting a short option stands for: its own option, or a shorthand
 * that sets one value (*value, else -1). Returns -1 when none. */
static int setting_of_short(int c, int *value) {
  *value = -1;
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *s = tt_setting_get((tt_setting_id)id);
    if (!(s->layers & TT_IN_OPTIONS))
      continue;
    if (s->short_opt == c)
      return id;
    for (size_t i = 0; i < 2; i++) {
      if (s->shorthands[i].opt != 0 && s->shorthands[i].opt == c) {
        *value = s->shorthands[i].value;
        return id;
      }
    }
  }
  return -1;
}

/* --replay reads a log and watches nothing: what would start a run has
 * no place beside it. */
static int replay_only(const tt_options *o) {
  const char *what = o->file != NULL || o->ntargets > 0 ? "FILE.yaml or TARGET"
                     : o->demo                         ? "--demo"
                     : o->check                        ? "--check"
                     : o->log_path != NULL             ? "--log"
                     : o->metrics                      ? "--metrics"
                     : o->until != TT_UNTIL_NONE       ? "--until"
                     : o->count > 0                    ? "--count"
                     : o->duration_ms > 0              ? "--duration"
                     : o->overrides.has != 0           ? "a probe setting"
                                                       : NULL;
  if (what != NULL)
    return bad("--replay", "replays a recorded log: %s has no place beside "
               "it (it takes --plain, --json, --at, --summary, --refresh, --no-color)", what);
  return 0;
}

int tt_options_parse(tt_options *o, int argc, char **argv) {
  optspec spec;
  char v[160];
  int c, r, id, value;

  memset(o, 0, sizeof *o);
  o->refresh_ms = 100;
  build_options(&spec);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, spec.shortopts, spec.longopts,
                          NULL)) != -1) {
    switch (c) {
    case OPT_PLAIN:
    case OPT_JSON:
    case OPT_DASHBOARD: {
      tt_output want = c == OPT_PLAIN  ? TT_OUT_PLAIN
                       : c == OPT_JSON ? TT_OUT_JSON
                                       : TT_OUT_DASHBOARD;
      if (o->output != TT_OUT_AUTO && o->output != want)
        return bad("--plain/--json/--dashboard", "%s",
                   "choose one output format");
      o->output = want;
      break;
    }
    case OPT_LOG:
      o->log_path = optarg;
      break;
    case 'c':
      if ((r = number_arg("--count", optarg, 1000000000000ull, &o->count)))
        return r;
      break;
    case 'd':
      if ((r = duration_arg("--duration", optarg, &o->duration_ms)))
        return r;
      break;
    case OPT_CHECK:
      o->check = true;
      break;
    case OPT_DEMO:
      o->demo = true;
      break;
    case OPT_REFRESH:
      if ((r = duration_arg("--refresh", optarg, &o->refresh_ms)))
        return r;
      if (o->refresh_ms < MIN_REFRESH_MS)
        return bad("--refresh",
                   "must be at least 100ms (10 redraws a second), not '%s'",
                   shown(optarg, v, sizeof(v)));
      break;
    case OPT_NO_COLOR:
      o->no_color = true;
      break;
    case OPT_SUMMARY:
      if (strcmp(optarg, "all") == 0)
        o->summary = TT_SUMMARY_ALL;
      else if (strcmp(optarg, "wide") == 0)
        o->summary = TT_SUMMARY_WIDE;
      else
        return bad("--summary", "all or wide, not '%s'",
                   shown(optarg, v, sizeof v));
      break;
    case OPT_METRICS:
      if (tt_metrics_listen_parse(optarg, &o->metrics_addr, v, sizeof v) != 0)
        return bad("--metrics", "%s", v);
      o->metrics = true;
      break;
    case OPT_UNTIL:
      if (tt_until_parse(optarg, &o->until, v, sizeof v) != 0) {
        char w[160];
        return bad("--until", "%s, not '%s'", v, shown(optarg, w, sizeof w));
      }
      break;
    case OPT_REPLAY:
      o->replay = optarg;
      break;
    case OPT_AT:
      o->at = optarg;
      break;
    case 'h':
      usage(stdout);
      return 1;
    case 'V':
      printf("tether %s\n", TT_VERSION);
      return 1;
    case ':':
      fprintf(stderr, "tether: %s needs a value\nTry 'tether --help'.\n",
              shown(argv[optind - 1], v, sizeof(v)));
      return 2;
    default:
      if (c >= OPT_SETTING && c < OPT_SETTING + TT_SET_COUNT) {
        if ((r = setting_arg(o, (tt_setting_id)(c - OPT_SETTING), optarg)))
          return r;
      } else if ((id = setting_of_short(c, &value)) >= 0 && value < 0) {
        if ((r = setting_arg(o, (tt_setting_id)id, optarg)))
          return r;
      } else if (id >= 0) {
        o->overrides.v[id].num = (uint64_t)value;
        o->overrides.has |= TT_BIT(id);
      } else {
        fprintf(stderr,
                "tether: unknown option '%s'\nTry 'tether --help'.\n",
                shown(argv[optind - 1], v, sizeof(v)));
        return 2;
      }
      break;
    }
  }

  for (int i = optind; i < argc; i++) {
    if (is_config_file(argv[i])) {
      if (o->file != NULL)
        return bad(argv[i], "%s", "only one configuration file may be given");
      o->file = argv[i];
    } else {
      if (o->targets == NULL) {
        o->targets = calloc((size_t)argc, sizeof *o->targets);
        if (o->targets == NULL)
          return bad("tether", "%s", "out of memory");
      }
      o->targets[o->ntargets++] = argv[i];
    }
  }

  if (o->at != NULL && o->replay == NULL)
    return bad("--at", "%s", "is a moment of a replay: give --replay FILE");
  if (o->replay != NULL)
    return replay_only(o);
  if (o->demo && (o->file != NULL || o->ntargets > 0))
    return bad("--demo", "%s", "watches its own servers: give no FILE or TARGET");
  if (!o->demo && o->file == NULL && o->ntargets == 0) {
    fputs("tether: nothing to watch: give a FILE.yaml, a TARGET or --demo\n"
          "Try 'tether --help'.\n", stderr);
    return 2;
  }
  return 0;
}

void tt_options_free(tt_options *o) {
  free(o->targets);
  o->targets = NULL;
  for (size_t i = 0; i < TT_SET_COUNT; i++) {
    free(o->bytes[i]);
    o->bytes[i] = NULL;
  }
}
