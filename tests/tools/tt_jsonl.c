/* tt_jsonl.c - checks on tether's JSON lines for the test scripts:
 *
 *   tt_jsonl lines FILE         every line is a JSON object and the file
 *                               ends with a newline; prints the line count
 *   tt_jsonl gaps FILE MAX_MS   no target went more than MAX_MS between two
 *                               heartbeats; prints the longest gap
 *   tt_jsonl account LOG OUT    what OUT (stdout) missed of LOG's events is
 *                               exactly what it said it dropped: per target,
 *                               events in LOG = events in OUT + OUT's
 *                               summary "dropped", and the "dropped" events'
 *                               counts add up to the summaries'
 *
 * Exit 0 when the check holds, 1 with a reason on stderr when not. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonl.h"

typedef struct target {
  char *name;
  uint64_t events;      /* events but summaries and notices */
  double summary_dropped;
  bool has_summary;
  double last_us;       /* of the latest heartbeat, 0 before one */
  struct target *next;
} target;

#define BUCKETS 4096

typedef struct table {
  target *b[BUCKETS];
} table;

static target *find(table *t, const char *name) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    h = (h ^ *p) * 16777619u;
  target **slot = &t->b[h % BUCKETS];
  for (target *x = *slot; x != NULL; x = x->next)
    if (strcmp(x->name, name) == 0)
      return x;
  target *x = calloc(1, sizeof *x);
  x->name = strdup(name);
  x->next = *slot;
  *slot = x;
  return x;
}

static void free_table(table *t) {
  for (size_t i = 0; i < BUCKETS; i++) {
    target *x = t->b[i];
    while (x != NULL) {
      target *n = x->next;
      free(x->name);
      free(x);
      x = n;
    }
  }
}

/* "2026-11-29T11:50:19.401775Z" in microseconds since the epoch. */
static double ts_us(const char *ts) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *rest = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL || *rest != '.')
    return -1;
  return (double)timegm(&tm) * 1e6 + strtod(rest + 1, NULL);
}

typedef void (*line_fn)(const tt_json_obj *o, void *arg);

/* Reads every line of path; returns the count, or -1 (with a reason). */
static long each_line(const char *path, line_fn fn, void *arg) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    perror(path);
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  long count = 0;
  while ((n = getline(&line, &cap, f)) > 0) {
    count++;
    if (line[n - 1] != '\n') {
      fprintf(stderr, "%s: line %ld has no newline (a half line): %.60s\n",
              path, count, line);
      count = -1;
      break;
    }
    tt_json_obj o;
    if (tt_json_parse(line, (size_t)n - 1, &o) != 0) {
      fprintf(stderr, "%s: line %ld is not JSON: %.60s\n", path, count,
              line);
      count = -1;
      break;
    }
    if (fn != NULL)
      fn(&o, arg);
    tt_json_free(&o);
  }
  free(line);
  fclose(f);
  return count;
}

typedef struct tally {
  table t;
  double dropped_events;    /* sum of "dropped" events' counts */
  double longest_gap_us;
  char longest_target[128];
} tally;

static void count_cb(const tt_json_obj *o, void *arg) {
  tally *y = arg;
  const char *ev = tt_json_str(o, "event");
  const char *name = tt_json_str(o, "target");
  bool found;
  if (ev == NULL)
    return;
  if (strcmp(ev, "dropped") == 0) {
    y->dropped_events += tt_json_num(o, "count", &found);
    return;
  }
  if (name == NULL)
    return;
  target *x = find(&y->t, name);
  if (strcmp(ev, "summary") == 0) {
    x->has_summary = true;
    x->summary_dropped = tt_json_num(o, "dropped", &found);
    return;
  }
  x->events++;
  if (strcmp(ev, "heartbeat") == 0) {
    double t = ts_us(tt_json_str(o, "ts"));
    if (x->last_us > 0 && t - x->last_us > y->longest_gap_us) {
      y->longest_gap_us = t - x->last_us;
      snprintf(y->longest_target, sizeof y->longest_target, "%s", name);
    }
    x->last_us = t;
  }
}

static int cmd_lines(const char *path) {
  long n = each_line(path, NULL, NULL);
  if (n < 0)
    return 1;
  printf("%ld\n", n);
  return 0;
}

static int cmd_gaps(const char *path, double max_ms) {
  tally *y = calloc(1, sizeof *y);
  int rc = 0;
  if (each_line(path, count_cb, y) < 0) {
    rc = 1;
  } else {
    printf("%.0f\n", y->longest_gap_us / 1000);
    if (y->longest_gap_us > max_ms * 1000) {
      fprintf(stderr, "%s: %s went %.0f ms without a heartbeat (at most %.0f)\n",
              path, y->longest_target, y->longest_gap_us / 1000, max_ms);
      rc = 1;
    }
  }
  free_table(&y->t);
  free(y);
  return rc;
}

static int cmd_account(const char *log, const char *out) {
  tally *l = calloc(1, sizeof *l), *o = calloc(1, sizeof *o);
  int rc = 0;
  if (each_line(log, count_cb, l) < 0 || each_line(out, count_cb, o) < 0) {
    rc = 1;
    goto done;
  }
  if (l->dropped_events != 0) {
    fprintf(stderr, "%s: the log itself dropped %.0f events\n", log,
            l->dropped_events);
    rc = 1;
  }
  double events = 0, written = 0, dropped = 0;
  for (size_t i = 0; i < BUCKETS; i++) {
    for (target *x = l->t.b[i]; x != NULL; x = x->next) {
      target *y = find(&o->t, x->name);
      if (!y->has_summary) {
        fprintf(stderr, "%s: no summary for %s\n", out, x->name);
        rc = 1;
        continue;
      }
      if ((double)x->events != (double)y->events + y->summary_dropped) {
        fprintf(stderr,
                "%s: %llu events in the log, %llu written + %.0f dropped\n",
                x->name, (unsigned long long)x->events,
                (unsigned long long)y->events, y->summary_dropped);
        rc = 1;
      }
      events += (double)x->events;
      written += (double)y->events;
      dropped += y->summary_dropped;
    }
  }
  if (dropped != o->dropped_events) {
    fprintf(stderr, "%s: the summaries say %.0f dropped, the dropped events "
            "%.0f\n", out, dropped, o->dropped_events);
    rc = 1;
  }
  printf("events %.0f written %.0f dropped %.0f\n", events, written, dropped);
done:
  free_table(&l->t);
  free_table(&o->t);
  free(l);
  free(o);
  return rc;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "lines") == 0)
    return cmd_lines(argv[2]);
  if (argc == 4 && strcmp(argv[1], "gaps") == 0)
    return cmd_gaps(argv[2], strtod(argv[3], NULL));
  if (argc == 4 && strcmp(argv[1], "account") == 0)
    return cmd_account(argv[2], argv[3]);
  fprintf(stderr, "usage: tt_jsonl lines FILE | gaps FILE MAX_MS | "
                  "account LOG OUT\n");
  return 2;
}
