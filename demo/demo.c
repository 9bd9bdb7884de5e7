/* demo.c - `tether --demo`: one misbehaving loopback server per kind of
 * trouble, and the YAML config that watches them all. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "fault.h"

/* One demo target: the server behind it and how the config watches it.
 * The settings are chosen so that every class shows within ten seconds
 * under the demo's defaults (interval 1s, timeout 500ms, connect_timeout
 * 1s, backoff 500ms to 4s). */
typedef struct demo_target {
  const char *name;    /* what the dashboard shows */
  const char *comment; /* what to expect, for whoever reads the config */
  const char *preset;
  const char *tag;
  const char *settings; /* extra YAML lines of the target, or NULL */
  tt_fault_opts opts;
} demo_target;

static const demo_target demo_targets[] = {
  {"redis-ok", "answers PING with +PONG at once: up", "redis",
   "healthy", NULL,
   {.kind = TT_FAULT_RESPOND}},
  {"echo-ok", "sends every line back: up", "echo",
   "healthy", NULL,
   {.kind = TT_FAULT_ECHO}},
  {"slow-150ms", "answers 150ms +- 50ms late, past rtt_warn: degraded",
   "redis", "slow",
   "    rtt_warn: 100ms\n",
   {.kind = TT_FAULT_SLOW, .delay_ms = 150, .jitter_ms = 50,
    .seed = 0x7e7e7e7e}},
  {"late-replies", "every 3rd reply 700ms late: timeouts, late replies",
   "redis", "late",
   "    interval: 1s\n"
   "    timeout: 500ms\n",
   {.kind = TT_FAULT_LATE, .delay_ms = 700, .every = 3}},
  {"flapping-3s", "up for 3s, then refused for 3s: flaps", "redis",
   "flapping", NULL,
   {.kind = TT_FAULT_FLAP, .period_ms = 3000}},
  {"refused", "nothing listens: refused, down", "tcp",
   "broken", NULL,
   {.kind = TT_FAULT_REFUSE}},
  {"resets", "resets the connection at the first ping: reset",
   "redis", "broken", NULL,
   {.kind = TT_FAULT_RESET}},
  {"closes", "closes the connection at the first ping: eof",
   "redis", "broken", NULL,
   {.kind = TT_FAULT_CLOSE}},
  {"garbage", "answers with control bytes and escapes: protocol",
   "redis", "broken", NULL,
   {.kind = TT_FAULT_GARBAGE}},
  {"silent", "accepts, never answers: timeouts, then down", "redis",
   "broken", NULL,
   {.kind = TT_FAULT_SILENT}},
  {"black-hole", "the handshake never completes: connect_timeout", "tcp",
   "broken",
   "    connect_timeout: 1s\n",
   {.kind = TT_FAULT_STALL}},
};

#define DEMO_COUNT (sizeof(demo_targets) / sizeof(demo_targets[0]))

struct tt_demo {
  tt_fault *faults[DEMO_COUNT];
};

typedef struct demo_buf {
  char *p;
  size_t len, cap;
  int err;
} demo_buf;

__attribute__((format(printf, 2, 3)))
static void demo_printf(demo_buf *b, const char *fmt, ...) {
  if (b->err != 0)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->err = UV_EINVAL;
      return;
    }
    if ((size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = b->cap * 2;
    while (cap <= b->len + (size_t)n)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
      b->err = UV_ENOMEM;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
}

static int demo_yaml(const tt_demo *d, char **yaml, size_t *len) {
  demo_buf b = {.cap = 4096};
  b.p = malloc(b.cap);
  if (b.p == NULL)
    return UV_ENOMEM;
  demo_printf(&b,
              "# tether --demo: misbehaving servers on loopback, started by\n"
              "# tether itself; each target's comment says what it shows.\n"
              "defaults:\n"
              "  interval: 1s\n"
              "  timeout: 500ms\n"
              "  connect_timeout: 1s\n"
              "  backoff: { initial: 500ms, max: 4s }\n"
              "targets:\n");
  for (size_t i = 0; i < DEMO_COUNT; i++) {
    const demo_target *t = &demo_targets[i];
    demo_printf(&b,
                "  # %s\n"
                "  - name: %s\n"
                "    address: 127.0.0.1:%u\n"
                "    preset: %s\n"
                "    tags: [demo, %s]\n"
                "%s",
                t->comment, t->name, (unsigned)tt_fault_port(d->faults[i]),
                t->preset, t->tag, t->settings != NULL ? t->settings : "");
  }
  if (b.err != 0) {
    free(b.p);
    return b.err;
  }
  *yaml = b.p;
  *len = b.len;
  return 0;
}

int tt_demo_start(uv_loop_t *loop, tt_demo **out, char **yaml, size_t *len) {
  tt_demo *d = calloc(1, sizeof(*d));
  if (d == NULL)
    return UV_ENOMEM;
  int err = 0;
  for (size_t i = 0; i < DEMO_COUNT; i++) {
    err = tt_fault_start(loop, &demo_targets[i].opts, &d->faults[i]);
    if (err != 0)
      goto fail_faults;
  }
  err = demo_yaml(d, yaml, len);
  if (err != 0)
    goto fail_faults;
  *out = d;
  return 0;

fail_faults:
  tt_demo_close(d);
  return err;
}

void tt_demo_close(tt_demo *d) {
  if (d == NULL)
    return;
  for (size_t i = 0; i < DEMO_COUNT; i++)
    if (d->faults[i] != NULL)
      tt_fault_close(d->faults[i]);
  free(d);
}
