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
#include "options.h"
#include "preset.h"

#define MIN_REFRESH_MS 100 /* the dashboard redraws at most 10 times a second */

static void usage(FILE *f) {
  fputs(
    "Usage: tether [OPTIONS] [FILE.yaml] [TARGET ...]\n"
    "       tether --demo\n"
    "       tether --check FILE.yaml\n"
    "Watch many TCP services live: heartbeats with deadlines, RTT, and why\n"
    "each failure happened. TARGET is [NAME=][PRESET://]HOST:PORT.\n"
    "\n"
    "Output:\n"
    "      --plain              a line per result and state change, summary at exit\n"
    "      --json               one JSON event per line, summaries at exit\n"
    "      --log FILE           also append the JSON events to FILE\n"
    "      --refresh D          dashboard redraw period (default 100ms)\n"
    "      --no-color           monochrome dashboard (also when NO_COLOR is set)\n"
    "\n"
    "Run:\n"
    "  -c, --count N            stop after N heartbeats per target\n"
    "  -d, --duration D         stop after D (30s, 5m)\n"
    "      --check              validate the config, list the targets, exit\n"
    "      --demo               watch built-in misbehaving servers on loopback\n"
    "\n"
    "Probes (override every target's settings):\n"
    "  -m, --mode MODE          persistent (ping/pong) or connect (handshake)\n"
    "  -i, --interval D         time between heartbeats (default 1s)\n"
    "  -t, --timeout D          reply deadline (default 1s)\n"
    "      --connect-timeout D  handshake deadline (default 2s)\n"
    "      --send S             bytes to send, C escapes allowed (\"PING\\r\\n\")\n"
    "      --expect RE          extended regex a reply must match\n"
    "      --miss-threshold N   misses before reconnecting (default 3)\n"
    "\n"
    "  -h, --help               this help\n"
    "  -V, --version            print the version\n"
    "\n"
    "Presets: tcp, echo, redis, memcached, http, smtp, ssh.\n"
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

static int bad(const char *opt, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Prints "tether: OPT: what is wrong" and a pointer to --help; returns the
 * usage exit status. */
static int bad(const char *opt, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "tether: %s: ", opt);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nTry 'tether --help'.\n", stderr);
  return 2;
}

static int duration_arg(const char *opt, const char *arg, uint64_t *ms) {
  const char *why;
  if (tt_duration_parse(arg, ms, &why) != 0)
    return bad(opt, "%s", why);
  if (*ms == 0)
    return bad(opt, "must be more than 0, not '%s'", arg);
  return 0;
}

static int number_arg(const char *opt, const char *arg, uint64_t max,
                      uint64_t *out) {
  char *end;
  errno = 0;
  if (arg[0] < '0' || arg[0] > '9')
    return bad(opt, "needs a positive whole number, not '%s'", arg);
  unsigned long long v = strtoull(arg, &end, 10);
  if (errno != 0 || *end != '\0' || v == 0 || v > max)
    return bad(opt, "needs a positive whole number in range, not '%s'", arg);
  *out = v;
  return 0;
}

static bool is_config_file(const char *arg) {
  size_t n = strlen(arg);
  return (n > 5 && strcmp(arg + n - 5, ".yaml") == 0) ||
         (n > 4 && strcmp(arg + n - 4, ".yml") == 0);
}

enum {
  OPT_PLAIN = 256, OPT_JSON, OPT_LOG, OPT_CONNECT_TIMEOUT, OPT_SEND,
  OPT_EXPECT, OPT_MISS, OPT_CHECK, OPT_DEMO, OPT_REFRESH, OPT_NO_COLOR
};

static const struct option longopts[] = {
  { "plain", no_argument, NULL, OPT_PLAIN },
  { "json", no_argument, NULL, OPT_JSON },
  { "log", required_argument, NULL, OPT_LOG },
  { "count", required_argument, NULL, 'c' },
  { "duration", required_argument, NULL, 'd' },
  { "interval", required_argument, NULL, 'i' },
  { "timeout", required_argument, NULL, 't' },
  { "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
  { "mode", required_argument, NULL, 'm' },
  { "send", required_argument, NULL, OPT_SEND },
  { "expect", required_argument, NULL, OPT_EXPECT },
  { "miss-threshold", required_argument, NULL, OPT_MISS },
  { "check", no_argument, NULL, OPT_CHECK },
  { "demo", no_argument, NULL, OPT_DEMO },
  { "refresh", required_argument, NULL, OPT_REFRESH },
  { "no-color", no_argument, NULL, OPT_NO_COLOR },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'V' },
  { NULL, 0, NULL, 0 },
};

int tt_options_parse(tt_options *o, int argc, char **argv) {
  tt_settings *s = &o->overrides;
  const char *why;
  uint64_t v;
  int c, r;

  memset(o, 0, sizeof *o);
  o->refresh_ms = 100;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":c:d:i:t:m:hV", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_PLAIN:
    case OPT_JSON: {
      tt_output want = c == OPT_PLAIN ? TT_OUT_PLAIN : TT_OUT_JSON;
      if (o->output != TT_OUT_AUTO && o->output != want)
        return bad("--plain/--json", "%s", "choose one output format");
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
    case 'i':
      if ((r = duration_arg("--interval", optarg, &s->interval_ms)))
        return r;
      s->has |= TT_HAS_INTERVAL;
      break;
    case 't':
      if ((r = duration_arg("--timeout", optarg, &s->timeout_ms)))
        return r;
      s->has |= TT_HAS_TIMEOUT;
      break;
    case OPT_CONNECT_TIMEOUT:
      if ((r = duration_arg("--connect-timeout", optarg,
                            &s->connect_timeout_ms)))
        return r;
      s->has |= TT_HAS_CONNECT_TIMEOUT;
      break;
    case 'm':
      if (tt_mode_from_name(optarg, &s->mode) != 0)
        return bad("--mode", "must be persistent or connect, not '%s'", optarg);
      s->has |= TT_HAS_MODE;
      break;
    case OPT_SEND: {
      free(o->send_buf);
      o->send_buf = strdup(optarg);
      if (o->send_buf == NULL)
        return bad("--send", "%s", "out of memory");
      long n = tt_unescape(o->send_buf, &why);
      if (n < 0)
        return bad("--send", "%s", why);
      if (n == 0)
        return bad("--send", "%s", "must not be empty");
      s->send = o->send_buf;
      s->send_len = (size_t)n;
      s->has |= TT_HAS_SEND;
      break;
    }
    case OPT_EXPECT:
      s->expect = optarg;
      s->has |= TT_HAS_EXPECT;
      break;
    case OPT_MISS:
      if ((r = number_arg("--miss-threshold", optarg, TT_MAX_MISS_THRESHOLD, &v)))
        return r;
      s->miss_threshold = (uint32_t)v;
      s->has |= TT_HAS_MISS_THRESHOLD;
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
        return bad("--refresh", "must be at least 100ms (10 redraws a second), not '%s'",
                   optarg);
      break;
    case OPT_NO_COLOR:
      o->no_color = true;
      break;
    case 'h':
      usage(stdout);
      return 1;
    case 'V':
      printf("tether %s\n", TT_VERSION);
      return 1;
    case ':':
      fprintf(stderr, "tether: %s needs a value\nTry 'tether --help'.\n",
              argv[optind - 1]);
      return 2;
    default:
      fprintf(stderr, "tether: unknown option '%s'\nTry 'tether --help'.\n",
              argv[optind - 1]);
      return 2;
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
  free(o->send_buf);
  o->targets = NULL;
  o->send_buf = NULL;
}
