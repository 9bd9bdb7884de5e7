/* fault.h - loopback servers that misbehave on purpose: the demo's
 * targets and the test suite's fault servers, on the caller's loop. */
#ifndef TETHER_FAULT_H
#define TETHER_FAULT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

typedef enum tt_fault_kind {
  TT_FAULT_RESPOND, /* banner on accept, then `reply` to each request */
  TT_FAULT_ECHO,    /* each request sent back as it came */
  TT_FAULT_SLOW,    /* RESPOND, each reply delay_ms +- jitter_ms late */
  TT_FAULT_LATE,    /* RESPOND, every `every`-th reply delay_ms late (in
                       order: later replies wait behind it) */
  TT_FAULT_FLAP,    /* RESPOND for period_ms, then gone (listener closed,
                       connections reset) for period_ms, and again */
  TT_FAULT_REFUSE,  /* the port is held but nothing listens: refused */
  TT_FAULT_RESET,   /* accept, read the first request, reset (RST) */
  TT_FAULT_CLOSE,   /* accept, read the first request, close (FIN) */
  TT_FAULT_GARBAGE, /* each request answered by a line of garbage that
                       holds control and escape bytes */
  TT_FAULT_SILENT,  /* accept and read, never answer */
  TT_FAULT_OVERSIZE,/* each request answered by `size` bytes without end */
  TT_FAULT_SPLIT,   /* RESPOND, each reply sent one byte at a time,
                       delay_ms apart */
  TT_FAULT_STALL,   /* accept queue full and never accepted: connects
                       never complete */
  TT_FAULT_UNREAD   /* accept, never read, with a small receive buffer:
                       writes to it soon cannot complete */
} tt_fault_kind;

typedef struct tt_fault_opts {
  tt_fault_kind kind;
  const char *host;        /* "127.0.0.1" when NULL; "::1" works too */
  uint16_t port;           /* 0: any free port */
  const char *banner;      /* sent on accept; NULL: none */
  const char *reply;       /* NULL: "+PONG\r\n" */
  const char *request_end; /* NULL: "\n" */
  uint32_t delay_ms;
  uint32_t jitter_ms;
  uint32_t every;
  uint32_t period_ms;
  uint32_t size;
  uint64_t seed;           /* for jitter; 0: fixed */
  /* RESPOND: what a connection does after its close_after-th reply is
   * written: close (FIN), or reset when close_reset (0: never). */
  uint32_t close_after;
  bool close_reset;
  /* RESPOND: the request after the drop_after-th reply is not answered:
   * the connection closes under it, as an idle keep-alive connection that
   * a server times out just as a request arrives (0: never). */
  uint32_t drop_after;
  bool drop_partial;       /* ... after the first half of its reply */
} tt_fault_opts;

typedef struct tt_fault tt_fault;

/* Binds and starts serving. Returns 0 or a negative libuv error. */
int tt_fault_start(uv_loop_t *loop, const tt_fault_opts *opts,
                   tt_fault **out);

uint16_t tt_fault_port(const tt_fault *f);

/* Takes the server away (listener closed, connections reset; the port
 * stays reserved, so connects are refused) and brings it back on the same
 * port. Both are idempotent. */
void tt_fault_pause(tt_fault *f);
int tt_fault_resume(tt_fault *f);

/* What the server saw, for tests. */
uint64_t tt_fault_accepted(const tt_fault *f);
uint64_t tt_fault_requests(const tt_fault *f);

/* Closes everything; the memory is freed in the last close callback, so
 * run the loop afterwards. */
void tt_fault_close(tt_fault *f);

#endif
